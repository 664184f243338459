// The sync section of `npm run bench`: the 69,659 CDNOW master orders served by the fake Shopify
// GraphQL Admin API (msw handlers, Shopify's page format: 50 orders a page, as the connector asks) in
// its own process (fake-shop-server.ts, plain node:http on loopback), and synced into a fresh
// PostgreSQL database by the product's sync engine and Shopify plugin in this process, beside the
// baseline: the same customers, identities and interactions written with plain multi-row
// INSERT … ON CONFLICT statements over `pg`, one transaction per 500 orders (the engine's batch).
// A real sync reads a remote API, so serving the pages is not the hub's work: the sync's time and CPU
// include asking for every page over HTTP and parsing its JSON, not building it. The baseline's time
// is its INSERTs alone, from orders already in memory: it reads nothing (the stricter comparison).
// Both start from an empty, migrated database; the sync also has a fitted purchase model in place
// (CDNOW's published parameters), as a hub in use would, so every batch's rescoring does real work.
// The fake API's cost budget is off: a real shop's budget paces a sync far below either figure, and
// the bench measures the hub. Before each measured sync the shop is read through once, unmeasured,
// and the sync is answered with the pages built then (fake-shop-server.ts): building a page is a real
// shop's CPU on its own machines, and here it was 2.1-3.5 s of CPU per sync on the two cores the hub
// and PostgreSQL share, inside the sync's time. The sync still asks for every page over HTTP and
// parses it; a page it asks for that the read-through did not fails the section.
// Reports records/s, CPU (this process, PostgreSQL's backends, the fake API's process) and peak RSS
// per phase, the ratio, and where the time goes (the engine's own
// per-batch timings, and its rescoring of the synced customers, which the batches defer to the end of
// the run: the sync's time includes it, since the run ends after it).
// The section runs in a process of its own, started with the V8 flags `npm start` gives the hub (its
// semi-space, 8 MB: with V8's 16 MB default, which the bench process has, the sync scavenged less often
// than a hub's does; at 4 MB, a quarter as often); the baseline runs there too, under the same flags.
// The baseline and the sync are measured in rounds taken in turn (baseline, sync, baseline, sync, …;
// `--rounds`, 3 by default), and each keeps its median round: on this 2-core machine one baseline
// took 3.0 to 4.6 s from run to run and one sync 12.7 to 14.5 s, so a single pair moved the ratio
// between 3.2x and 3.9x.
// BENCH_CPU_PROF_DIR=/tmp/prof writes a CPU profile of this process during each sync phase alone
// (sync-<round>-<pid>.cpuprofile): the hub's engine, not the baseline's client or the loading of the orders.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { v7 as uuidv7 } from "uuid";
import type { GqlOrder } from "../../plugins/shopify/client.ts";
import shopify from "../../plugins/shopify/index.ts";
import { installConnector } from "../../src/connectors/connector-store.ts";
import { createPluginRegistry } from "../../src/connectors/plugin-registry.ts";
import { RESCORE_DRAINS } from "../../src/connectors/start-sync.ts";
import { createSyncEngine } from "../../src/connectors/sync/sync-engine.ts";
import { fromPostgresUrl } from "../../src/db/database.ts";
import { applyMigrations } from "../../src/db/migrations.ts";
import { readCdnowMaster } from "../../src/demo/cdnow.ts";
import { createStreamContext } from "../../src/sdk/context.ts";
import { NPM_START_NODE_FLAGS } from "../helpers/npm-start-command.ts";
import { databaseUrl } from "../helpers/postgres-admin.ts";
import { PUBLISHED_CDNOW_FIT } from "../helpers/published-cdnow-model.ts";
import { cdnowOrder } from "../plugins/helpers/cdnow-shop.ts";
import { type ChildServer, startChildServer } from "./child-servers.ts";
import { type CpuUsed, processCpuMs, startCpuMeter } from "./cpu-meter.ts";
import { type PagesServed, SERVED_PATH } from "./fake-shop-served.ts";
import { medianRound } from "./median-round.ts";

