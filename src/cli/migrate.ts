// `npm run migrate -- deploy | status | create <name>`: the command is migrate-command.ts.
import { migrateCommand } from "./migrate-command.ts";
import { runCli } from "./run-cli.ts";

runCli(migrateCommand);
