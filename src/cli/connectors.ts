// `npm run connectors -- <command>`: the commands are in connectors-cli.ts (usage there).
import { connectorsCommand } from "./connectors-cli.ts";
import { runCli } from "./run-cli.ts";

runCli(connectorsCommand);
