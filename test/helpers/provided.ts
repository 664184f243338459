// Values the global setups hand to the test workers (vitest's provide/inject).
declare module "vitest" {
  export interface ProvidedContext {
    /** Which database the data-layer suite runs on in this project. */
    databaseKind: "pglite" | "postgres";
    /** pglite: a tarball of a migrated data folder that each test starts from. */
    pgliteSnapshotPath: string;
    /** postgres: the URL of a database to run administrative statements from. */
    postgresAdminUrl: string;
    /** postgres: a migrated database that each test's database is copied from. */
    postgresTemplate: string;
  }
}

export {};
