// The last step of `npm run build`: initialises an empty embedded database once and keeps its data
// folder in dist/, so that a new data folder (the first `npm start`, `npm run demo`) is unpacked from
// it instead of running initdb at start (src/db/pglite-template.ts says why).
import { PGLITE_TEMPLATE_PATH, writePGliteTemplate } from "../db/pglite-template.ts";
import { runCli } from "./run-cli.ts";

runCli(async () => {
  await writePGliteTemplate();
  console.log(`Wrote ${PGLITE_TEMPLATE_PATH}.`);
  return 0;
});
