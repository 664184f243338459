// `plugins` and `list`: what this hub can install, and what is installed with its status and last run.
import { configJsonSchema } from "../../sdk/secrets.ts";
import type { CommandContext } from "../run-cli.ts";
import { type CliHub, describeRun } from "./hub.ts";

export function listPlugins(hub: CliHub, io: CommandContext): number {
  if (hub.plugins.length === 0) io.print("No connector plugins are loaded (see CXHUB_PLUGINS).");
  for (const plugin of hub.plugins) {
    io.print(`${plugin.id}  ${plugin.name} ${plugin.version} (${plugin.channel})`);
    if (plugin.description) io.print(`  ${plugin.description}`);
    const schema = configJsonSchema(plugin) as {
      properties?: Record<string, { description?: string; writeOnly?: boolean; default?: unknown }>;
      required?: string[];
    };
    for (const [field, spec] of Object.entries(schema.properties ?? {})) {
      const marks = [
        schema.required?.includes(field) ? "required" : "optional",
        ...(spec.writeOnly ? ["secret: --config-stdin or --secret-env"] : []),
        ...(spec.default !== undefined ? [`default ${JSON.stringify(spec.default)}`] : []),
      ];
      io.print(`  ${field}: ${marks.join(", ")}${spec.description ? ` — ${spec.description}` : ""}`);
    }
    io.print(
      `  streams: ${Object.keys(plugin.streams).join(", ")}${plugin.webhooks ? "; receives webhooks" : ""}`,
    );
  }
  return 0;
}

export async function listConnectors(hub: CliHub, io: CommandContext): Promise<number> {
  const connectors = await hub.db.connector.findMany({
    orderBy: { name: "asc" },
    include: {
      runs: { orderBy: [{ queuedAt: "desc" }, { id: "desc" }], take: 1 },
      _count: { select: { deadLetters: { where: { status: "PENDING" } } } },
    },
  });
  if (connectors.length === 0) {
    io.print(
      "No connectors are installed: npm run connectors -- install <plugin> <name> --config-stdin (see plugins for the fields).",
    );
  }
  for (const connector of connectors) {
    const schedule = connector.syncIntervalSeconds ? `every ${connector.syncIntervalSeconds}s` : "manual";
    const loaded = hub.registry.get(connector.pluginId) ? "" : " (plugin not loaded)";
    const run = connector.runs[0];
    const last = run ? `last run ${describeRun(run)}` : "never synced";
    const letters = connector._count.deadLetters;
    io.print(
      `${connector.name}  ${connector.pluginId}${loaded}  ${connector.status}  ${schedule}  ${last}${letters ? `  ${letters} pending dead letter(s)` : ""}`,
    );
  }
  return 0;
}