const SHOP = "cdnow.myshopify.com";
const TOKEN = "shpat_bench0123456789abcdef0123456789";
const SECRET_KEY = Buffer.alloc(32, 3);
const SOURCE = "cdnow-shop";
/** Orders per baseline transaction: the engine's batch on PostgreSQL is 500 records. */
const BASELINE_BATCH = 500;
/** Orders synced one record per transaction, to show what the set-based ingest replaced. */
const ONE_BY_ONE_ORDERS = 2_000;
/**
 * The prefix of the section's three databases (`<prefix>`, `<prefix>_baseline`, `<prefix>_one_by_one`):
 * BENCH_SYNC_DATABASE lets several people bench on one PostgreSQL server without dropping each other's.
 */
const DATABASE_PREFIX = process.env.BENCH_SYNC_DATABASE ?? "cxhub_bench_sync";

export interface SyncPhase {
  records: number;
  seconds: number;
  peakRssBytes: number;
  /** CPU of this process (the hub's engine, or the baseline's client) and of the database's backends. */
  cpu: CpuUsed;
  /** CPU of the fake Shopify API's own process while it served the phase; null for the baseline. */
  fakeApiCpuMs: number | null;
}

export interface SyncFigures {
  orders: number;
  customers: number;
  /** Each phase's seconds in every round, in the order measured; the figures below are the median rounds'. */
  rounds: { baselineSeconds: number[]; syncSeconds: number[] };
  baseline: SyncPhase;
  sync: SyncPhase & {
    readSeconds: number;
    writeSeconds: number;
    /** Of the commits' time, marking the touched customers due for rescoring. */
    markDueSeconds: number;
    commits: number;
    /** Rescoring the due customers (at the run's end, and during it when it runs long). */
    rescoreSeconds: number;
    rescoredCustomers: number;
    drains: number;
  };
  oneByOne: SyncPhase;
  startRssBytes: number;
}

/** `npm start`'s node flags that set V8 up (not its module conditions: the section runs the sources). */
const HUB_V8_FLAGS = NPM_START_NODE_FLAGS.filter((flag) => !flag.startsWith("--conditions"));
const SECTION_ENTRY = fileURLToPath(new URL("./sync-section-process.ts", import.meta.url));

/** runSyncBench in a process started with the hub's V8 flags; its lines go to `log` as they come. */
export async function runSyncBenchAsStarted(
  adminUrl: string,
  rounds: number,
  log: (line: string) => void,
): Promise<SyncFigures> {
  const folder = await mkdtemp(join(tmpdir(), "cxhub-sync-bench-"));
  const figuresFile = join(folder, "figures.json");
  try {
    const child = spawn(
      process.execPath,
      [...HUB_V8_FLAGS, "--import", "tsx", SECTION_ENTRY, adminUrl, String(rounds), figuresFile],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let pending = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) log(line);
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    if (pending) log(pending);
    if (code !== 0)
      throw new Error(`The sync section's process ended with ${signal ?? `exit code ${code}`}.`);
    return JSON.parse(await readFile(figuresFile, "utf8")) as SyncFigures;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

type MeasuredSync = SyncFigures["sync"];

export async function runSyncBench(
  adminUrl: string,
  rounds: number,
  log: (line: string) => void,
): Promise<SyncFigures> {
  const baselines: SyncPhase[] = [];
  const syncs: MeasuredSync[] = [];
  let shape: { orders: number; customers: number; startRssBytes: number } | undefined;
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) log(`  round ${round} of ${rounds}`);
    const { orders, customers, startRssBytes, baselineUrl, baseline } = await runBaseline(
      adminUrl,
      round,
      log,
    );
    shape ??= { orders, customers, startRssBytes };
    baselines.push(baseline);
    const sync = await syncOnce(adminUrl, orders, round, log);
    await assertSameFacts(baselineUrl, sync.url, orders, customers);
    await assertEveryoneScored(sync.url, customers);
    syncs.push(sync.phase);
  }
  if (!shape) throw new Error("The sync section needs at least one round.");

  const oneByOneUrl = await freshDatabase(adminUrl, `${DATABASE_PREFIX}_one_by_one`);
  const oneByOne = await withFakeShop(ONE_BY_ONE_ORDERS, (shop) =>
    measure(oneByOneUrl, shop, () => syncShop(oneByOneUrl, shop, {}, 1)),
  );
  log(`  one record per transaction (first ${ONE_BY_ONE_ORDERS} orders): ${rate(oneByOne)}`);

  return {
    orders: shape.orders,
    customers: shape.customers,
    rounds: {
      baselineSeconds: baselines.map((phase) => phase.seconds),
      syncSeconds: syncs.map((phase) => phase.seconds),
    },
    baseline: medianRound(baselines, (phase) => phase.seconds),
    sync: medianRound(syncs, (phase) => phase.seconds),
    oneByOne,
    startRssBytes: shape.startRssBytes,
  };
}

