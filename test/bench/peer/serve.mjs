// PostGraphile v5 over the bench database: the hub's peer in `npm run bench -- --only peer`.
// Run by the bench with the Node >= 22 binary of this folder (see ../peer-server.ts); plain JavaScript
// so that it needs nothing but this folder's own install. Serves DATABASE_URL's public schema on
// PORT (0 for any free port) and prints its URL once the schema is built, so that the first timed
// request never pays for introspection.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jsonPgSmartTags } from "postgraphile/utils";

const connectionString = process.env.DATABASE_URL;
if (!connectionString) throw new Error("DATABASE_URL is not set.");

const preset = {
  extends: [PostGraphileAmberPreset],
  // Order and filter by any column, not only those that lead an index: the hub's partial indexes
  // (for example "lastSeenAt" DESC NULLS LAST, id DESC WHERE "mergedIntoId" IS NULL) hide the
  // columns from PostGraphile's index check though PostgreSQL uses them for these very queries.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  plugins: [
    // Identities in the hub's order (kind, then value): PostGraphile does not order by an enum
    // column unless told to.
    jsonPgSmartTags({
      version: 1,
      config: { class: { Identity: { attribute: { kind: { tags: { behavior: "+orderBy" } } } } } },
    }),
  ],
  pgServices: [
    // The pool size of the hand-written baseline (baseline-server.ts).
    makePgService({ connectionString, schemas: ["public"], poolConfig: { max: 10 } }),
  ],
  schema: {
    // DESC NULLS LAST as the hub orders (and its partial index is built); PostgreSQL's DESC alone
    // puts NULLs first.
    pgOrderByNullsLast: true,
  },
  // A production server: no GraphiQL, no EXPLAIN in the answers.
  grafserv: { graphiql: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
await pgl.getSchema();
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (error) => {
  console.error("PostGraphile's server failed:", error);
  process.exit(1);
});
await serv.addTo(server);
server.listen({ port: Number(process.env.PORT ?? 0), host: "127.0.0.1" }, () => {
  const address = server.address();
  console.log(`PostGraphile ready at http://127.0.0.1:${address.port}/graphql`);
});

const stop = async () => {
  server.close();
  await pgl.release();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
