// The servers under test as child processes: started with `node --import tsx <entry>` in the project
// folder (the hub compiled, as `npm start` runs it, with `compiled`; the PostGraphile peer with its
// own Node from its own folder, with `foreign`), ready once they print their URL, watched for memory
// (VmRSS polled from /proc, VmHWM read at the end) and stopped with SIGTERM — also when the bench
// fails or is interrupted.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { NPM_START_ENTRY, NPM_START_NODE_FLAGS } from "../helpers/npm-start-command.ts";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

/** The hub as `npm start` runs it: the compiled entry (see `compiled`). */
export const HUB_ENTRY = NPM_START_ENTRY;

/** Builds dist/ when the sources are newer, as the tests' global setup does. */
export { default as ensureCompiled } from "../helpers/setup-compiled.ts";

const running = new Set<ChildServer>();
const OUTPUT_TAIL = 64 * 1024;

export interface ChildServer {
  name: string;
  url: string;
  pid: number;
  process: ChildProcess;
  /** What the child printed (the last 64 KB). */
  output(): string;
  /** The highest VmRSS seen since the last reset, in bytes (polled every 100 ms). */
  sampledPeakRss(): number;
  resetSampledPeak(): void;
  /** The kernel's peak resident set size of the process over its whole life (VmHWM), in bytes. */
  lifetimePeakRss(): number;
  /** VmRSS when the server printed its URL: start-up's footprint before any request. */
  readyRss: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  entry: string;
  /** Arguments after the entry (`--demo`). */
  args?: string[];
  env: Record<string, string>;
  /** Extra node flags (--cpu-prof) and modules to preload after tsx. */
  nodeFlags?: string[];
  preload?: string[];
  /**
   * The entry is compiled JavaScript in dist/, run with `npm start`'s node flags (the SDK's compiled
   * condition, the V8 settings); tsx is loaded only for preloads. Call ensureCompiled() first.
   */
  compiled?: boolean;
  /**
   * Another Node binary, and the folder to run in (the project's when absent), for plain JavaScript
   * without tsx: the PostGraphile peer of its own install, which needs a newer Node than the
   * product's, and the compiled hub on that same Node, for a comparison on one runtime.
   */
  foreign?: { node: string; cwd?: string };
  readyLine: RegExp;
  timeoutMs?: number;
}

export function startChildServer(options: StartOptions): Promise<ChildServer> {
  // Only what start-up needs: the bench's own environment (a DATABASE_URL, a PORT) must not leak in.
  const { PATH, HOME, TMPDIR } = process.env;
  const plainJavaScript = (options.compiled || options.foreign) && !options.preload?.length;
  const child = spawn(
    options.foreign?.node ?? process.execPath,
    [
      ...(options.nodeFlags ?? []),
      ...(plainJavaScript ? [] : ["--import", "tsx"]),
      ...(options.preload ?? []).flatMap((module) => ["--import", module]),
      ...(options.compiled ? NPM_START_NODE_FLAGS : []),
      options.entry,
      ...(options.args ?? []),
    ],
    {
      cwd: options.foreign?.cwd ?? projectRoot,
      env: { PATH, HOME, TMPDIR, ...options.env } as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  let peak = 0;
  let lastHwm = 0;
  const sampler = setInterval(() => {
    const status = readStatus(child.pid);
    if (status) {
      peak = Math.max(peak, status.rss);
      lastHwm = status.hwm;
    }
  }, 100);
  sampler.unref();

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `${options.name} did not print its URL within ${options.timeoutMs ?? 60_000} ms:\n${output}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    const server: ChildServer = {
      name: options.name,
      url: "",
      pid: child.pid ?? -1,
      process: child,
      readyRss: 0,
      output: () => output,
      sampledPeakRss: () => peak,
      resetSampledPeak: () => {
        peak = readStatus(child.pid)?.rss ?? 0;
      },
      lifetimePeakRss: () => readStatus(child.pid)?.hwm ?? lastHwm,
      stop: () => {
        clearInterval(sampler);
        running.delete(server);
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        return new Promise((done) => {
          const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
          child.once("exit", () => {
            clearTimeout(killer);
            done();
          });
          child.kill("SIGTERM");
        });
      },
    };
    const onData = (chunk: Buffer) => {
      // Keep the tail only: a server that logs on every request must not grow the bench's memory.
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL);
      const match = options.readyLine.exec(output);
      if (match?.[1] && !server.url) {
        clearTimeout(timer);
        server.url = match[1].replace("localhost", "127.0.0.1");
        server.readyRss = readStatus(child.pid)?.rss ?? 0;
        resolve(server);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) => {
      clearInterval(sampler);
      clearTimeout(timer);
      if (!server.url)
        reject(new Error(`${options.name} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
    running.add(server);
  });
}

/** Servers that exited while they should be serving: their names and how they ended. */
export function crashedServers(): string[] {
  return [...running]
    .filter((server) => server.process.exitCode !== null || server.process.signalCode !== null)
    .map((server) => `${server.name} (exit ${server.process.exitCode ?? server.process.signalCode})`);
}

export async function stopAllChildServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/** Stops the children synchronously when the bench process itself goes away. */
export function killChildServersOnExit(): void {
  process.once("exit", () => {
    for (const server of running) server.process.kill("SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the servers.`);
      void stopAllChildServers().finally(() => process.exit(130));
    });
  }
}

function readStatus(pid: number | undefined): { rss: number; hwm: number } | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return null; // the process is gone
  }
}
