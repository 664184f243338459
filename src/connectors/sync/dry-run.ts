// A dry run: a connector's streams read from its provider exactly as a sync reads them (the stored
// configuration and checkpoint, the plugin's own fetch), with nothing written: no records, no
// checkpoint, no sync run, no dead letter. It shows what a sync would do: the records it would store,
// the ones it would refuse and why, and the checkpoints it would keep. For an integrator trying a new
// connector or a changed configuration before the first real sync.
import type { z } from "zod";
import type { Db } from "../../db/database.ts";
import { describeError } from "../../db/database-errors.ts";
import { ValidationError } from "../../domain/errors.ts";
import type { Connector } from "../../generated/prisma/client.ts";
import { createStreamContext } from "../../sdk/context.ts";
import type { StreamDefinition } from "../../sdk/define-connector.ts";
import type { HttpOptions, Sleep } from "../../sdk/http.ts";
import { type LoggerLike, silentLogger } from "../../sdk/logger.ts";
import type { JsonValue, RecordIssue } from "../../sdk/records.ts";
import { readConnectorConfig } from "../connector-store.ts";
import type { IngestItem } from "../ingest/ingest-records.ts";
import { type PluginRegistry, requirePlugin } from "../plugin-registry.ts";
import { classifyStreamValue } from "./stream-values.ts";

/** Records shown per stream unless asked otherwise, and the most a dry run reads. */
export const DRY_RUN_DEFAULT_LIMIT = 20;
export const DRY_RUN_MAX_LIMIT = 500;
/** How long one stream may read, retries included, before it is reported as failed. */
export const DRY_RUN_STREAM_TIMEOUT_MS = 120_000;

export interface DryRunOptions {
  db: Db;
  plugins: PluginRegistry;
  secretKey: Uint8Array | null;
  /** One stream; every stream of the plugin when omitted. */
  stream?: string;
  /** Values to read per stream, records and refused values (checkpoints are not counted). */
  limit?: number;
  /** Read from the start, as after a reset, instead of from the stored checkpoint. */
  fromStart?: boolean;
  logger?: LoggerLike;
  http?: Partial<HttpOptions>;
  sleep?: Sleep;
  signal?: AbortSignal;
}

/** One value a sync would store, or refuse. */
export interface DryRunRecord {
  /** The record's type ("interaction"), or null when the value has none. */
  type: string | null;
  externalId: string | null;
  /** Would be stored (true), or refused as a dead letter (false). */
  valid: boolean;
  /** Why it would be refused; null when valid. */
  reason: string | null;
  issues: RecordIssue[];
  /** Invalid identities a sync would leave out of this record, keeping it with its others. */
  droppedIdentities: RecordIssue[];
  /** The value as the plugin yielded it. */
  payload: unknown;
}

export interface DryRunStream {
  stream: string;
  /** The checkpoint it read from; null: from the start. */
  startedFrom: JsonValue | null;
  records: DryRunRecord[];
  /** The checkpoints the stream yielded, in order, that a sync would keep (after their records). */
  checkpoints: JsonValue[];
  /** Whether the stream was read to its end (false: it stopped at the limit). */
  complete: boolean;
  /** Why the stream failed (the provider refused, the stored checkpoint does not fit, …); null if not. */
  error: string | null;
}

export async function dryRunConnector(options: DryRunOptions, connector: Connector): Promise<DryRunStream[]> {
  const limit = options.limit ?? DRY_RUN_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > DRY_RUN_MAX_LIMIT) {
    throw new ValidationError(`A dry run reads 1 to ${DRY_RUN_MAX_LIMIT} values per stream.`, [
      { path: ["limit"], message: `give a whole number from 1 to ${DRY_RUN_MAX_LIMIT}` },
    ]);
  }
  const plugin = requirePlugin(options.plugins, connector.pluginId);
  const names = Object.keys(plugin.streams);
  if (options.stream !== undefined && !names.includes(options.stream)) {
    throw new ValidationError(
      `Connector "${connector.name}" has no stream "${options.stream}": its streams are ${names.map((name) => `"${name}"`).join(", ")}.`,
      [{ path: ["stream"], message: `choose one of ${names.join(", ")}` }],
    );
  }
  const config = readConnectorConfig(options.secretKey, connector);
  const results: DryRunStream[] = [];
  for (const stream of options.stream === undefined ? names : [options.stream]) {
    const stored = options.fromStart
      ? null
      : await options.db.syncCursor.findUnique({
          where: { connectorId_stream: { connectorId: connector.id, stream } },
        });
    const definition = plugin.streams[stream] as StreamDefinition<unknown, z.ZodType | undefined>;
    const result: DryRunStream = {
      stream,
      startedFrom: (stored?.cursor as JsonValue | undefined) ?? null,
      records: [],
      checkpoints: [],
      complete: false,
      error: null,
    };
    results.push(result);
    const control = new AbortController();
    const signal = AbortSignal.any([
      control.signal,
      AbortSignal.timeout(DRY_RUN_STREAM_TIMEOUT_MS),
      ...(options.signal ? [options.signal] : []),
    ]);
    try {
      const ctx = createStreamContext(plugin, stream, {
        config,
        cursor: result.startedFrom ?? undefined,
        connectorName: connector.name,
        dryRun: true,
        signal,
        logger: options.logger ?? silentLogger,
        http: options.http,
        sleep: options.sleep,
      });
      let stopped = false;
      for await (const value of definition.read(ctx as never)) {
        const output = classifyStreamValue(definition, value);
        if (output.type === "checkpoint") result.checkpoints.push(output.cursor);
        else result.records.push(describeValue(output));
        if (result.records.length >= limit) {
          stopped = true;
          break;
        }
      }
      result.complete = !stopped;
    } catch (error) {
      // As a sync records a failed stream on its run: reported with the stream, the others still read.
      result.error = describeError(error);
    } finally {
      control.abort();
    }
  }
  return results;
}

function describeValue(item: IngestItem): DryRunRecord {
  const { payload } = item;
  const fields = payload !== null && typeof payload === "object" ? (payload as Record<string, unknown>) : {};
  return {
    type: typeof fields.type === "string" ? fields.type : null,
    externalId: typeof fields.externalId === "string" ? fields.externalId : null,
    valid: item.type === "record",
    reason: item.type === "invalid" ? item.reason : null,
    issues: item.type === "invalid" ? item.issues : [],
    droppedIdentities: (item.type === "record" && item.droppedIdentities) || [],
    payload,
  };
}
