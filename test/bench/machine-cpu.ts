// Where a bench round's CPU went on the whole machine: the busy share of every core from /proc/stat,
// beside the CPU of the processes the round measures. A round whose machine was busy on every core
// is bound by the machine, not by the server under test (the alerts section's 10,000-subscriber
// round on two cores: the hub, PostgreSQL and the subscriber clients together), and its latency says
// so rather than measure the server.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { setTimeout } from "node:timers/promises";

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

export interface QuietWait {
  /** Seconds waited before the machine was quiet, or before giving up. */
  waitedSeconds: number;
  /** Busy cores over the last window read. */
  busyCores: number;
  /** False when the wait gave up with the machine still busy. */
  quiet: boolean;
}

export interface QuietWaitOptions {
  /** The busiest the machine may be, in cores, over a window. */
  maxBusyCores?: number;
  /** The window each reading covers. */
  windowMs?: number;
  /** How many windows in a row must be quiet. */
  windows?: number;
  /** The longest wait. */
  timeoutMs?: number;
  /** Readings and pauses: the machine's by default (tests give their own). */
  read?: () => MachineTicks;
  sleep?: (ms: number) => Promise<void>;
  cores?: number;
}

/**
 * Waits until the machine's cores are nearly idle for a few windows in a row, or gives up after
 * `timeoutMs`. A section measured right after another one's heavy work (the 10x database's build and
 * its checkpoint, a server still stopping) shared the cores with it: the peer section's first server
 * measured spent 5.6 ms of CPU per list request against 3.5 ms on a quiet machine, and the verdict on
 * that page moved with whichever server came first. Waiting for the machine is fairer to every server
 * than measuring through the tail of the section before.
 */
export async function waitForQuietMachine({
  maxBusyCores = 0.3,
  windowMs = 1000,
  windows = 3,
  timeoutMs = 120_000,
  read = machineTicks,
  sleep = (ms) => setTimeout(ms),
  cores = availableParallelism(),
}: QuietWaitOptions = {}): Promise<QuietWait> {
  let waitedMs = 0;
  let quietInARow = 0;
  let busy = 0;
  let from = read();
  while (quietInARow < windows) {
    if (waitedMs >= timeoutMs) return { waitedSeconds: waitedMs / 1000, busyCores: busy, quiet: false };
    await sleep(windowMs);
    waitedMs += windowMs;
    const to = read();
    busy = busyCores(from, to, cores);
    from = to;
    quietInARow = busy <= maxBusyCores ? quietInARow + 1 : 0;
  }
  return { waitedSeconds: waitedMs / 1000, busyCores: busy, quiet: true };
}
