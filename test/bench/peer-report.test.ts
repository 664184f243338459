// The peer table: besides throughput, what a request costs each server and its SQL, since on a shared
// machine req/s moves with the load and CPU per request much less.
import { describe, expect, it } from "vitest";
import { formatPeerReport, type PeerScenarioFigures } from "./peer-report.ts";

const server = (requestsPerSecond: number, cpuMsPerRequest: number, databaseCpuMsPerRequest: number) => ({
  requests: requestsPerSecond * 8,
  requestsPerSecond,
  p50Ms: 10,
  p99Ms: 40,
  non2xx: 0,
  transportErrors: 0,
  graphqlErrors: 0,
  firstBadBody: null,
  peakRssBytes: 100 * 1024 * 1024,
  cpuMsPerRequest,
  databaseCpuMsPerRequest,
});

const facts = {
  settings: { connections: 10, durationSeconds: 8, warmupSeconds: 2, serverWarmupSeconds: 2, rounds: 1 },
  readyRss: { hub: 0, postgraphile: 0, baseline: 0 },
  load: { before: 1, after: 1 },
};

/** The cells of the table's row whose first cell (after the scenario's name, if any) is `label`. */
const cells = (report: string, label: string) =>
  report
    .split("\n")
    .map((row) => row.trim().split(/\s{2,}/))
    .map((row) => (row[0] === "List" ? row.slice(1) : row))
    .find((row) => row[0] === label);

/** The list scenario's figures: the hub at 300 req/s, PostGraphile at 250, the baseline at 400. */
const list = (more: Partial<PeerScenarioFigures> = {}): PeerScenarioFigures => ({
  name: "List",
  hub: server(300, 3, 1.5),
  postgraphile: server(250, 2, 2.5),
  baseline: server(400, 1, 1),
  ...more,
});

describe("formatPeerReport", () => {
  it("prints each server's CPU and its SQL's CPU per request, and the hub's ratios of them", () => {
    const report = formatPeerReport([list()], facts);
    expect(report).toContain("CPU ms/req");
    expect(report).toContain("SQL CPU ms/req");
    expect(cells(report, "PostGraphile")).toEqual([
      "PostGraphile",
      "250.0",
      "10",
      "40",
      "0",
      "2.00",
      "2.50",
      "100 MB",
    ]);
    expect(cells(report, "hub/PostGraphile")).toEqual([
      "hub/PostGraphile",
      "1.20x",
      "1.0x",
      "1.0x",
      "1.50x",
      "0.60x",
      "1.0x",
    ]);
  });

  it("prints the hub on PostGraphile's Node beside the hub on this machine's, with its own ratio", () => {
    const report = formatPeerReport(
      [list({ hubOnPeerNode: { node: "v24.1.0", ...server(350, 2.5, 1.5) } })],
      facts,
    );
    expect(cells(report, "hub on v24.1.0")).toEqual([
      "hub on v24.1.0",
      "350.0",
      "10",
      "40",
      "0",
      "2.50",
      "1.50",
      "100 MB",
    ]);
    expect(cells(report, "hub on v24.1.0/PostGraphile")?.slice(0, 2)).toEqual([
      "hub on v24.1.0/PostGraphile",
      "1.40x",
    ]);
    // The first ratio stays the hub's on this machine's Node.
    expect(cells(report, "hub/PostGraphile")?.slice(0, 2)).toEqual(["hub/PostGraphile", "1.20x"]);
  });
});
