// Prepares the benchmark database: drops and re-creates `cxhub_bench`, applies the migrations the way
// the hub does, and bulk-loads the bench dataset with plain `pg` (multi-row INSERTs in one
// transaction: bench setup, not the product's write path), with a generated score per customer. A fingerprint of the inputs and the row
// counts is kept as the database's comment, so a re-run finds the data in place and skips the load.
// With `copies` > 1 it prepares a second database, `cxhub_bench_x10` for ten copies, holding that many
// times the customers (bench-dataset.ts), for the API scenarios at scale.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { fromPostgresUrl } from "../../src/db/database.ts";
import { applyMigrations, MIGRATIONS_DIR } from "../../src/db/migrations.ts";
import { CDNOW_DIR, readCdnowMaster } from "../../src/demo/cdnow.ts";
import { databaseUrl } from "../helpers/postgres-admin.ts";
import { BENCH_SOURCE, type BenchDataset, buildBenchDataset } from "./bench-dataset.ts";

/** BENCH_DATABASE names another, so that a branch with other migrations leaves a shared one alone. */
export const BENCH_DATABASE = process.env.BENCH_DATABASE ?? "cxhub_bench";
if (!/^[a-z_][a-z0-9_]*$/.test(BENCH_DATABASE)) {
  throw new Error(
    `BENCH_DATABASE must be a plain lower-case name (letters, digits, _); got ${BENCH_DATABASE}.`,
  );
}
/** Bind parameters per INSERT statement; PostgreSQL's limit is 65,535. */
const PARAMETERS_PER_STATEMENT = 30_000;

export interface BenchCounts {
  customers: number;
  identities: number;
  interactions: number;
  feedback: number;
}

export interface PreparedDatabase {
  url: string;
  counts: BenchCounts;
  /** Null when the data was already in place. */
  loadSeconds: number | null;
}

/** The database that holds `copies` times the bench data. */
export const benchDatabaseName = (copies: number) =>
  copies === 1 ? BENCH_DATABASE : `${BENCH_DATABASE}_x${copies}`;

export async function prepareBenchDatabase(
  adminUrl: string,
  { reload, log, copies = 1 }: { reload: boolean; log: (line: string) => void; copies?: number },
): Promise<PreparedDatabase> {
  const name = benchDatabaseName(copies);
  const url = databaseUrl(adminUrl, name);
  const fingerprint = `${await inputsFingerprint()}x${copies}`;
  if (!reload) {
    const counts = await loadedCounts(adminUrl, name, url, fingerprint);
    if (counts) {
      log(`Database ${name} already holds the bench data (use --reload to rebuild it).`);
      return { url, counts, loadSeconds: null };
    }
  }

  const started = performance.now();
  await withClient(adminUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  });
  const database = fromPostgresUrl(url);
  try {
    const applied = await applyMigrations(database.adapterFactory);
    log(`Created ${name} and applied ${applied.length} migration(s).`);
  } finally {
    await database.close();
  }

  const builtAt = performance.now();
  const dataset = buildBenchDataset(await readCdnowMaster(), copies);
  const insertedAt = performance.now();
  await withClient(url, async (client) => {
    await client.query("BEGIN");
    await insertDataset(client, dataset);
    await insertScores(client);
    await client.query("COMMIT");
  });
  const analyzedAt = performance.now();
  // What autovacuum would have done by the time a real database serves reads: statistics for the
  // planner and a visibility map for index-only scans.
  await withClient(url, (client) => client.query("VACUUM (ANALYZE)"));
  const counts: BenchCounts = {
    customers: dataset.customers.length,
    identities: dataset.identities.length,
    interactions: dataset.orders.length,
    feedback: dataset.feedback.length,
  };
  const marker = JSON.stringify({ fingerprint, counts }).replaceAll("'", "''");
  await withClient(adminUrl, (admin) => admin.query(`COMMENT ON DATABASE ${name} IS '${marker}'`));
  const done = performance.now();
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  log(
    `Loaded ${counts.customers} customers, ${counts.identities} identities, ${counts.interactions} interactions and ${counts.feedback} survey answers (and a score per customer) in ${s(done - started)} (migrations ${s(builtAt - started)}, building ${s(insertedAt - builtAt)}, INSERTs ${s(analyzedAt - insertedAt)}, VACUUM ANALYZE ${s(done - analyzedAt)}).`,
  );
  return { url, counts, loadSeconds: (done - started) / 1000 };
}

