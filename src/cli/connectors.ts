// `npm run connectors -- <command>`: the commands are in connectors-command.ts (usage there).
import { connectorsCommand } from "./connectors-command.ts";
import { runCli } from "./run-cli.ts";

runCli(connectorsCommand);
