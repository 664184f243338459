// What `npm start` runs, read from package.json's start script: node's flags and the compiled entry.
// The start-up tests and the bench start the hub with exactly these, so that a flag production runs
// with (a V8 setting, the compiled condition) is the one they measure.
import { readFileSync } from "node:fs";

const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  scripts: { start: string };
};

const [command, ...args] = packageJson.scripts.start.trim().split(/\s+/);
const entry = args.pop();
if (command !== "node" || !entry?.endsWith(".js") || args.some((arg) => !arg.startsWith("--"))) {
  throw new Error(
    `package.json's start script is not "node <flags> <entry.js>": ${packageJson.scripts.start}`,
  );
}

/** The flags before the entry (--conditions=cx-hub-compiled and any V8 setting). */
export const NPM_START_NODE_FLAGS: readonly string[] = args;
/** The compiled entry, relative to the project folder. */
export const NPM_START_ENTRY: string = entry;
