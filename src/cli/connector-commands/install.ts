// `install` and `configure`: a connector's configuration taken without echoing secrets (see
// config-input.ts). install checks the connection at once, so a wrong token shows now, not at the
// first sync; configure merges what it is given with the stored configuration.
import { checkConnector } from "../../connectors/check-connector.ts";
import { storeDeps } from "../../connectors/connector-services.ts";
import {
  type ConnectorView,
  findConnector,
  installConnector,
  reconfigureConnector,
} from "../../connectors/connector-store.ts";
import { requirePlugin } from "../../connectors/plugin-registry.ts";
import { parseCliArgs } from "../parse-cli-args.ts";
import { type CommandContext, UsageError } from "../run-cli.ts";
import { CONFIG_OPTIONS, readConfigFlags } from "./config-input.ts";
import type { CliHub } from "./hub.ts";

export async function install(
  hub: CliHub,
  io: CommandContext,
  args: string[],
  usage: string,
): Promise<number> {
  const { values, positionals } = parseCliArgs(
    {
      args,
      allowPositionals: true,
      options: { ...CONFIG_OPTIONS, interval: { type: "string" }, "no-check": { type: "boolean" } },
    },
    usage,
  );
  const [pluginId, name] = positionals;
  if (!pluginId || !name || positionals.length > 2) throw new UsageError(usage);
  const plugin = requirePlugin(hub.registry, pluginId);
  const config = await readConfigFlags(plugin, values, io);
  const view = await installConnector(storeDeps(hub.db, hub), {
    pluginId,
    name,
    config,
    syncIntervalSeconds: interval(values.interval),
  });
  io.print(`Installed ${view.name} (plugin ${view.pluginId}, id ${view.id}).`);
  printConfig(io, view);
  if (plugin.webhooks) io.print(`Its webhook URL: <this hub's address>/webhooks/${view.name}`);
  return values["no-check"] ? 0 : await reportCheck(hub, io, view.name);
}

export async function configure(
  hub: CliHub,
  io: CommandContext,
  args: string[],
  usage: string,
): Promise<number> {
  const { values, positionals } = parseCliArgs(
    {
      args,
      allowPositionals: true,
      options: { ...CONFIG_OPTIONS, interval: { type: "string" } },
    },
    usage,
  );
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError(usage);
  const row = await findConnector(hub.db, { name });
  const plugin = requirePlugin(hub.registry, row.pluginId);
  const given = values.config !== undefined || values["config-stdin"] || values["secret-env"]?.length;
  const view = await reconfigureConnector(
    storeDeps(hub.db, hub),
    { id: row.id },
    {
      config: given ? await readConfigFlags(plugin, values, io) : undefined,
      ...(values.interval !== undefined && { syncIntervalSeconds: interval(values.interval) }),
    },
  );
  io.print(`Configured ${view.name}.`);
  printConfig(io, view);
  return 0;
}

/** `check <name>`: does the provider accept the stored configuration? Exit 1 when not. */
export async function check(hub: CliHub, io: CommandContext, args: string[], usage: string): Promise<number> {
  const [name, ...more] = args;
  if (!name || more.length > 0) throw new UsageError(usage);
  return reportCheck(hub, io, name);
}

async function reportCheck(hub: CliHub, io: CommandContext, name: string): Promise<number> {
  const result = await checkConnector(storeDeps(hub.db, hub), { name });
  const message =
    result.message ?? (result.ok ? "The provider accepted the configuration." : "The check failed.");
  if (result.ok) {
    io.print(`Check of ${name}: ok. ${message}`);
    return 0;
  }
  io.printError(`Check of ${name} failed: ${message}`);
  io.printError(`Fix it with: npm run connectors -- configure ${name} --config-stdin (or --secret-env).`);
  return 1;
}

/** "manual" or seconds; the store says what range it takes. */
function interval(text: string | undefined): number | null {
  if (text === undefined || text === "manual") return null;
  const seconds = Number(text);
  if (!Number.isFinite(seconds)) {
    throw new UsageError(`--interval ${text} is not a number of seconds (or "manual").`);
  }
  return seconds;
}

function printConfig(io: CommandContext, view: ConnectorView): void {
  io.print(`Configuration (secrets shown as set, never their value): ${JSON.stringify(view.config)}`);
  io.print(`Syncs ${view.syncIntervalSeconds ? `every ${view.syncIntervalSeconds}s` : "on demand only"}.`);
}