/** One sync of the whole shop into a fresh database, with the engine's own timings. */
async function syncOnce(
  adminUrl: string,
  orders: number,
  round: number,
  log: (line: string) => void,
): Promise<{ url: string; phase: MeasuredSync }> {
  const url = await freshDatabase(adminUrl, DATABASE_PREFIX);
  const timings = { readMs: 0, writeMs: 0, markDueMs: 0, commits: 0, rescoreMs: 0, rescored: 0, drains: 0 };
  const sync = await withFakeShop(
    orders,
    (shop) =>
      measure(url, shop, () =>
        profiled(`sync-${round}`, () =>
          syncShop(url, shop, {
            onCommit: (commit) => {
              timings.readMs += commit.timings.readMs;
              timings.writeMs += commit.timings.writeMs;
              timings.markDueMs += commit.timings.rescoreMs;
              timings.commits++;
            },
            onRescore: (drain) => {
              timings.rescoreMs += drain.ms;
              timings.rescored += drain.rescored;
              timings.drains++;
            },
          }),
        ),
      ),
    log,
  );
  log(
    `  sync:     ${rate(sync)} (${sync.seconds.toFixed(1)} s, ${timings.commits} commits, ${cpuLine(sync)})`,
  );
  return {
    url,
    phase: {
      ...sync,
      readSeconds: timings.readMs / 1000,
      writeSeconds: timings.writeMs / 1000,
      markDueSeconds: timings.markDueMs / 1000,
      commits: timings.commits,
      rescoreSeconds: timings.rescoreMs / 1000,
      rescoredCustomers: timings.rescored,
      drains: timings.drains,
    },
  };
}

/**
 * The baseline's phase, from the orders read into memory here. Only their counts leave this function:
 * the sync that follows reads every order from the fake API, and a hub holds no shop's orders in its
 * heap, so the baseline's 70,000 order objects must not stay live for the sync's garbage collector to
 * trace (held, they cost the sync about 1.1 s of this process's CPU, 8%, in paired runs).
 */
async function runBaseline(adminUrl: string, round: number, log: (line: string) => void) {
  // Read again for every round (about a second), for the reason above: kept between rounds, they
  // would be live during every sync.
  const orders = (await readCdnowMaster()).map(cdnowOrder);
  const customers = new Set(orders.map((order) => order.customer?.id)).size;
  if (round === 1) log(`  ${orders.length} orders of ${customers} customers, as Shopify order nodes.`);
  const startRssBytes = process.memoryUsage.rss();
  const baselineUrl = await freshDatabase(adminUrl, `${DATABASE_PREFIX}_baseline`);
  const baseline = await measure(baselineUrl, null, () => insertBaseline(baselineUrl, orders));
  log(`  baseline: ${rate(baseline)} (${baseline.seconds.toFixed(1)} s, ${cpuLine(baseline)})`);
  return { orders: orders.length, customers, startRssBytes, baselineUrl, baseline };
}

const rate = (phase: SyncPhase) =>
  `${Math.round(phase.records / phase.seconds).toLocaleString("en")} records/s`;

const cpuSeconds = (ms: number | null) => (ms === null ? "?" : `${(ms / 1000).toFixed(1)} s`);
const cpuLine = (phase: SyncPhase) =>
  `CPU: this process ${cpuSeconds(phase.cpu.processMs)}, PostgreSQL ${cpuSeconds(phase.cpu.databaseMs)}${phase.fakeApiCpuMs === null ? "" : `, the fake API's process ${cpuSeconds(phase.fakeApiCpuMs)}`}`;

