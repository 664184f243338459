// Values the global setups hand to the test workers (vitest's provide/inject).
declare module "vitest" {
  export interface ProvidedContext {
    /** Which database the data-layer suite runs on in this project. */
    databaseKind: "pglite" | "postgres";
    /** A tarball of a migrated PGlite data folder that each test starts from (setup-pglite-snapshots.ts). */
    pgliteSnapshotPath: string;
    /** A tarball of an initialised PGlite data folder that no migration has touched. */
    pgliteEmptySnapshotPath: string;
    /** postgres: the URL of a database to run administrative statements from. */
    postgresAdminUrl: string;
    /** postgres: a migrated database that each test's database is copied from. */
    postgresTemplate: string;
    /** postgres: how this run's test databases are named, so that its teardown can drop any left behind. */
    postgresDatabasePrefix: string;
  }
}

export {};
