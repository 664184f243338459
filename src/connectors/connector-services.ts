// The connector services of one hub process: the plugins it loaded, the key that opens connector
// secrets, and its sync engine. Built once at start-up (from prepareConnectors and createSyncEngine)
// and handed to the API and the command line; without them the API lists no plugins and cannot sync.
import type { Db } from "../db/database.ts";
import { ConflictError } from "../domain/errors.ts";
import type { AnyConnector } from "../sdk/define-connector.ts";
import type { ConnectorStoreDeps } from "./connector-store.ts";
import { createPluginRegistry, type PluginRegistry } from "./plugin-registry.ts";
import type { SyncEngine } from "./sync/sync-engine.ts";

export interface ConnectorServices {
  /** The plugins loaded in this hub, by id. */
  plugins: readonly AnyConnector[];
  registry: PluginRegistry;
  /** The 32-byte key of connector secrets; null when none is configured (CXHUB_SECRET_KEY). */
  secretKey: Uint8Array | null;
  /** Runs syncs in this process; null when this hub does not sync (no key, or an API-only instance). */
  engine: SyncEngine | null;
}

export interface ConnectorServicesInput {
  /** Connectors, or the loader's LoadedPlugin entries (prepareConnectors().plugins). */
  plugins?: Iterable<AnyConnector | { connector: AnyConnector }>;
  secretKey?: Uint8Array | null;
  engine?: SyncEngine | null;
}

export function createConnectorServices(input: ConnectorServicesInput = {}): ConnectorServices {
  const plugins = [...(input.plugins ?? [])]
    .map((entry) => ("connector" in entry ? entry.connector : entry))
    .sort((a, b) => a.id.localeCompare(b.id));
  return {
    plugins,
    registry: createPluginRegistry(plugins),
    secretKey: input.secretKey ?? null,
    engine: input.engine ?? null,
  };
}

/** The connector services of a hub with no plugins, no key and no engine. */
export const NO_CONNECTORS: ConnectorServices = createConnectorServices();

/** The sync engine, or a ConflictError saying why this hub cannot run syncs. */
export function requireEngine(services: ConnectorServices): SyncEngine {
  if (services.engine) return services.engine;
  throw new ConflictError(
    "This hub instance runs no sync engine: trigger the sync on an instance that runs one.",
  );
}

/** What the connector store needs, from a database handle and this hub's connector services. */
export function storeDeps<D extends Db>(db: D, services: ConnectorServices): ConnectorStoreDeps & { db: D } {
  return { db, plugins: services.registry, secretKey: services.secretKey };
}
