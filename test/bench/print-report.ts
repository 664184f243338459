// The bench's final table: per scenario, each server's throughput, latency, failures, peak memory and
// CPU per request, and the hub/baseline ratios; then each server's lifetime peak RSS and, when
// measured, the SQL statements one request costs on each side.
import type { LoadResult } from "./load-driver.ts";

export interface ScenarioFigures {
  name: string;
  hub: ServerFigures;
  baseline: ServerFigures;
  /** SQL statements per request, from the diagnostic pass; null when it did not run. */
  statements: { hub: number; baseline: number } | null;
}

/** One server's run: the load's figures, its peak memory, and its own CPU milliseconds per request. */
export type ServerFigures = LoadResult & { peakRssBytes: number; cpuMsPerRequest: number };

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join("  ");
  return [line(headers), widths.map((width) => "─".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

/** The first columns of every load table: what was asked, of whom, and how fast it answered. */
export const LOAD_COLUMNS = ["Scenario", "Server", "req/s", "p50 ms", "p99 ms"];

/** How a section measured, as its table's heading says it. */
export interface MeasurementSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  serverWarmupSeconds: number;
}

/** "10 connections, 8 s measured after …": the heading's account of how each figure was taken. */
export const describeMeasurement = (settings: MeasurementSettings) =>
  `${settings.connections} connections, ${settings.durationSeconds} s measured after a ${settings.warmupSeconds} s warm-up per server and scenario, each server first warmed up ${settings.serverWarmupSeconds} s on every scenario`;

export function formatReport(
  scenarios: ScenarioFigures[],
  memory: { hub: { ready: number; lifetimePeak: number }; baseline: { ready: number; lifetimePeak: number } },
  settings: MeasurementSettings,
): string {
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    for (const [server, result] of [
      ["hub", scenario.hub],
      ["baseline", scenario.baseline],
    ] as const) {
      rows.push([
        server === "hub" ? scenario.name : "",
        server,
        fixed(result.requestsPerSecond, 1),
        fixed(result.p50Ms),
        fixed(result.p99Ms),
        String(result.non2xx),
        String(result.transportErrors + result.graphqlErrors),
        mb(result.peakRssBytes),
        fixed(result.cpuMsPerRequest, 2),
        scenario.statements ? fixed(scenario.statements[server], 1) : "-",
      ]);
    }
    const throughput = scenario.hub.requestsPerSecond / scenario.baseline.requestsPerSecond;
    const p99 = scenario.hub.p99Ms / scenario.baseline.p99Ms;
    const p50 = scenario.hub.p50Ms / scenario.baseline.p50Ms;
    rows.push([
      "",
      "hub/baseline",
      `${fixed(throughput, 2)}x`,
      `${fixed(p50, 1)}x`,
      `${fixed(p99, 1)}x`,
      "",
      "",
      `${fixed(scenario.hub.peakRssBytes / scenario.baseline.peakRssBytes, 1)}x`,
      `${fixed(scenario.hub.cpuMsPerRequest / scenario.baseline.cpuMsPerRequest, 1)}x`,
      scenario.statements ? `${fixed(scenario.statements.hub / scenario.statements.baseline, 1)}x` : "-",
    ]);
  }
  return [
    `Results (${describeMeasurement(settings)}):`,
    "",
    table([...LOAD_COLUMNS, "non-2xx", "errors", "peak RSS", "CPU ms/req", "SQL/req"], rows),
    "",
    `RSS once ready (before any request): hub ${mb(memory.hub.ready)}, baseline ${mb(memory.baseline.ready)}. Lifetime peak RSS (VmHWM): hub ${mb(memory.hub.lifetimePeak)}, baseline ${mb(memory.baseline.lifetimePeak)}.`,
    "peak RSS per scenario is the highest VmRSS polled every 100 ms during its measured run; CPU ms/req is the",
    "server process's own user + system CPU over its measured run (from /proc, not PostgreSQL's) per request;",
    "SQL/req comes from a separate diagnostic pass (20 sequential requests per scenario, statements counted in pg).",
  ].join("\n");
}

/**
 * The same scenarios on the 1x and the scaled database side by side: a page's cost must not grow with
 * the number of customers (issue 15). Per scenario and server, throughput and CPU per request at 1x and
 * at scale, and scale/1x; then the hub/baseline throughput ratio at scale.
 */
export function formatScaleReport(
  scale: number,
  runs: {
    one: { customers: number; figures: ScenarioFigures[] };
    scaled: { customers: number; figures: ScenarioFigures[] };
  },
): string {
  const rows: string[][] = [];
  for (const one of runs.one.figures) {
    const scaled = runs.scaled.figures.find((figures) => figures.name === one.name);
    if (!scaled) continue;
    for (const server of ["hub", "baseline"] as const) {
      const [before, after] = [one[server], scaled[server]];
      rows.push([
        server === "hub" ? one.name : "",
        server,
        fixed(before.requestsPerSecond, 1),
        fixed(after.requestsPerSecond, 1),
        `${fixed(after.requestsPerSecond / before.requestsPerSecond, 2)}x`,
        fixed(before.cpuMsPerRequest, 2),
        fixed(after.cpuMsPerRequest, 2),
        `${fixed(after.cpuMsPerRequest / before.cpuMsPerRequest, 2)}x`,
        fixed(after.p99Ms),
      ]);
    }
    rows.push([
      "",
      `hub/baseline at ${scale}x`,
      "",
      `${fixed(scaled.hub.requestsPerSecond / scaled.baseline.requestsPerSecond, 2)}x`,
      "",
      "",
      "",
      "",
      `${fixed(scaled.hub.p99Ms / scaled.baseline.p99Ms, 1)}x`,
    ]);
  }
  return [
    `At ${scale}x the customers (${runs.scaled.customers.toLocaleString("en-US")} against ${runs.one.customers.toLocaleString("en-US")}), the same scenarios; ${scale}x/1x near 1 means a page's cost does not grow with the customers:`,
    "",
    table(
      [
        "Scenario",
        "Server",
        "req/s 1x",
        `req/s ${scale}x`,
        `${scale}x/1x`,
        "CPU ms 1x",
        `CPU ms ${scale}x`,
        `${scale}x/1x`,
        `p99 ms ${scale}x`,
      ],
      rows,
    ),
  ].join("\n");
}