/**
 * Runs a phase, sampling this process's RSS every 20 ms for the phase's own peak, and measuring the
 * CPU of this process, of the database's backends and of the fake shop's process (when there is one).
 */
async function measure(
  url: string,
  fakeShop: ChildServer | null,
  work: () => Promise<number>,
): Promise<SyncPhase> {
  // Connected to the phase's database, so that its backends can be read from the start (the
  // meter's own polling is a few queries a second).
  const meterClient = new pg.Client({ connectionString: url });
  await meterClient.connect();
  const cpuMeter = await startCpuMeter(meterClient, new URL(url).pathname.slice(1));
  let peakRssBytes = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  }, 20);
  const fakeApiCpuAtStart = fakeShop ? processCpuMs(fakeShop.pid) : null;
  const started = performance.now();
  let cpu: CpuUsed | undefined;
  try {
    const records = await work();
    const seconds = (performance.now() - started) / 1000;
    cpu = await cpuMeter.stop();
    const fakeApiCpuAtEnd = fakeShop ? processCpuMs(fakeShop.pid) : null;
    const fakeApiCpuMs =
      fakeApiCpuAtStart === null || fakeApiCpuAtEnd === null ? null : fakeApiCpuAtEnd - fakeApiCpuAtStart;
    return { records, seconds, peakRssBytes, cpu, fakeApiCpuMs };
  } finally {
    clearInterval(sampler);
    // A phase that failed leaves the meter polling: stopped before its connection closes, so that the
    // phase's own error is the one reported.
    if (!cpu) await cpuMeter.stop();
    await meterClient.end();
  }
}

/** Runs `work` under this process's CPU profiler when BENCH_CPU_PROF_DIR is set (see the top of this file). */
async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  const directory = process.env.BENCH_CPU_PROF_DIR;
  if (!directory) return work();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await work();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    await mkdir(directory, { recursive: true });
    const file = join(directory, `${name}-${process.pid}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
  }
}

const FAKE_SHOP_ENTRY = fileURLToPath(new URL("./fake-shop-server.ts", import.meta.url));

/**
 * Runs `work` with the fake shop of the first `orders` CDNOW orders up in its own process, read through
 * once first (not measured), so that `work`'s sync is answered with pages the shop has built already
 * (fake-shop-server.ts): building them is the provider's CPU, not the hub's. Throws when `work` asked
 * for a page the read-through did not.
 */
async function withFakeShop<T>(
  orders: number,
  work: (shop: ChildServer) => Promise<T>,
  log?: (line: string) => void,
): Promise<T> {
  const shop = await startChildServer({
    name: "fake Shopify Admin API",
    entry: FAKE_SHOP_ENTRY,
    env: { FAKE_SHOP_DOMAIN: SHOP, FAKE_SHOP_TOKEN: TOKEN, FAKE_SHOP_ORDERS: String(orders) },
    readyLine: /Fake Shopify Admin API at (http:\/\/\S+)/,
  });
  try {
    await readShopThrough(shop);
    const before = await pagesServed(shop);
    const result = await work(shop);
    const after = await pagesServed(shop);
    if (after.built > before.built) {
      throw new Error(
        `The fake shop built ${after.built - before.built} page(s) during the measured phase that reading it through first did not ask for: the phase's time includes building them.`,
      );
    }
    log?.(
      `  the fake shop answered ${(after.replayed - before.replayed).toLocaleString("en-US")} requests with pages built while it was read through, none built while measured`,
    );
    return result;
  } finally {
    await shop.stop();
  }
}

/** Reads every stream of the Shopify connector from the start, as a first sync asks for it, storing nothing. */
async function readShopThrough(shop: ChildServer): Promise<void> {
  for (const stream of Object.keys(shopify.streams)) {
    const ctx = createStreamContext(shopify, stream, {
      config: { shopDomain: SHOP, accessToken: TOKEN },
      connectorName: SOURCE,
      fetch: fetchFromFakeShop(shop),
    });
    const definition = shopify.streams[stream as keyof typeof shopify.streams];
    for await (const _value of definition.read(ctx as never)) {
      // Each page is fetched as the stream goes; the values themselves are not needed.
    }
  }
}

