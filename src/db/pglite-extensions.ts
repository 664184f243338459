// The PostgreSQL extensions the hub's migrations create, as the embedded database loads them: PGlite
// ships contrib extensions as separate modules that must be handed to every instance (the data
// folder, the migration planner's databases, the tests') before `CREATE EXTENSION` can find them.
// On PostgreSQL the same migration creates them from the server's contrib package.
import { PGlite, type PGliteOptions } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";

/** pg_trgm: trigram GIN indexes, so a customer search with `contains` reads an index, not every row. */
export const PGLITE_EXTENSIONS = { pg_trgm };

/** A PGlite instance that can create the hub's extensions: in memory, or in `dataDir`. */
export function createPGlite(options: PGliteOptions = {}): Promise<PGlite> {
  return PGlite.create({ ...options, extensions: { ...options.extensions, ...PGLITE_EXTENSIONS } });
}
