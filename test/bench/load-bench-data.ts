// Prepares the benchmark database: drops and re-creates `cxhub_bench`, applies the migrations the way
// the hub does, and bulk-loads the bench dataset with plain `pg` (multi-row INSERTs in one
// transaction: bench setup, not the product's write path), then scores every customer the way the
// hub's first start does (scoreCustomers below). A fingerprint of the inputs and the row
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
import { createLogger } from "../../src/logger.ts";
import { prepareScores } from "../../src/pipeline/prepare-scores.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
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
    await client.query("COMMIT");
  });
  const scoredAt = performance.now();
  await scoreCustomers(url, log);
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
    `Loaded ${counts.customers} customers, ${counts.identities} identities, ${counts.interactions} interactions and ${counts.feedback} survey answers (and a score per customer) in ${s(done - started)} (migrations ${s(builtAt - started)}, building ${s(insertedAt - builtAt)}, INSERTs ${s(scoredAt - insertedAt)}, scores ${s(analyzedAt - scoredAt)}, VACUUM ANALYZE ${s(done - analyzedAt)}).`,
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

/** When the bench's scores are computed: the end of the CDNOW history. */
const SCORED_AT = new Date("1998-07-01T00:00:00Z");

/**
 * The hub's own start-up scoring (prepare-scores.ts), run here at the end of the CDNOW history: the
 * purchase model fitted on the whole history and every customer scored with it, as the hub would do
 * on its first start, but at a fixed date (the hub's first start would score as of the day it runs,
 * when every CDNOW customer has long lapsed) and before VACUUM ANALYZE. Left to the hub's first
 * start, that rewrite of every score left one dead index entry per customer in front of the live ones
 * until autovacuum came by: the 10x lists by lifetime value read 1,529 pages for 20 rows.
 */
async function scoreCustomers(url: string, log: (line: string) => void): Promise<void> {
  const database = fromPostgresUrl(url);
  try {
    const prepared = await prepareScores(
      database.prisma,
      { policy: DEFAULT_SCORING_POLICY, clock: () => SCORED_AT },
      createLogger("warn"),
    );
    log(
      `Fitted ${prepared.fittedVersion ?? "no model"} and scored ${prepared.rescored} customers as of ${SCORED_AT.toISOString()}.`,
    );
  } finally {
    await database.close();
  }
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
