// The plugins this hub runs, looked up by plugin id. The loader (plugin-loader.ts) finds them at
// start-up; the store, the sync engine and the webhook route only need to look one up.
import { NotFoundError } from "../domain/errors.ts";
import type { AnyConnector } from "../sdk/define-connector.ts";

export interface PluginRegistry {
  get(pluginId: string): AnyConnector | undefined;
}

/** A registry over connectors (or the loader's LoadedPlugin entries, which carry one). */
export function createPluginRegistry(
  plugins: Iterable<AnyConnector | { connector: AnyConnector }>,
): PluginRegistry {
  const byId = new Map<string, AnyConnector>();
  for (const entry of plugins) {
    const connector = "connector" in entry ? entry.connector : entry;
    byId.set(connector.id, connector);
  }
  return byId;
}

/** The plugin, or a NotFoundError that says the plugin is not loaded in this hub. */
export function requirePlugin(registry: PluginRegistry, pluginId: string): AnyConnector {
  const plugin = registry.get(pluginId);
  if (!plugin) {
    throw new NotFoundError(
      `No plugin "${pluginId}" is loaded in this hub: install it (plugins/<id> or CXHUB_PLUGINS) and restart, or check the plugin id.`,
      "Plugin",
      pluginId,
    );
  }
  return plugin;
}
