// Installed connectors: install one (its configuration validated by the plugin's schema, its secret
// fields split off and encrypted), reconfigure it (a partial configuration laid over the stored one,
// so a field left out, a secret above all, keeps its stored value), read its decrypted configuration for a run, pause, resume and remove it. Secrets
// never leave this module except through readConnectorConfig, for the run or webhook that needs them.
import { z } from "zod";
import type { Db } from "../db/database.ts";
import { uuidv7 } from "../db/uuid-v7.ts";
import { ConflictError, NotFoundError, parseInput, ValidationError } from "../domain/errors.ts";
import { type Connector, Prisma } from "../generated/prisma/client.ts";
import type { ConnectorStatus } from "../generated/prisma/enums.ts";
import type { AnyConnector } from "../sdk/define-connector.ts";
import {
  getPath,
  isPlainObject,
  joinSecrets,
  REDACTED,
  redactSecrets,
  secretPaths,
  splitSecrets,
} from "../sdk/secrets.ts";
import { type PluginRegistry, requirePlugin } from "./plugin-registry.ts";
import {
  decryptSecrets,
  encryptSecrets,
  MissingSecretKeyError,
  NO_SECRET_KEY_ADVICE,
  SecretBoxError,
} from "./secret-box.ts";

export interface ConnectorStoreDeps {
  db: Db;
  plugins: PluginRegistry;
  /**
   * The 32-byte key of the secret box (CXHUB_SECRET_KEY or the embedded key file); null when the hub
   * has none, which only plugins without secret fields can do without.
   */
  secretKey: Uint8Array | null;
}

/** How callers name a connector: by id, or by its unique name. */
export type ConnectorRef = { id: string } | { name: string };

/** A connector as the API shows it: secrets that are set read REDACTED, never their value. */
export interface ConnectorView {
  id: string;
  pluginId: string;
  name: string;
  status: ConnectorStatus;
  syncIntervalSeconds: number | null;
  config: Record<string, unknown>;
  /**
   * Why this hub cannot open the connector's stored secrets (no key, or not the key they were sealed
   * with), saying what to do; `config` then shows the public part only. Null when it can.
   */
  secretsUnreadable: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type Plain = Record<string, unknown>;

/** Lower-case letters, digits and dashes: the name is the records' source and the webhook path. */
export const connectorNameSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'A connector name is 1 to 63 lower-case letters, digits and dashes, such as "shopify-eu".',
  );

/** Manual runs only (null), or at least a minute apart, at most a week. */
const syncIntervalSchema = z
  .number()
  .int("The sync interval is a whole number of seconds.")
  .min(60, "Sync at most once a minute (60 seconds or more), or leave it null for manual runs.")
  .max(7 * 24 * 3600, "Sync at least once a week (604800 seconds or less).")
  .nullable();

const configObjectSchema = z.record(z.string(), z.unknown(), "The configuration is a JSON object.");

export const installConnectorInputSchema = z.object({
  pluginId: z.string().min(1, "Name the plugin to install."),
  name: connectorNameSchema,
  config: configObjectSchema.default({}),
  syncIntervalSeconds: syncIntervalSchema.optional(),
});
export type InstallConnectorInput = z.input<typeof installConnectorInputSchema>;

export const reconfigureConnectorInputSchema = z.object({
  /**
   * The fields to change, laid over the stored configuration (nested objects merged field by field):
   * fields left out, or sent as the REDACTED placeholder, keep their stored value; a field sent as
   * null is removed (it takes its default, or is absent). The result is validated as a whole.
   */
  config: configObjectSchema.optional(),
  syncIntervalSeconds: syncIntervalSchema.optional(),
});
export type ReconfigureConnectorInput = z.input<typeof reconfigureConnectorInputSchema>;

/** Installs a plugin under a unique name, with its configuration validated and its secrets encrypted. */
export async function installConnector(
  deps: ConnectorStoreDeps,
  input: InstallConnectorInput,
): Promise<ConnectorView> {
  const parsed = parseInput(installConnectorInputSchema, input, "The connector");
  const plugin = requirePlugin(deps.plugins, parsed.pluginId);
  validateConfig(plugin, parsed.config);
  // The id is made here, not by the database, because it is the secret box's associated data.
  const id = uuidv7();
  const { public: visible, secrets } = splitSecrets(plugin.config, parsed.config);
  try {
    const row = await deps.db.connector.create({
      data: {
        id,
        pluginId: plugin.id,
        name: parsed.name,
        config: visible as Prisma.InputJsonObject,
        encryptedSecrets: sealSecrets(deps.secretKey, plugin, secrets, id),
        syncIntervalSeconds: parsed.syncIntervalSeconds ?? null,
      },
    });
    return toView(deps, row);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new ConflictError(
        `A connector named "${parsed.name}" is already installed: choose another name, or reconfigure that one.`,
      );
    }
    throw error;
  }
}

