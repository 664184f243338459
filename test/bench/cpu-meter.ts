// CPU time a bench run used: this process (the hub, its job workers) plus the PostgreSQL backends
// connected to the bench's database. The machine's 2 cores are shared with other work, so wall-clock
// figures move with its load; CPU time per customer moves much less, and says whether the cost grows
// linearly. Backends are read from /proc, so only a PostgreSQL on this host is measured (else null).
import { readFileSync } from "node:fs";
import type pg from "pg";

/** Kernel clock ticks per second (USER_HZ): 100 on Linux for every architecture Node runs on. */
const TICKS_PER_SECOND = 100;
const POLL_MS = 500;

export interface CpuUsed {
  /** CPU milliseconds of this process (user + system). */
  processMs: number;
  /** CPU milliseconds of the database's backends; null when they cannot be read (a remote server). */
  databaseMs: number | null;
}

export interface CpuMeter {
  stop(): Promise<CpuUsed>;
}

/**
 * Starts measuring. Backends are listed every half second; one that began during the run counts from
 * zero, so connections opened by the run are measured whole, and one that ended between two polls
 * keeps its last reading (it can miss at most its last half second).
 */
export async function startCpuMeter(sql: pg.Client, database: string): Promise<CpuMeter> {
  const processStart = process.cpuUsage();
  const backendsNow = async () => {
    const { rows } = await sql.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [
      database,
    ]);
    const ticks = new Map<number, number>();
    for (const { pid } of rows) {
      const used = backendTicks(pid);
      if (used !== null) ticks.set(pid, used);
    }
    return ticks;
  };
  const atStart = await backendsNow();
  const readable = atStart.size > 0;
  const latest = new Map(atStart);
  let polling = Promise.resolve();
  const poll = () => {
    polling = backendsNow().then((ticks) => {
      for (const [pid, used] of ticks) latest.set(pid, used);
    });
  };
  const timer = setInterval(poll, POLL_MS);
  return {
    async stop() {
      clearInterval(timer);
      await polling;
      poll();
      await polling;
      const used = process.cpuUsage(processStart);
      let ticks = 0;
      for (const [pid, now] of latest) ticks += now - (atStart.get(pid) ?? 0);
      return {
        processMs: (used.user + used.system) / 1000,
        databaseMs: readable ? (ticks * 1000) / TICKS_PER_SECOND : null,
      };
    },
  };
}

/** CPU milliseconds a process on this host has used (user + system); null when it is gone. */
export function processCpuMs(pid: number): number | null {
  const ticks = backendTicks(pid);
  return ticks === null ? null : (ticks * 1000) / TICKS_PER_SECOND;
}

/** utime + stime of a process, in ticks; null when it is gone or not on this host. */
function backendTicks(pid: number): number | null {
  try {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}