async function pagesServed(shop: ChildServer): Promise<PagesServed> {
  const response = await fetch(`${shop.url}${SERVED_PATH}`);
  if (!response.ok) throw new Error(`The fake shop answered ${response.status} to ${SERVED_PATH}.`);
  return (await response.json()) as PagesServed;
}

/**
 * The fetch under the connector's: the shop's https://<shop>/… URLs go to the fake shop's process
 * over plain HTTP on loopback (the handler there sees the shop's URL again). Anything else fails.
 */
function fetchFromFakeShop(shop: ChildServer): typeof fetch {
  const shopOrigin = `https://${SHOP}`;
  return (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(`${shopOrigin}/`)) {
      return Promise.reject(
        new Error(`The sync bench only serves ${shopOrigin}; the connector asked ${url}.`),
      );
    }
    const local = `${shop.url}${url.slice(shopOrigin.length)}`;
    return fetch(input instanceof Request ? new Request(local, input) : local, init);
  };
}

/** An empty, migrated database of this name (dropped first if it exists); its URL. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(adminUrl, name);
  const database = fromPostgresUrl(url);
  try {
    await applyMigrations(database.adapterFactory);
  } finally {
    await database.close();
  }
  return url;
}

/** The product: the Shopify plugin against the fake shop's process, run by the sync engine. Returns records synced. */
async function syncShop(
  url: string,
  shop: ChildServer,
  callbacks: Pick<Parameters<typeof createSyncEngine>[0], "onCommit" | "onRescore">,
  batchSize?: number,
): Promise<number> {
  const database = fromPostgresUrl(url);
  const plugins = createPluginRegistry([shopify]);
  try {
    await insertPublishedModel(database.prisma);
    await installConnector(
      { db: database.prisma, plugins, secretKey: SECRET_KEY },
      { pluginId: "shopify", name: SOURCE, config: { shopDomain: SHOP, accessToken: TOKEN } },
    );
    const engine = createSyncEngine({
      db: database.prisma,
      plugins,
      secretKey: SECRET_KEY,
      ...callbacks,
      batchSize,
      // As the hub's engine on PostgreSQL (start-sync.ts).
      rescoreDrains: RESCORE_DRAINS.postgres,
      fetch: fetchFromFakeShop(shop),
    });
    const run = await engine.run({ name: SOURCE });
    await engine.close();
    if (run.status !== "SUCCEEDED" || run.recordsDeadLettered > 0) {
      throw new Error(
        `The sync ended ${run.status} with ${run.recordsDeadLettered} dead letters: ${run.error}`,
      );
    }
    return run.recordsFetched;
  } finally {
    await database.close();
  }
}

/** CDNOW's published BG/NBD and Gamma-Gamma parameters (Fader, Hardie & Lee), as a fitted model. */
async function insertPublishedModel(db: ReturnType<typeof fromPostgresUrl>["prisma"]) {
  await db.scoreModel.create({
    data: {
      version: "bgnbd-gg@cdnow-published",
      calibrationEnd: new Date("1997-09-30T23:59:59Z"),
      ...PUBLISHED_CDNOW_FIT,
      gammaGammaLogLikelihood: -4063.8,
      fitMilliseconds: 0,
    },
  });
}

/**
 * The baseline: the rows the sync ends with (a customer and two identities per buyer, an interaction
 * per order), written with multi-row INSERT … ON CONFLICT DO NOTHING, 500 orders a transaction.
 */
