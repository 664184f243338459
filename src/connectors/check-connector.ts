// Runs an installed connector's check with its stored configuration: one cheap call to the provider,
// to learn whether the credentials work. Changes nothing. For the API's checkConnector and the CLI.
import { describeError } from "../db/database-errors.ts";
import { ConnectorConfigError, createConnectorContext } from "../sdk/context.ts";
import type { CheckResult } from "../sdk/define-connector.ts";
import {
  type ConnectorRef,
  type ConnectorStoreDeps,
  findConnector,
  readConnectorConfig,
} from "./connector-store.ts";
import { requirePlugin } from "./plugin-registry.ts";
import { MissingSecretKeyError, SecretBoxError } from "./secret-box.ts";

/** How long a check may take, retries included, before it reports the provider unreachable. */
export const CHECK_TIMEOUT_MS = 30_000;

/**
 * The plugin's answer, or why the check could not ask (a configuration the plugin no longer accepts,
 * secrets sealed with another key, an unreachable provider) as a failed result. A hub with no key at
 * all throws its MissingSecretKeyError: that is the operator's to fix, not the connector's.
 */
export async function checkConnector(
  deps: Pick<ConnectorStoreDeps, "db" | "plugins" | "secretKey">,
  ref: ConnectorRef,
  options: { timeoutMs?: number } = {},
): Promise<CheckResult> {
  const row = await findConnector(deps.db, ref);
  const plugin = requirePlugin(deps.plugins, row.pluginId);
  let config: Record<string, unknown>;
  try {
    config = readConnectorConfig(deps.secretKey, row);
  } catch (error) {
    // Another key: the message says which, and what to do; no call to the provider can succeed.
    if (error instanceof SecretBoxError && !(error instanceof MissingSecretKeyError))
      return { ok: false, message: error.message };
    throw error;
  }
  try {
    const signal = AbortSignal.timeout(options.timeoutMs ?? CHECK_TIMEOUT_MS);
    return await plugin.check(createConnectorContext(plugin, { config, signal }));
  } catch (error) {
    if (error instanceof ConnectorConfigError) {
      return { ok: false, message: `${error.message} Configure the connector again.` };
    }
    return { ok: false, message: `The check could not reach the provider: ${describeError(error)}` };
  }
}
