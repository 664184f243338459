// `npm run apikey -- create | list | revoke`: the command is apikey-command.ts.
import { apikeyCommand } from "./apikey-command.ts";
import { runCli } from "./run-cli.ts";

runCli(apikeyCommand);
