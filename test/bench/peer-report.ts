// The PostGraphile comparison's table: per scenario, the hub's, PostGraphile's and the hand-written
// baseline's throughput, latency, failures, CPU per request (the server's own, and its SQL's in the
// PostgreSQL backends: on a shared machine these say what a request costs when req/s moves with the
// load) and peak memory, then hub/PostGraphile (the issue's goal: ≥ 1× throughput) and hub/baseline
// ratios, all measured in one run; the machine's load beside them.
import { failedRequests, type LoadResult } from "./load-driver.ts";
import {
  describeMeasurement,
  fixed,
  LOAD_COLUMNS,
  type MeasurementSettings,
  mb,
  table,
} from "./print-report.ts";

type Measured = LoadResult & {
  peakRssBytes: number;
  /** The server process's CPU (all its threads) per request. */
  cpuMsPerRequest: number;
  /** The database's PostgreSQL backends' CPU per request while this server was measured. */
  databaseCpuMsPerRequest: number;
};

export interface PeerScenarioFigures {
  name: string;
  /** The hub on this machine's Node, as `npm start` runs it here. */
  hub: Measured;
  postgraphile: Measured;
  baseline: Measured;
  /**
   * The same compiled hub on PostGraphile's Node (`node`: its version), when the bench's Node is too
   * old for PostGraphile (v5 needs 22 or newer): the comparison on one runtime.
   */
  hubOnPeerNode?: Measured & { node: string };
}

export interface PeerRunFacts {
  settings: MeasurementSettings & { rounds: number };
  /** RSS once each server was ready, before any request. */
  readyRss: { hub: number; postgraphile: number; baseline: number };
  /** One-minute load average when the section started and when it ended. */
  load: { before: number; after: number };
}

const SERVERS = ["hub", "postgraphile", "baseline"] as const;
const LABELS = { hub: "hub", postgraphile: "PostGraphile", baseline: "baseline" } as const;

function ratioRow(label: string, hub: Measured, other: Measured): string[] {
  return [
    "",
    label,
    `${fixed(hub.requestsPerSecond / other.requestsPerSecond, 2)}x`,
    `${fixed(hub.p50Ms / other.p50Ms, 1)}x`,
    `${fixed(hub.p99Ms / other.p99Ms, 1)}x`,
    "",
    `${fixed(hub.cpuMsPerRequest / other.cpuMsPerRequest, 2)}x`,
    `${fixed(hub.databaseCpuMsPerRequest / other.databaseCpuMsPerRequest, 2)}x`,
    `${fixed(hub.peakRssBytes / other.peakRssBytes, 1)}x`,
  ];
}

function serverRow(scenario: string, label: string, result: Measured): string[] {
  return [
    scenario,
    label,
    fixed(result.requestsPerSecond, 1),
    fixed(result.p50Ms),
    fixed(result.p99Ms),
    String(failedRequests(result)),
    fixed(result.cpuMsPerRequest, 2),
    fixed(result.databaseCpuMsPerRequest, 2),
    mb(result.peakRssBytes),
  ];
}

export function formatPeerReport(scenarios: PeerScenarioFigures[], facts: PeerRunFacts): string {
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    for (const server of SERVERS) {
      rows.push(serverRow(server === "hub" ? scenario.name : "", LABELS[server], scenario[server]));
    }
    const onPeerNode = scenario.hubOnPeerNode;
    if (onPeerNode) rows.push(serverRow("", `hub on ${onPeerNode.node}`, onPeerNode));
    rows.push(ratioRow("hub/PostGraphile", scenario.hub, scenario.postgraphile));
    if (onPeerNode)
      rows.push(ratioRow(`hub on ${onPeerNode.node}/PostGraphile`, onPeerNode, scenario.postgraphile));
    rows.push(ratioRow("hub/baseline", scenario.hub, scenario.baseline));
  }
  const { settings, readyRss, load } = facts;
  return [
    `PostGraphile peer (${describeMeasurement(settings)}${settings.rounds > 1 ? `, median of ${settings.rounds} rounds taken in turn` : ""}; load average ${load.before.toFixed(1)} before, ${load.after.toFixed(1)} after):`,
    "",
    table([...LOAD_COLUMNS, "failed", "CPU ms/req", "SQL CPU ms/req", "peak RSS"], rows),
    "CPU ms/req: the server process's own (every thread); SQL CPU ms/req: the database's PostgreSQL backends' while it was measured.",
    "",
    `RSS once ready (before any request): hub ${mb(readyRss.hub)}, PostGraphile ${mb(readyRss.postgraphile)}, baseline ${mb(readyRss.baseline)}.`,
    "The goal (issue 15): hub/PostGraphile req/s at 1x or more on both pages. PostGraphile v5 needs Node 22 or",
    "newer: on an older Node the hub is measured on this machine's Node and on PostGraphile's (`hub on vNN`).",
    "PostGraphile answers each page in its own query shape (test/bench/peer-queries.ts), checked equal to the",
    "hub's after mapping.",
  ].join("\n");
}