/** The counts recorded by a complete earlier load of the same inputs, if the database still holds them. */
async function loadedCounts(
  adminUrl: string,
  name: string,
  url: string,
  fingerprint: string,
): Promise<BenchCounts | null> {
  const comment = await withClient(adminUrl, async (admin) => {
    const { rows } = await admin.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [name],
    );
    return rows[0]?.comment ?? null;
  });
  if (!comment) return null;
  let marker: { fingerprint?: string; counts?: BenchCounts };
  try {
    marker = JSON.parse(comment);
  } catch {
    return null;
  }
  if (marker.fingerprint !== fingerprint || !marker.counts) return null;
  const expected = marker.counts;
  try {
    const live = await withClient(url, async (client) => {
      const { rows } = await client.query<BenchCounts>(
        `SELECT (SELECT count(*) FROM "Customer")::int AS customers,
                (SELECT count(*) FROM "Identity")::int AS identities,
                (SELECT count(*) FROM "Interaction")::int AS interactions,
                (SELECT count(*) FROM "Feedback")::int AS feedback`,
      );
      return rows[0];
    });
    const same =
      live !== undefined &&
      (Object.keys(expected) as Array<keyof BenchCounts>).every((key) => live[key] === expected[key]);
    return same ? expected : null;
  } catch {
    return null; // tables missing or the database unreachable: rebuild
  }
}

/** Changes whenever anything that shapes the data changes: the generator, CDNOW, the migrations. */
async function inputsFingerprint(): Promise<string> {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const migrationFolders = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(MIGRATIONS_DIR, entry.name, "migration.sql"))
    .sort();
  const files = [
    path.join(here, "bench-dataset.ts"),
    path.join(here, "load-bench-data.ts"),
    fileURLToPath(new URL("../../src/demo/demo-text.ts", import.meta.url)),
    path.join(CDNOW_DIR, "CDNOW_master.txt"),
    ...migrationFolders,
  ];
  const hash = createHash("sha256");
  for (const file of files) hash.update(file).update(await readFile(file));
  return hash.digest("hex").slice(0, 16);
}

async function insertDataset(client: pg.Client, data: BenchDataset): Promise<void> {
  const iso = (date: Date) => date.toISOString();
  const now = new Date().toISOString();
  await insertRows(
    client,
    "Principal",
    ["id", "name", "email"],
    data.principals.map((p) => [p.id, p.name, p.email]),
  );
  await insertRows(
    client,
    "Customer",
    ["id", "displayName", "traits", "lifecycleStage", "ownerId", "firstSeenAt", "lastSeenAt", "updatedAt"],
    data.customers.map((c) => [
      c.id,
      c.displayName,
      JSON.stringify(c.traits),
      c.lifecycleStage,
      c.ownerId,
      iso(c.firstSeenAt),
      iso(c.lastSeenAt),
      now,
    ]),
  );
  await insertRows(
    client,
    "Identity",
    ["id", "customerId", "kind", "namespace", "value", "source", "lastSeenAt"],
    data.identities.map((i) => [
      i.id,
      i.customerId,
      i.kind,
      i.namespace,
      i.value,
      BENCH_SOURCE,
      iso(i.lastSeenAt),
    ]),
  );
  await insertRows(
    client,
    "Interaction",
    [
      "id",
      "customerId",
      "source",
      "externalId",
      "channel",
      "kind",
      "direction",
      "occurredAt",
      "summary",
      "amount",
      "currency",
      "metadata",
    ],
    data.orders.map((o) => [
      o.id,
      o.customerId,
      BENCH_SOURCE,
      o.externalId,
      "ECOMMERCE",
      "order.placed",
      "INBOUND",
      iso(o.occurredAt),
      o.summary,
      o.amount,
      "USD",
      JSON.stringify({ items: o.items }),
    ]),
  );
  await insertRows(
    client,
    "Feedback",
    [
      "id",
      "customerId",
      "source",
      "externalId",
      "kind",
      "score",
      "comment",
      "channel",
      "touchpoint",
      "respondedAt",
    ],
    data.feedback.map((f) => [
      f.id,
      f.customerId,
      BENCH_SOURCE,
      f.externalId,
      f.kind,
      f.score,
      f.comment,
      "EMAIL",
      f.touchpoint,
      iso(f.respondedAt),
    ]),
  );
}