/** Changes a connector's configuration and/or schedule; fields left out keep their stored value. */
export async function reconfigureConnector(
  deps: ConnectorStoreDeps,
  ref: ConnectorRef,
  input: ReconfigureConnectorInput,
): Promise<ConnectorView> {
  const parsed = parseInput(reconfigureConnectorInputSchema, input, "The reconfiguration");
  const row = await findConnector(deps.db, ref);
  const data: Prisma.ConnectorUpdateInput = {};
  if (parsed.syncIntervalSeconds !== undefined) data.syncIntervalSeconds = parsed.syncIntervalSeconds;
  if (parsed.config !== undefined) {
    const plugin = requirePlugin(deps.plugins, row.pluginId);
    const stored = joinSecrets(asObject(row.config), openSecrets(deps.secretKey, row));
    const next = mergeConfig(stored, parsed.config);
    validateConfig(plugin, next);
    const { public: visible, secrets } = splitSecrets(plugin.config, next);
    data.config = visible as Prisma.InputJsonObject;
    data.encryptedSecrets = sealSecrets(deps.secretKey, plugin, secrets, row.id);
    // A person fixed the configuration: let the scheduler try again.
    if (row.status === "FAILING") data.status = "ACTIVE";
  }
  const updated = await deps.db.connector.update({ where: { id: row.id }, data });
  return toView(deps, updated);
}

/** The full configuration, secrets decrypted, as the plugin's context needs it. Never return it to a client. */
export function readConnectorConfig(secretKey: Uint8Array | null, row: Connector): Plain {
  return joinSecrets(asObject(row.config), openSecrets(secretKey, row));
}

/**
 * Which secret fields of a connector hold a value, as dotted paths ("auth.token"), never the values;
 * or, when this hub's key cannot open them, why (what to do is in the reason). A plugin that is not
 * loaded has no schema to name its fields: the top-level keys of its secrets are listed.
 */
export function storedSecretFields(
  deps: Pick<ConnectorStoreDeps, "plugins" | "secretKey">,
  row: Pick<Connector, "id" | "name" | "pluginId" | "encryptedSecrets">,
): { set: string[] } | { unreadable: string } {
  const opened = tryOpenSecrets(deps.secretKey, row);
  if ("unreadable" in opened) return opened;
  const plugin = deps.plugins.get(row.pluginId);
  const paths = plugin ? secretPaths(plugin.config) : Object.keys(opened.secrets).map((key) => [key]);
  return {
    set: paths.filter((path) => getPath(opened.secrets, path).value != null).map((path) => path.join(".")),
  };
}

/** Stops scheduled and manual syncs (webhooks are still received, so pushed data is not lost). */
export async function pauseConnector(deps: ConnectorStoreDeps, ref: ConnectorRef): Promise<ConnectorView> {
  return setStatus(deps, ref, "PAUSED");
}

/** Back to ACTIVE, from PAUSED or FAILING. */
export async function resumeConnector(deps: ConnectorStoreDeps, ref: ConnectorRef): Promise<ConnectorView> {
  return setStatus(deps, ref, "ACTIVE");
}

/**
 * Removes a connector with its cursors, runs, dead letters and delivery ids. The facts it synced stay
 * (their source keeps its name). Refused while a run is active: cancel it first.
 */
export async function removeConnector(deps: ConnectorStoreDeps, ref: ConnectorRef): Promise<ConnectorView> {
  const row = await findConnector(deps.db, ref);
  const active = await deps.db.syncRun.findFirst({
    where: { connectorId: row.id, status: { in: ["QUEUED", "RUNNING"] } },
  });
  if (active) {
    throw new ConflictError(
      `Connector "${row.name}" has a ${active.status.toLowerCase()} sync run (${active.id}): cancel it, then remove the connector.`,
    );
  }
  const view = await toView(deps, row);
  await deps.db.connector.delete({ where: { id: row.id } });
  return view;
}

export async function getConnector(deps: ConnectorStoreDeps, ref: ConnectorRef): Promise<ConnectorView> {
  return toView(deps, await findConnector(deps.db, ref));
}

export async function listConnectors(deps: ConnectorStoreDeps): Promise<ConnectorView[]> {
  const rows = await deps.db.connector.findMany({ orderBy: { name: "asc" } });
  return Promise.all(rows.map((row) => toView(deps, row)));
}

