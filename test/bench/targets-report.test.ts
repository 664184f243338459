// The targets' table: each target's verdict from the figures, and a section that did not run named
// as such rather than counted as met or missed.
import { describe, expect, it } from "vitest";
import type { AlertsRoundFigures } from "./alerts-bench.ts";
import type { ServerFigures } from "./print-report.ts";
import type { SyncFigures } from "./sync-bench.ts";
import { formatTargetsReport } from "./targets-report.ts";

const server = (requestsPerSecond: number, p99Ms: number): ServerFigures => ({
  requests: requestsPerSecond * 10,
  requestsPerSecond,
  p50Ms: p99Ms / 2,
  p99Ms,
  non2xx: 0,
  transportErrors: 0,
  graphqlErrors: 0,
  firstBadBody: null,
  peakRssBytes: 0,
  cpuMsPerRequest: 1,
});

const phase = (seconds: number) => ({
  records: 1000,
  seconds,
  peakRssBytes: 0,
  cpu: { thisProcessMs: 0, databaseMs: 0 },
  fakeApiCpuMs: null,
});

const line = (report: string, start: string) => report.split("\n").find((row) => row.startsWith(start));

describe("formatTargetsReport", () => {
  it("holds each API scenario to both its throughput and its p99 ratio", () => {
    const report = formatTargetsReport({
      api: [
        { name: "fast", hub: server(60, 20), baseline: server(100, 15), statements: null },
        { name: "slow", hub: server(40, 20), baseline: server(100, 15), statements: null },
        { name: "spiky", hub: server(60, 40), baseline: server(100, 15), statements: null },
      ],
    });
    expect(line(report, "API: fast")).toMatch(/0\.60× req\/s, p99 1\.3×\s+met$/);
    expect(line(report, "API: slow")).toMatch(/0\.40× req\/s, p99 1\.3×\s+NOT MET$/);
    expect(line(report, "API: spiky")).toMatch(/0\.60× req\/s, p99 2\.7×\s+NOT MET$/);
    expect(report).toContain("1 of 3 measured targets met.");
    const failing = { ...server(60, 20), graphqlErrors: 3 };
    const failed = formatTargetsReport({
      api: [{ name: "erring", hub: failing, baseline: server(100, 15), statements: null }],
    });
    expect(line(failed, "API: erring")).toMatch(/0\.60× req\/s, p99 1\.3×, 3 failed requests\s+NOT MET$/);
  });

  it("names the sections that did not run, and counts only what ran", () => {
    const sync = {
      orders: 1000,
      customers: 100,
      rounds: { baselineSeconds: [10], syncSeconds: [29] },
      baseline: phase(10),
      sync: {
        ...phase(29),
        readSeconds: 0,
        writeSeconds: 0,
        markDueSeconds: 0,
        commits: 2,
        rescoreSeconds: 0,
        rescoredCustomers: 0,
        drains: 1,
      },
      oneByOne: phase(1),
      startRssBytes: 0,
    } as unknown as SyncFigures;
    const report = formatTargetsReport({ sync });
    expect(line(report, "Sync within 3×")).toMatch(/2\.90× \(29\.0 s against 10\.0 s\)\s+met$/);
    expect(report).toMatch(/API at ≥ 0\.5× .*not run \(--only api\)\s+—/);
    expect(report).toMatch(/not run \(--only alerts, with 10000 subscribers\)/);
    expect(report).toContain("1 of 1 measured targets met.");
  });

  it("does not count an alerts round the hub could not drive at the aimed rate, or that lost alerts", () => {
    const round = (p99: number, driven: number, deliveries = 1000, writer: number | null = null) =>
      ({
        p99,
        driven: { achievedPerSecond: driven, waitsForSlot: 0 },
        deliveries,
        expected: 1000,
        errors: 0,
        recordingCpuPerAlert: { database: 3, writer },
      }) as unknown as AlertsRoundFigures["hub"];
    const report = (hub: AlertsRoundFigures["hub"]) =>
      formatTargetsReport({
        alerts: [{ subscribers: 10_000, hub, bare: round(20, 100) } as AlertsRoundFigures],
      });
    expect(line(report(round(30, 99.1)), "Live alerts")).toMatch(
      /p99 30 against 20 ms \(1\.5×\); driven at 99\.1\/s\s+met$/,
    );
    expect(line(report(round(30, 45)), "Live alerts")).toMatch(/driven at 45\.0\/s\s+NOT MET$/);
    expect(line(report(round(30, 99.1, 990)), "Live alerts")).toMatch(
      /990 of 1000 delivered, 0 errors\s+NOT MET$/,
    );
    // BENCH_ALERTS_SEPARATE_WRITER: another deployment than the target's, and the line says so.
    expect(line(report(round(30, 99.1, 1000, 5.3)), "Live alerts")).toMatch(
      /driven at 99\.1\/s; recorded by a second instance\s+met$/,
    );
  });

  it("holds the memory starts that have a limit to it, and leaves the others out", () => {
    const report = formatTargetsReport({
      memory: [
        { name: "baseline", readyBytes: 90 << 20, peakBytes: 100 << 20, target: "" },
        {
          name: "hub (restart)",
          readyBytes: 149 << 20,
          peakBytes: 300 << 20,
          target: "ready ≤ 150 MB",
          limit: { on: "readyBytes", bytes: 150 << 20 },
        },
        {
          name: "demo",
          readyBytes: 200 << 20,
          peakBytes: 401 << 20,
          target: "peak ≤ 400 MB",
          limit: { on: "peakBytes", bytes: 400 << 20 },
        },
      ],
    });
    expect(report).not.toContain("Memory: baseline");
    expect(line(report, "Memory: hub (restart)")).toMatch(/149 MB once ready\s+met$/);
    expect(line(report, "Memory: demo")).toMatch(/401 MB at its peak\s+NOT MET$/);
  });

  it("judges the peer on this machine's Node and, when PostGraphile runs on another, on that one too", () => {
    const peer = (hub: number, hubOnPeerNode?: number) => ({
      name: "List",
      hub: { ...server(hub, 10), databaseCpuMsPerRequest: 1 },
      postgraphile: { ...server(100, 10), databaseCpuMsPerRequest: 1 },
      baseline: { ...server(200, 10), databaseCpuMsPerRequest: 1 },
      ...(hubOnPeerNode && {
        hubOnPeerNode: { node: "v24.1.0", ...server(hubOnPeerNode, 10), databaseCpuMsPerRequest: 1 },
      }),
    });
    const both = formatTargetsReport({ peer: [peer(90, 110)] });
    expect(line(both, "Peer: List")).toMatch(/0\.90× PostGraphile's req\/s\s+NOT MET$/);
    expect(line(both, "Peer, both on v24.1.0: List")).toMatch(/1\.10× PostGraphile's req\/s\s+met$/);
    const oneNode = formatTargetsReport({ peer: [peer(120)] });
    expect(line(oneNode, "Peer: List")).toMatch(/1\.20× PostGraphile's req\/s\s+met$/);
    expect(oneNode).not.toContain("Peer, both on");
  });
});
