// The context a connector's check, streams and webhooks run with: the validated configuration, the
// retrying fetch, the run's abort signal and a logger that scrubs secrets. The sync engine, the
// webhook route and the test kit all build it here, so a plugin meets the same context everywhere.
import type { z } from "zod";
import { type ConnectorFetch, type CreateFetchOptions, createFetch, type HttpOptions } from "./http.ts";
import { type ConnectorLogger, createConnectorLogger, type LoggerLike, silentLogger } from "./logger.ts";
import type { JsonValue } from "./records.ts";
import { secretValues } from "./secrets.ts";

export interface ConnectorContext<Config = Record<string, unknown>> {
  /** The configuration, validated by the connector's schema, secrets included. */
  config: Config;
  /** fetch with timeouts, retries, backoff and rate-limit handling (see ConnectorFetchInit). */
  fetch: ConnectorFetch;
  /** Aborted when the run is cancelled or the hub shuts down: pass it on to anything long. */
  signal: AbortSignal;
  logger: ConnectorLogger;
}

export interface StreamContext<Config = Record<string, unknown>, Cursor = JsonValue>
  extends ConnectorContext<Config> {
  /** The stream's name. */
  stream: string;
  /** The last checkpoint the hub committed, or undefined: then sync everything (a full sync). */
  cursor: Cursor | undefined;
  /**
   * true during a dry run, which promises to change nothing: read as a sync would, but skip any call
   * that changes something at the provider (registering a webhook or a watch, marking as read).
   */
  dryRun: boolean;
}

/** A problem with one field, at its path ("auth.token"). */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** The configuration does not match the connector's schema; `issues` say where. Values are never quoted. */
export class ConnectorConfigError extends Error {
  override name = "ConnectorConfigError";
  readonly issues: ConfigIssue[];
  constructor(message: string, issues: ConfigIssue[]) {
    super(message);
    this.issues = issues;
  }
}

/** The stored cursor does not match the stream's cursor schema (the plugin changed its format). */
export class ConnectorCursorError extends Error {
  override name = "ConnectorCursorError";
  readonly stream: string;
  /** Where the stored cursor differs from the schema, at paths into the cursor ("updatedSince"). */
  readonly issues: ConfigIssue[];
  constructor(message: string, stream: string, issues: ConfigIssue[]) {
    super(message);
    this.stream = stream;
    this.issues = issues;
  }
}

/** The minimum a context needs from a connector. */
interface ContextSource {
  id: string;
  config: z.ZodType;
  http?: Partial<HttpOptions>;
  streams: Record<string, { cursor?: z.ZodType }>;
}

/** Validates a configuration against the connector's schema, or throws a ConnectorConfigError. */
export function parseConnectorConfig<Config>(connector: ContextSource, input: unknown): Config {
  const result = connector.config.safeParse(input);
  if (result.success) return result.data as Config;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  const listed = issues.map((issue) => `${issue.path || "(config)"}: ${issue.message}`).join("; ");
  throw new ConnectorConfigError(
    `The configuration of connector "${connector.id}" is invalid: ${listed}.`,
    issues,
  );
}

export interface CreateContextOptions extends Omit<CreateFetchOptions, "signal" | "logger" | "http"> {
  /** The configuration as stored or typed in; validated here. */
  config: unknown;
  signal?: AbortSignal;
  logger?: LoggerLike;
  /** Overrides of the connector's own `http` options. */
  http?: Partial<HttpOptions>;
}

/** The context for `check` and webhooks. */
export function createConnectorContext<Config>(
  connector: ContextSource,
  options: CreateContextOptions,
  label = `[connector ${connector.id}]`,
): ConnectorContext<Config> {
  const {
    config: raw,
    signal = new AbortController().signal,
    logger: target,
    http,
    ...fetchOptions
  } = options;
  const config = parseConnectorConfig<Config>(connector, raw);
  const logger = target
    ? createConnectorLogger(target, {
        prefix: label,
        secrets: secretValues(connector.config, config as Record<string, unknown>),
      })
    : silentLogger;
  const fetch = createFetch({ ...fetchOptions, signal, logger, http: { ...connector.http, ...http } });
  return { config, fetch, signal, logger };
}

/** The context for one run of one stream, from where its last checkpoint left off. */
export function createStreamContext<Config, Cursor = JsonValue>(
  connector: ContextSource,
  stream: string,
  options: CreateContextOptions & {
    cursor?: unknown;
    /** The installed connector's name, which messages name (the plugin's id when omitted: the test kit). */
    connectorName?: string;
    /** A dry run (StreamContext.dryRun); false when omitted. */
    dryRun?: boolean;
  },
): StreamContext<Config, Cursor> {
  const definition = connector.streams[stream];
  if (!definition) {
    throw new Error(
      `Connector "${connector.id}" has no stream "${stream}"; it has ${Object.keys(connector.streams).join(", ")}.`,
    );
  }
  let cursor: unknown = options.cursor;
  if (cursor !== undefined && cursor !== null && definition.cursor) {
    const parsed = definition.cursor.safeParse(cursor);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join("."),
        message: issue.message,
      }));
      const first = issues[0];
      const where = first?.path ? ` at ${first.path}` : "";
      const owner = options.connectorName
        ? `connector "${options.connectorName}"`
        : `plugin "${connector.id}"`;
      const reset = options.connectorName
        ? ` (npm run connectors -- reset ${options.connectorName} ${stream}, or the resetConnectorStream mutation)`
        : "";
      throw new ConnectorCursorError(
        `The stored checkpoint of stream "${stream}" of ${owner} does not match the stream's cursor schema${where}: ${first?.message}. Reset the stream's checkpoint${reset} to sync it from the start.`,
        stream,
        issues,
      );
    }
    cursor = parsed.data;
  }
  const { dryRun = false, ...contextOptions } = options;
  const base = createConnectorContext<Config>(
    connector,
    contextOptions,
    `[connector ${connector.id} ${stream}]`,
  );
  return { ...base, stream, cursor: (cursor ?? undefined) as Cursor | undefined, dryRun };
}