/** The connector's row, or a NotFoundError naming what was asked for. */
export async function findConnector(db: Db, ref: ConnectorRef): Promise<Connector> {
  const row =
    "id" in ref
      ? await db.connector.findUnique({ where: { id: ref.id } })
      : await db.connector.findUnique({ where: { name: ref.name } });
  if (!row) {
    const what = "id" in ref ? `the id ${ref.id}` : `the name "${ref.name}"`;
    throw new NotFoundError(
      `No connector has ${what}: list the installed connectors to find it.`,
      "Connector",
      "id" in ref ? ref.id : ref.name,
    );
  }
  return row;
}

async function setStatus(
  deps: ConnectorStoreDeps,
  ref: ConnectorRef,
  status: ConnectorStatus,
): Promise<ConnectorView> {
  const row = await findConnector(deps.db, ref);
  return toView(deps, await deps.db.connector.update({ where: { id: row.id }, data: { status } }));
}

/** Validates with the plugin's schema; the issues' paths start at "config". Values are never quoted. */
function validateConfig(plugin: AnyConnector, config: Plain): void {
  const result = (plugin.config as z.ZodType).safeParse(config);
  if (result.success) return;
  const error = ValidationError.fromZod(result.error, `The configuration of plugin "${plugin.id}"`);
  throw new ValidationError(
    error.message,
    error.issues.map((issue) => ({ ...issue, path: ["config", ...issue.path] })),
  );
}

/**
 * `patch` laid over `stored`: nested objects merge field by field; null removes a field; the REDACTED
 * placeholder (what the API shows for a set secret, sent back by a form) keeps the stored value.
 */
export function mergeConfig(stored: Plain, patch: Plain): Plain {
  const next: Plain = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === REDACTED || value === undefined) continue;
    if (value === null) delete next[key];
    else if (isPlainObject(value) && isPlainObject(next[key])) next[key] = mergeConfig(next[key], value);
    else next[key] = value;
  }
  return next;
}

/** Encrypts the secrets given; with none, there is nothing to seal and no key is needed. */
function sealSecrets(
  key: Uint8Array | null,
  plugin: AnyConnector,
  secrets: Plain,
  connectorId: string,
): string | null {
  if (Object.keys(secrets).length === 0) return null;
  if (!key) {
    const fields = secretPaths(plugin.config).map((path) => path.join("."));
    throw new ConflictError(
      `Plugin "${plugin.id}" has secret fields (${fields.join(", ")}) and this hub has no key to encrypt them: ${NO_SECRET_KEY_ADVICE}.`,
    );
  }
  return encryptSecrets(key, secrets, connectorId);
}

function openSecrets(
  key: Uint8Array | null,
  row: Pick<Connector, "id" | "name" | "encryptedSecrets">,
): Plain {
  if (!row.encryptedSecrets) return {};
  if (!key) {
    throw new MissingSecretKeyError(
      `Connector "${row.name}" has stored secrets and this hub has no key to open them: ${NO_SECRET_KEY_ADVICE} (the key they were stored with).`,
    );
  }
  return decryptSecrets(key, row.encryptedSecrets, row.id);
}

/**
 * The secrets, or why this hub's key cannot open them. Only the secret box's own refusals (no key,
 * another key, an altered value) are answers here; anything else is a bug and is thrown.
 */
function tryOpenSecrets(
  key: Uint8Array | null,
  row: Pick<Connector, "id" | "name" | "encryptedSecrets">,
): { secrets: Plain } | { unreadable: string } {
  try {
    return { secrets: openSecrets(key, row) };
  } catch (error) {
    if (error instanceof SecretBoxError) return { unreadable: error.message };
    throw error;
  }
}

async function toView(deps: ConnectorStoreDeps, row: Connector): Promise<ConnectorView> {
  const plugin = deps.plugins.get(row.pluginId);
  // Decrypting only to show which secrets are set. A plugin that is not loaded, or secrets this key
  // cannot open, show the public part, with the reason beside it: a listing must not fail for that.
  let config = asObject(row.config);
  let secretsUnreadable: string | null = null;
  if (plugin) {
    const opened = tryOpenSecrets(deps.secretKey, row);
    if ("secrets" in opened) config = redactSecrets(plugin.config, joinSecrets(config, opened.secrets));
    else secretsUnreadable = opened.unreadable;
  }
  return {
    id: row.id,
    pluginId: row.pluginId,
    name: row.name,
    status: row.status,
    syncIntervalSeconds: row.syncIntervalSeconds,
    config,
    secretsUnreadable,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function asObject(value: Prisma.JsonValue): Plain {
  return isPlainObject(value) ? { ...value } : {};
}
