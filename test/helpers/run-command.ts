// Runs a command-line command (src/cli) in this process, as its entry point would with `env` as the
// environment: its exit code and everything it printed, output and failures in order.
import type { Command } from "../../src/cli/run-cli.ts";
import { runCommand } from "../../src/cli/run-cli.ts";
import { loadConfig } from "../../src/config.ts";

/** When the commands run in tests: no output may depend on the day the suite runs. */
export const COMMAND_TIME = new Date("2026-06-15T12:00:00.000Z");

export async function runCommandWith(
  command: Command,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await runCommand(command, args, {
    config: () => loadConfig(env),
    print: (text) => void lines.push(text),
    printError: (text) => void lines.push(text),
    readStdin: async () => "",
    env,
    clock: () => COMMAND_TIME,
  });
  return { code, output: lines.map((line) => `${line}\n`).join("") };
}
