// How the CLI takes a connector's configuration without echoing secrets: public fields on the command
// line (--config), secrets on standard input (--config-stdin, a JSON object) or from environment
// variables (--secret-env apiToken=TINYDESK_TOKEN). npm prints the command it runs, and shells keep
// their history, so a secret on the command line is refused rather than stored.
import type { AnyConnector } from "../../sdk/define-connector.ts";
import { getPath, isPlainObject, REDACTED, secretPaths, setPath } from "../../sdk/secrets.ts";
import { parseJsonInput } from "../json-input.ts";
import { type CommandContext, UsageError } from "../run-cli.ts";

type Plain = Record<string, unknown>;

/** The options every command that takes a configuration accepts, for parseArgs. */
export const CONFIG_OPTIONS = {
  config: { type: "string" },
  "config-stdin": { type: "boolean", default: false },
  "secret-env": { type: "string", multiple: true },
} as const;

export interface ConfigFlags {
  config?: string;
  "config-stdin"?: boolean;
  "secret-env"?: string[];
}

/** The configuration the flags give: --config, then standard input over it, then the environment. */
export async function readConfigFlags(
  plugin: AnyConnector,
  flags: ConfigFlags,
  io: CommandContext,
): Promise<Plain> {
  const config: Plain = flags.config === undefined ? {} : parseObject(flags.config, "--config");
  const onCommandLine = secretPaths(plugin.config)
    .filter((path) => {
      const { value } = getPath(config, path);
      return value !== undefined && value !== null && value !== REDACTED;
    })
    .map((path) => path.join("."));
  if (onCommandLine.length > 0) {
    throw new UsageError(
      `--config holds the secret field ${onCommandLine.join(", ")}: npm echoes command lines and shells keep them in their history, so secrets are not taken there. Pipe them as JSON on standard input with --config-stdin (printf '%s' "{\\"${onCommandLine[0]}\\": \\"$TOKEN\\"}" | npm run connectors -- … --config-stdin), or name an environment variable: --secret-env ${onCommandLine[0]}=MY_TOKEN_VARIABLE.`,
    );
  }
  if (flags["config-stdin"]) {
    const text = (await io.readStdin()).trim();
    if (text === "") {
      throw new UsageError("--config-stdin found nothing on standard input: pipe a JSON object to it.");
    }
    Object.assign(config, parseObject(text, "Standard input"));
  }
  for (const mapping of flags["secret-env"] ?? []) {
    const match = /^([A-Za-z0-9_.]+)=([A-Za-z_][A-Za-z0-9_]*)$/.exec(mapping);
    if (!match) {
      throw new UsageError(
        `A --secret-env is not field=VARIABLE: write it as --secret-env apiToken=TINYDESK_TOKEN (the variable's name, not its value).`,
      );
    }
    const [, field, variable] = match as unknown as [string, string, string];
    const value = io.env[variable];
    if (value === undefined || value === "") {
      throw new UsageError(
        `--secret-env ${field}=${variable}: the environment variable ${variable} is not set.`,
      );
    }
    setPath(config, field.split("."), value);
  }
  return config;
}

const OBJECT_EXAMPLE = `an object, as in '{"baseUrl": "https://…"}'`;

function parseObject(text: string, what: string): Plain {
  const value = parseJsonInput(text, what, OBJECT_EXAMPLE);
  if (!isPlainObject(value)) throw new UsageError(`${what} is not a JSON object: give ${OBJECT_EXAMPLE}.`);
  return value;
}
