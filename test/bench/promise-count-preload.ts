// Preloaded into a hub by promises-per-request.ts: counts the promises the process creates (an
// async_hooks init hook) between two SIGUSR2 signals, with where each was created (the first frames of
// its stack), and writes the count and the sites to PROMISE_COUNT_FILE on the second signal. The hook
// makes every promise dearer: the counts are the figure here, never this process's speed.
import { createHook } from "node:async_hooks";
import { writeFileSync } from "node:fs";

const output = process.env.PROMISE_COUNT_FILE;
if (!output) throw new Error("PROMISE_COUNT_FILE names the file the counts are written to.");

const FRAMES = 4;
let counting = false;
let count = 0;
const sites = new Map<string, number>();

createHook({
  init(_id, type) {
    if (!counting || type !== "PROMISE") return;
    count++;
    const frames = (new Error().stack ?? "").split("\n").slice(1);
    // The hook's own frames and Node's async_hooks plumbing say nothing about who made the promise.
    const site = frames
      .map((frame) => frame.trim())
      .filter((frame) => !frame.includes("async_hooks") && !frame.includes("promise-count-preload"))
      .slice(0, FRAMES)
      .join(" < ");
    sites.set(site, (sites.get(site) ?? 0) + 1);
  },
}).enable();

process.on("SIGUSR2", () => {
  if (!counting) {
    count = 0;
    sites.clear();
    counting = true;
    return;
  }
  counting = false;
  writeFileSync(output, JSON.stringify({ count, sites: [...sites].sort((a, b) => b[1] - a[1]) }));
});