async function insertBaseline(url: string, orders: GqlOrder[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const customerIds = new Map<string, string>();
  try {
    for (let start = 0; start < orders.length; start += BASELINE_BATCH) {
      const batch = orders.slice(start, start + BASELINE_BATCH);
      const buyers = new Map<string, { id: string; shopId: string; email: string }>();
      for (const order of batch) {
        const shopId = order.customer?.legacyResourceId as string;
        let id = customerIds.get(shopId);
        if (!id) {
          id = uuidv7();
          customerIds.set(shopId, id);
        }
        buyers.set(shopId, { id, shopId, email: (order.email as string).toLowerCase() });
      }
      const people = [...buyers.values()];
      await client.query("BEGIN");
      await client.query(
        `INSERT INTO "Customer" ("id", "updatedAt") SELECT id, now() FROM unnest($1::uuid[]) AS t(id)
         ON CONFLICT ("id") DO NOTHING`,
        [people.map((p) => p.id)],
      );
      await client.query(
        `INSERT INTO "Identity" ("id", "customerId", "kind", "namespace", "value", "source")
         SELECT gen_random_uuid(), c, k::"IdentityKind", n, v, $5
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(c, k, n, v)
         ON CONFLICT ("kind", "namespace", "value") DO NOTHING`,
        [
          people.flatMap((p) => [p.id, p.id]),
          people.flatMap(() => ["SHOP_CUSTOMER_ID", "EMAIL"]),
          people.flatMap(() => [SHOP, ""]),
          people.flatMap((p) => [p.shopId, p.email]),
          SOURCE,
        ],
      );
      await client.query(
        `INSERT INTO "Interaction" ("id", "customerId", "source", "externalId", "channel", "kind", "direction",
           "occurredAt", "summary", "amount", "currency", "conversationId", "metadata")
         SELECT gen_random_uuid(), c, $1, e, 'ECOMMERCE', 'order.placed', 'INBOUND', o, s, a, 'USD', e, m::jsonb
           FROM unnest($2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::numeric[], $7::text[])
                AS t(c, e, o, s, a, m)
         ON CONFLICT ("source", "externalId") DO NOTHING`,
        [
          SOURCE,
          batch.map((o) => customerIds.get(o.customer?.legacyResourceId as string)),
          batch.map((o) => o.id),
          batch.map((o) => o.processedAt),
          batch.map((o) => `Order ${o.name} — ${o.subtotalLineItemsQuantity} items`),
          batch.map((o) => o.totalPriceSet?.shopMoney?.amount),
          batch.map((o) =>
            JSON.stringify({ orderName: o.name, financialStatus: "paid", test: false, tags: [] }),
          ),
        ],
      );
      await client.query("COMMIT");
    }
  } finally {
    await client.end();
  }
  return orders.length;
}

/** The sync's work includes scoring: every customer it stored has a score when the run has ended. */
async function assertEveryoneScored(syncUrl: string, customers: number) {
  const client = new pg.Client({ connectionString: syncUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ scored: number; due: number }>(
      `SELECT (SELECT count(*) FROM "Score")::int AS scored,
              (SELECT count(*) FROM "CustomerRescoreDue")::int AS due`,
    );
    const [row] = rows;
    if (row?.scored !== customers || row.due !== 0) {
      throw new Error(
        `The sync ended with ${row?.scored} of ${customers} customers scored and ${row?.due} still due.`,
      );
    }
  } finally {
    await client.end();
  }
}

/** Both phases must end with the same facts, or the comparison means nothing. */
async function assertSameFacts(baselineUrl: string, syncUrl: string, orders: number, customers: number) {
  const figures = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{
        customers: number;
        identities: number;
        orders: number;
        dollars: string;
      }>(
        `SELECT (SELECT count(*) FROM "Customer")::int AS customers,
                (SELECT count(*) FROM "Identity")::int AS identities,
                (SELECT count(*) FROM "Interaction")::int AS orders,
                (SELECT sum("amount")::text FROM "Interaction") AS dollars`,
      );
      return rows[0];
    } finally {
      await client.end();
    }
  };
  const [baseline, synced] = [await figures(baselineUrl), await figures(syncUrl)];
  const expected = { customers, identities: customers * 2, orders };
  for (const [name, got] of [
    ["baseline", baseline],
    ["sync", synced],
  ] as const) {
    if (
      !got ||
      got.customers !== expected.customers ||
      got.identities !== expected.identities ||
      got.orders !== expected.orders
    ) {
      throw new Error(`The ${name} stored ${JSON.stringify(got)}, not ${JSON.stringify(expected)}.`);
    }
  }
  if (baseline?.dollars !== synced?.dollars) {
    throw new Error(`The sync stored $${synced?.dollars} of orders, the baseline $${baseline?.dollars}.`);
  }
}

