// What the connector part of the API needs beyond the database: the plugins this hub loaded, the key
// that opens connector secrets, and the process's sync engine. The server builds it once at start-up
// (from prepareConnectors and createSyncEngine); without it the API lists no plugins and cannot sync.

import { createPluginRegistry, type PluginRegistry } from "../../connectors/plugin-registry.ts";
import type { SyncEngine } from "../../connectors/sync/sync-engine.ts";
import { ConflictError } from "../../domain/errors.ts";
import type { AnyConnector } from "../../sdk/define-connector.ts";

/** Who may read connectors, their runs and dead letters (not payloads): everyone but account managers. */
export const CONNECTOR_READERS = { $any: { admin: true, integrator: true, analyst: true } };
/** Who may change connectors, run them, read dead-letter payloads and replay them. */
export const CONNECTOR_WRITERS = { $any: { admin: true, integrator: true } };

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
