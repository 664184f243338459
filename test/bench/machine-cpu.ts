// Where a bench round's CPU went on the whole machine: the busy share of every core from /proc/stat,
// beside the CPU of the processes the round measures. A round whose machine was busy on every core
// is bound by the machine, not by the server under test (the alerts section's 10,000-subscriber
// round on two cores: the hub, PostgreSQL and the subscriber clients together), and its latency says
// so rather than measure the server.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Ticks of all cores since boot: busy (user, nice, system, irq, softirq, steal) and in total. */
export interface MachineTicks {
  busy: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat as busy and total ticks; throws on any other text. */
export function parseProcStatCpu(procStat: string): MachineTicks {
  const line = procStat.split("\n").find((l) => l.startsWith("cpu "));
  const fields = line?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  if (fields.length < 8 || fields.some((n) => !Number.isFinite(n)))
    throw new Error(`/proc/stat has no aggregate cpu line with eight counters: ${line ?? "(none)"}`);
  // user nice system idle iowait irq softirq steal [guest guest_nice, already inside user and nice]
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export const machineTicks = (): MachineTicks => parseProcStatCpu(readFileSync("/proc/stat", "utf8"));

/** How many of the machine's cores were busy, on average, between two readings. */
export function busyCores(from: MachineTicks, to: MachineTicks, cores = availableParallelism()): number {
  const total = to.total - from.total;
  return total > 0 ? ((to.busy - from.busy) / total) * cores : 0;
}