/** When the generated scores were computed: the end of the CDNOW history. */
const SCORED_AT = "1998-07-01T00:00:00Z";

/**
 * A score for every customer, so that the lists by churn risk, lifetime value and value at risk, and
 * an account manager's at-risk list, read real scores: risk climbs from 0.05 to 0.95 over two years
 * without an order (plus up to 0.05 from a hash of the ID, so that ties are rare and the load
 * repeats exactly), at the default policy's level bounds, with that recency as its one reason; the
 * lifetime value is a fifth of what was spent (none without orders).
 */
async function insertScores(client: pg.Client): Promise<void> {
  await client.query(
    `INSERT INTO "Score" ("customerId", "churnRisk", "churnRiskLevel", "reasons", "clv", "currency",
                          "modelVersion", "computedAt")
     SELECT c.id, r.risk,
            (CASE WHEN r.risk >= 0.8 THEN 'CRITICAL' WHEN r.risk >= 0.6 THEN 'HIGH'
                  WHEN r.risk >= 0.3 THEN 'MEDIUM' ELSE 'LOW' END)::"ChurnRiskLevel",
            jsonb_build_array(jsonb_build_object(
              'factor', 'RECENCY', 'value', r.days, 'contribution', round(r.risk::numeric * 4 - 2, 4),
              'weight', 1, 'explanation', 'No order for ' || r.days || ' days.')),
            round(o.spent / 5, 4), CASE WHEN o.spent IS NOT NULL THEN 'USD' END, 'bench-load', $1::timestamptz
       FROM "Customer" c
       LEFT JOIN LATERAL (
         SELECT max(i."occurredAt") AS last_order, sum(i.amount) AS spent FROM "Interaction" i
          WHERE i."customerId" = c.id AND i.amount IS NOT NULL
       ) o ON TRUE
       CROSS JOIN LATERAL (
         SELECT least(0.95, 0.05 + 0.9 * COALESCE(extract(epoch FROM $1::timestamptz - o.last_order) / (730 * 86400), 1)
                      + 0.05 * (hashtext(c.id::text)::float8 / 4294967296 + 0.5))::float8 AS risk,
                COALESCE(floor(extract(epoch FROM $1::timestamptz - o.last_order) / 86400), 730)::int AS days
       ) r`,
    [SCORED_AT],
  );
}

/** Multi-row INSERTs, as many rows per statement as the parameter budget allows. */
async function insertRows(
  client: pg.Client,
  table: string,
  columns: string[],
  rows: unknown[][],
): Promise<void> {
  const perStatement = Math.floor(PARAMETERS_PER_STATEMENT / columns.length);
  const columnList = columns.map((column) => `"${column}"`).join(", ");
  for (let start = 0; start < rows.length; start += perStatement) {
    const batch = rows.slice(start, start + perStatement);
    const values = batch.map(
      (_row, r) => `(${columns.map((_column, c) => `$${r * columns.length + c + 1}`).join(", ")})`,
    );
    await client.query(`INSERT INTO "${table}" (${columnList}) VALUES ${values.join(", ")}`, batch.flat());
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
