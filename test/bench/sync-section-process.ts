// The sync section's own process (see runSyncBenchAsStarted in sync-bench.ts): started with the V8
// flags `npm start` gives the hub, it runs the section, prints its log lines on stdout and writes its
// figures as JSON to the file named by its last argument.
import { writeFile } from "node:fs/promises";
import { runSyncBench } from "./sync-bench.ts";

const [adminUrl, rounds, figuresFile] = process.argv.slice(2);
if (!adminUrl || !rounds || !figuresFile) {
  throw new Error("usage: sync-section-process.ts <admin url> <rounds> <figures file>");
}
const figures = await runSyncBench(adminUrl, Number(rounds), (line) => console.log(line));
await writeFile(figuresFile, JSON.stringify(figures));
