// Runs the real start-up in a child process: compiled (dist/src/main.js, as `npm start` does; the
// test setup rebuilds it when the sources are newer), or from the sources (src/main.ts through tsx, as
// `npm run dev` does; slower to start, as tsx compiles every module first).
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { NPM_START_ENTRY, NPM_START_NODE_FLAGS } from "./npm-start-command.ts";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface RunningHub {
  process: ChildProcess;
  /** The GraphQL endpoint, as printed by the server. */
  graphqlUrl: string;
  output(): string;
  stop(): Promise<number | null>;
}

export type HubEntry = "sources" | "compiled";

const ENTRY_ARGS: Record<HubEntry, string[]> = {
  sources: ["--import", "tsx", "src/main.ts"],
  compiled: [...NPM_START_NODE_FLAGS, NPM_START_ENTRY],
};

function spawnHub(env: Record<string, string>, args: string[], entry: HubEntry = "sources"): ChildProcess {
  // Only what start-up needs from the parent: a test's own DATABASE_URL or PORT must not leak in. A suite
  // run under libfaketime (`faketime -f '+13h' npm test`, to check no test depends on the time of day)
  // passes its shift on, so that the hub and the test agree on what time it is (for a relative shift
  // like that one; an absolute `@…` time starts each process's clock anew).
  const { PATH, HOME, TMPDIR } = process.env;
  const shiftedClock = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name === "LD_PRELOAD" || name.startsWith("FAKETIME")),
  );
  return spawn(process.execPath, [...ENTRY_ARGS[entry], ...args], {
    cwd: projectRoot,
    env: { PATH, HOME, TMPDIR, ...shiftedClock, NODE_ENV: "test", ...env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Starts the hub and resolves once it prints its URL; rejects with its output if it exits first. */
export function startHub(
  env: Record<string, string>,
  args: string[] = [],
  entry: HubEntry = "compiled",
): Promise<RunningHub> {
  const child = spawnHub({ PORT: "0", ...env }, args, entry);
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /GraphiQL at (http:\/\/\S+\/graphql)/.exec(output);
      if (match?.[1]) {
        resolve({
          process: child,
          graphqlUrl: match[1],
          output: () => output,
          stop: () => stopChild(child),
        });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`The hub exited (${code}) before it was ready:\n${output}`)),
    );
  });
}

/** Runs the hub expecting it to stop on its own (a start-up failure); gives its exit code and output. */
export function runHubToExit(
  env: Record<string, string>,
  args: string[] = [],
  entry: HubEntry = "compiled",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnHub(env, args, entry);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}
