// The memory section: what each server holds once ready, beside the baseline server, and the peak of
// the demo load (`npm run demo`: the embedded database in a new folder, the demo customers loaded,
// scored, then served). All as `npm start` runs the hub: the compiled entry, in child processes.
// - hub on PostgreSQL: the CDNOW bench database, already migrated and scored (a production restart);
//   when the bench has only just loaded that database, the hub's first start there fits the score model
//   and scores every customer before it is ready, so that start is measured first, on its own line;
// - hub on the embedded database, first start with --demo: its peak (VmHWM when it is ready, so the
//   whole load) and its RSS once ready;
// - hub on the embedded database again, on that folder: a restart of the default set-up;
// - the baseline server (plain pg, hand-written SQL) on the same PostgreSQL database.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { type ChildServer, ensureCompiled, HUB_ENTRY, startChildServer } from "./child-servers.ts";
import { mb, table } from "./print-report.ts";

const HUB_READY = /GraphQL and GraphiQL at (http:\/\/\S+\/graphql)/;
const BASELINE_READY = /Baseline ready at (http:\/\/\S+\/graphql)/;
/** The demo load on a loaded 2-core machine took 3 to 6 minutes; a restart there, over a minute. */
const DEMO_TIMEOUT_MS = 15 * 60_000;
const START_TIMEOUT_MS = 5 * 60_000;
/** Issue 15's targets. */
export const READY_TARGET_BYTES = 150 * 1024 * 1024;
export const DEMO_PEAK_TARGET_BYTES = 400 * 1024 * 1024;

export interface MemoryFigures {
  name: string;
  /** VmRSS when the server printed its URL. */
  readyBytes: number;
  /** VmHWM at that moment: the most the process held on its way to ready. */
  peakBytes: number;
  target: string;
  /** The limit this start is held to, if any: on its RSS once ready, or on its peak. */
  limit?: { on: "readyBytes" | "peakBytes"; bytes: number };
}

export async function runMemoryBench(
  databaseUrl: string,
  log: (line: string) => void,
): Promise<MemoryFigures[]> {
  await ensureCompiled();
  const figures: MemoryFigures[] = [];
  const measure = async (
    name: string,
    target: string,
    start: () => Promise<ChildServer>,
    limit?: MemoryFigures["limit"],
  ): Promise<MemoryFigures> => {
    const server = await start();
    const entry: MemoryFigures = {
      name,
      readyBytes: server.readyRss,
      peakBytes: server.lifetimePeakRss(),
      target,
      ...(limit && { limit }),
    };
    await server.stop();
    log(`  ${name}: ${mb(entry.readyBytes)} once ready, ${mb(entry.peakBytes)} at most on the way`);
    figures.push(entry);
    return entry;
  };
  const hub = (env: Record<string, string>, args: string[] = [], timeoutMs = START_TIMEOUT_MS) =>
    startChildServer({
      name: "hub",
      entry: HUB_ENTRY,
      compiled: true,
      args,
      env: { PORT: "0", LOG_LEVEL: "warn", ...env },
      readyLine: HUB_READY,
      timeoutMs,
    });

  await measure("baseline server (PostgreSQL)", "", () =>
    startChildServer({
      name: "baseline",
      entry: "test/bench/baseline-server.ts",
      env: { DATABASE_URL: databaseUrl, PORT: "0" },
      readyLine: BASELINE_READY,
      timeoutMs: START_TIMEOUT_MS,
    }),
  );
  if (!(await hasScoreModel(databaseUrl))) {
    await measure("hub on PostgreSQL (first start: fits, scores all)", "", () =>
      hub({ DATABASE_URL: databaseUrl }),
    );
  }
  await measure(
    "hub on PostgreSQL (restart)",
    `ready ≤ ${mb(READY_TARGET_BYTES)}`,
    () => hub({ DATABASE_URL: databaseUrl }),
    { on: "readyBytes", bytes: READY_TARGET_BYTES },
  );
  const dataDir = await mkdtemp(path.join(tmpdir(), "cxhub-memory-bench-"));
  try {
    const env = { CXHUB_DATA_DIR: dataDir };
    await measure(
      "hub, embedded: npm run demo (new folder)",
      `peak ≤ ${mb(DEMO_PEAK_TARGET_BYTES)}`,
      () => hub(env, ["--demo"], DEMO_TIMEOUT_MS),
      { on: "peakBytes", bytes: DEMO_PEAK_TARGET_BYTES },
    );
    await measure("hub, embedded (restart, demo loaded)", "", () => hub(env));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  return figures;
}

/** Whether a hub has fitted its score model on this database (the bench's load leaves none). */
async function hasScoreModel(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ fitted: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM "ScoreModel") AS fitted',
    );
    return rows[0]?.fitted === true;
  } finally {
    await client.end();
  }
}

export function formatMemoryReport(figures: MemoryFigures[]): string {
  const baseline = figures[0]?.readyBytes ?? Number.NaN;
  return [
    "Memory (RSS of the process, as npm start runs it; the baseline is a plain pg server with hand-written SQL):",
    "",
    table(
      ["Server", "RSS once ready", "÷ baseline", "peak until ready", "target"],
      figures.map((entry) => [
        entry.name,
        mb(entry.readyBytes),
        `${(entry.readyBytes / baseline).toFixed(1)}x`,
        mb(entry.peakBytes),
        entry.target,
      ]),
    ),
    "",
    "peak until ready is VmHWM when the server printed its URL: for npm run demo, the whole demo load",
    "(a new embedded database, its migrations, the demo customers, their scores).",
  ].join("\n");
}