/** Which rounds the table's figures are, and every round's time, so a reader sees the spread. */
function roundsLine({ baselineSeconds, syncSeconds }: SyncFigures["rounds"]): string {
  const seconds = (all: number[]) => all.map((value) => value.toFixed(1)).join(", ");
  if (syncSeconds.length === 1) return "One round of each phase (--rounds 1).";
  return `Baseline and sync taken in turn, ${syncSeconds.length} rounds; each phase's median round below. Seconds per round: baseline ${seconds(baselineSeconds)}; sync ${seconds(syncSeconds)}.`;
}

export function formatSyncReport(figures: SyncFigures): string {
  const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;
  const { baseline, sync, oneByOne } = figures;
  const perSecond = (phase: SyncPhase) => phase.records / phase.seconds;
  const share = (seconds: number) => `${((seconds / sync.seconds) * 100).toFixed(0)}%`;
  const cpu = (ms: number | null) => (ms === null ? "—" : (ms / 1000).toFixed(1));
  const row = (label: string, phase: SyncPhase) =>
    `| ${label} | ${Math.round(perSecond(phase)).toLocaleString("en")} | ${phase.seconds.toFixed(1)} | ${cpu(phase.cpu.processMs)} | ${cpu(phase.cpu.databaseMs)} | ${cpu(phase.fakeApiCpuMs)} | ${mb(phase.peakRssBytes)} |`;
  const total = (phase: SyncPhase) =>
    phase.cpu.databaseMs === null ? null : phase.cpu.processMs + phase.cpu.databaseMs;
  const syncCpu = total(sync);
  const baselineCpu = total(baseline);
  return [
    `Sync: ${figures.orders.toLocaleString("en")} CDNOW orders of ${figures.customers.toLocaleString("en")} customers, Shopify plugin → PostgreSQL`,
    "The fake Shopify Admin API runs in its own process (node:http on loopback, msw handlers): the sync's figures include fetching and parsing its pages, not serving them. The baseline's are its INSERTs alone, from orders already in memory.",
    roundsLine(figures.rounds),
    "| Phase | records/s | seconds | CPU s, this process | CPU s, PostgreSQL | CPU s, fake API process | peak RSS |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    row("Baseline: multi-row INSERT … ON CONFLICT over pg", baseline),
    row("Hub: sync engine + Shopify plugin, reading the fake Admin API", sync),
    row(`Hub, one record per transaction (first ${oneByOne.records.toLocaleString("en")} orders)`, oneByOne),
    "",
    `Sync time / baseline time: ${(sync.seconds / baseline.seconds).toFixed(2)}× (aim: within 3×). CPU (this process + PostgreSQL) sync / baseline: ${syncCpu === null || baselineCpu === null ? "—" : `${(syncCpu / 1000).toFixed(1)} s / ${(baselineCpu / 1000).toFixed(1)} s = ${(syncCpu / baselineCpu).toFixed(2)}×`}. Set-based batches / one record per transaction: ${(perSecond(sync) / perSecond(oneByOne)).toFixed(1)}× the records per second.`,
    `Where the sync's ${sync.seconds.toFixed(1)} s went (${sync.commits} commits of up to 500 records, each read while the one before it commits): committing ${sync.writeSeconds.toFixed(1)} s (${share(sync.writeSeconds)} of the wall time), of which storing the facts ${(sync.writeSeconds - sync.markDueSeconds).toFixed(1)} s (${share(sync.writeSeconds - sync.markDueSeconds)}) and marking their customers due for rescoring ${sync.markDueSeconds.toFixed(1)} s (${share(sync.markDueSeconds)}); rescoring the due customers, each once, ${sync.rescoreSeconds.toFixed(1)} s (${share(sync.rescoreSeconds)}, ${sync.rescoredCustomers.toLocaleString("en")} customers in ${sync.drains} drain${sync.drains === 1 ? "" : "s"}, after the commits, inside the sync's time); reading ${sync.readSeconds.toFixed(1)} s (${share(sync.readSeconds)}, overlapping the commits: waiting for the fake API's pages, fetch, JSON, the plugin's mapping, SDK validation).`,
    `RSS at the section's start: ${mb(figures.startRssBytes)} (with the orders read for the baseline, which are dropped before the sync).`,
  ].join("\n");
}
