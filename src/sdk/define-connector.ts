// defineConnector: the one call a plugin makes. It returns the definition as given, typed from its
// config schema (so ctx.config is typed) and its streams' cursor schemas (so ctx.cursor is), and
// stamped with the SDK api version it was built against, which the hub checks when it loads it.
import type { z } from "zod";
import type { ConnectorContext, StreamContext } from "./context.ts";
import type { HttpOptions } from "./http.ts";
import type { Channel, Checkpoint, ConnectorRecordInput, JsonValue } from "./records.ts";
import { connectorProblems } from "./validate-connector.ts";
import type { WebhookHandler } from "./webhooks.ts";

/**
 * The contract between the hub and its plugins. It changes only when a plugin built for the old
 * contract would misbehave; the hub refuses plugins built for another version, with a message.
 */
export const SDK_API_VERSION = 1;

/** The answer of `check`: can the connector reach the provider with this configuration? */
export type CheckResult = { ok: true; message?: string } | { ok: false; message: string };

/** A cursor schema, or undefined for a stream whose cursor is any JSON. */
export type CursorSchema = z.ZodType | undefined;
type CursorOf<S> = S extends z.ZodType ? z.output<S> : JsonValue;

export interface StreamDefinition<Config, S = undefined> {
  description?: string;
  /**
   * Validates the cursor the hub hands back (and types `ctx.cursor`). A stored cursor that no longer
   * matches, after the plugin changed its format, stops the run with a message instead of misreading it.
   */
  cursor?: S;
  /**
   * Yields records, and a checkpoint after the records it covers. Read from `ctx.cursor` onward
   * (undefined: everything); stop when `ctx.signal` aborts.
   */
  read(
    ctx: StreamContext<Config, CursorOf<S>>,
  ): AsyncGenerator<ConnectorRecordInput | Checkpoint<CursorOf<S>>, void>;
}

type ConfigSchema = z.ZodType<Record<string, unknown>>;

export interface ConnectorDefinition<
  Id extends string = string,
  C extends ConfigSchema = ConfigSchema,
  Cursors extends Record<string, unknown> = Record<string, CursorSchema>,
> {
  /** Stable and unique among plugins: lower-case letters, digits and dashes ("shopify"). */
  id: Id;
  /** What people read ("Shopify"). */
  name: string;
  channel: Channel;
  /** The plugin's own version (semver). */
  version: string;
  description?: string;
  /** The provider's API documentation the plugin follows. */
  documentationUrl?: string;
  /** The configuration a user gives; mark secret fields with `secret()`. A z.object. */
  config: C;
  /** Timeouts, retries and the provider's throttling rules, for the context's fetch. */
  http?: Partial<HttpOptions>;
  /** Are the credentials good and the provider reachable? Make one cheap call. */
  check(ctx: ConnectorContext<z.output<C>>): CheckResult | Promise<CheckResult>;
  streams: { [K in keyof Cursors]: StreamDefinition<z.output<C>, Cursors[K]> };
  webhooks?: WebhookHandler<ConnectorContext<z.output<C>>>;
}

/** A connector: its definition, stamped with the SDK api version. */
export type Connector<
  Id extends string = string,
  C extends ConfigSchema = ConfigSchema,
  Cursors extends Record<string, unknown> = Record<string, CursorSchema>,
> = ConnectorDefinition<Id, C, Cursors> & { readonly sdkApiVersion: number };

/** Any connector, whatever its config and streams: what the hub handles. */
// biome-ignore lint/suspicious/noExplicitAny: the hub holds connectors of every config type.
export type AnyConnector = Connector<string, any, Record<string, any>>;

/** Declares a connector; a plugin's module exports the result as its default export. */
export function defineConnector<
  const Id extends string,
  C extends ConfigSchema,
  Cursors extends Record<string, unknown>,
>(definition: ConnectorDefinition<Id, C, Cursors>): Connector<Id, C, Cursors> {
  const connector = { ...definition, sdkApiVersion: SDK_API_VERSION };
  const problems = connectorProblems(connector);
  if (problems.length > 0) {
    throw new TypeError(`defineConnector(${JSON.stringify(definition.id ?? "?")}): ${problems.join("; ")}.`);
  }
  return connector;
}
