// POST (and GET, for handshakes) /webhooks/<connector name>: the plugin answers a handshake, verifies
// the delivery's signature over the raw body (401 when it fails, or when its signed time is outside
// the replay window), and parses it into records, which take the same ingest path as a sync. A body
// the plugin cannot read is answered 400 and kept whole as a dead letter, so nothing is lost; a
// delivery id seen before is answered 200 without ingesting anything again. A delivery that asks for a
// sync (the provider has changes it did not carry) stores the request with it (sync-requests.ts).

import { systemClock } from "../../clock.ts";
import { DATABASE_UNAVAILABLE, describeError, isDatabaseUnavailable } from "../../db/database-errors.ts";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { WriteContext } from "../../pipeline/unit-of-work.ts";
import { DEFAULT_SCORING_POLICY } from "../../policy/scoring-policy.ts";
import { type ConnectorContext, createConnectorContext } from "../../sdk/context.ts";
import type { LoggerLike } from "../../sdk/logger.ts";
import { validateRecord } from "../../sdk/records.ts";
import {
  collectWebhookResult,
  type SyncRequest,
  toVerification,
  type WebhookRequest,
  type WebhookVerification,
} from "../../sdk/webhooks.ts";
import { readConnectorConfig } from "../connector-store.ts";
import {
  type DeliveryDetails,
  replayableHeaders,
  writeDeadLetters,
} from "../dead-letters/write-dead-letters.ts";
import { commitIngest, type IngestItem, type IngestOrigin } from "../ingest/ingest-records.ts";
import type { PluginRegistry } from "../plugin-registry.ts";
import type { HubLogger } from "../sync/run-sync.ts";
import { recordSyncRequest } from "../sync/sync-requests.ts";
import {
  DEFAULT_DELIVERY_RETENTION_MS,
  isDeliverySeen,
  pruneWebhookDeliveries,
  rememberDelivery,
} from "./webhook-deliveries.ts";

export interface WebhookHandlerOptions {
  db: PrismaClient;
  plugins: PluginRegistry;
  /** Null without a key: connectors whose plugins have secret fields cannot run. */
  secretKey: Uint8Array | null;
  /** The policy and clock writes run with; the defaults and the machine's clock when omitted. */
  writes?: WriteContext;
  logger?: HubLogger;
  /** A delivery whose signed send time is further than this from now is refused; default 5 minutes. */
  replayWindowMs?: number;
  /** How long delivery ids are remembered; default 7 days. */
  deliveryRetentionMs?: number;
  /** Larger bodies are refused with 413; default 5 MB. */
  maxBodyBytes?: number;
  /** Called after a delivery that asked for a sync was stored: the engine answers it at once. */
  onSyncRequested?: (connectorId: string) => void;
}

export const DEFAULT_REPLAY_WINDOW_MS = 5 * 60_000;
const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** The marker a duplicate delivery throws to roll its transaction back. */
class DuplicateDelivery extends Error {}

/** Answers one request; a failure of the hub or the plugin is answered 500, so the provider retries. */
export async function handleWebhook(
  options: WebhookHandlerOptions,
  connectorName: string,
  request: Request,
): Promise<Response> {
  try {
    return await receive(options, connectorName, request);
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      options.logger?.warn(`Webhook for "${connectorName}": the database is unreachable; answered 503.`);
      const retryAfter = String(DATABASE_UNAVAILABLE.retryAfterSeconds);
      return Response.json(
        { error: DATABASE_UNAVAILABLE.message },
        { status: 503, headers: { "retry-after": retryAfter } },
      );
    }
    options.logger?.error(`Webhook for "${connectorName}" failed: ${describeError(error)}`);
    return answer(500, { error: "The hub could not process the delivery; retry later." });
  }
}

async function receive(
  options: WebhookHandlerOptions,
  connectorName: string,
  request: Request,
): Promise<Response> {
  const { db } = options;
  const logger = options.logger;
  const writes = options.writes ?? { policy: DEFAULT_SCORING_POLICY, clock: systemClock };
  const now = writes.clock();
  const connector = await db.connector.findUnique({ where: { name: connectorName } });
  if (!connector) return answer(404, { error: `No connector is named "${connectorName}".` });
  const plugin = options.plugins.get(connector.pluginId);
  if (!plugin) {
    logger?.error(`Webhook for "${connector.name}": its plugin "${connector.pluginId}" is not loaded.`);
    return answer(503, { error: "The connector's plugin is not available; retry later." });
  }
  const handler = plugin.webhooks;
  if (!handler) return answer(404, { error: `Connector "${connector.name}" takes no webhooks.` });

  const rawBody = await readBody(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  if (!rawBody) return answer(413, { error: "The body is too large." });
  const delivery: WebhookRequest = {
    method: request.method,
    url: request.url,
    headers: request.headers,
    rawBody,
  };

  let ctx: ConnectorContext;
  try {
    const config = readConnectorConfig(options.secretKey, connector);
    ctx = createConnectorContext(plugin, { config, logger: logger as LoggerLike | undefined });
  } catch (error) {
    logger?.error(
      `Webhook for "${connector.name}": its configuration cannot be used: ${describeError(error)}`,
    );
    return answer(503, { error: "The connector is misconfigured; retry later." });
  }

  const handshake = await handler.handshake?.(delivery, ctx);
  if (handshake)
    return new Response(handshake.body ?? null, { status: handshake.status, headers: handshake.headers });
  if (request.method !== "POST") return answer(405, { error: "Webhook deliveries are POSTed." });

  let verification: WebhookVerification;
  try {
    verification = toVerification(await handler.verify(delivery, ctx));
  } catch (error) {
    if (!isPayloadError(error)) throw error;
    return malformed(options, connector.id, delivery, error as Error, false);
  }
  if (!verification.valid) {
    logger?.warn(`Webhook for "${connector.name}" refused: ${verification.reason}.`);
    return answer(401, { error: "The delivery's signature does not verify." });
  }
  const windowMs = options.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
  if (verification.sentAt && Math.abs(now.getTime() - verification.sentAt.getTime()) > windowMs) {
    logger?.warn(
      `Webhook for "${connector.name}" refused: signed at ${verification.sentAt.toISOString()}, outside the replay window.`,
    );
    return answer(401, { error: "The delivery was signed outside the replay window." });
  }
  const { deliveryId } = verification;
  if (deliveryId && (await isDeliverySeen(db, connector.id, deliveryId))) {
    return answer(200, { duplicate: true });
  }

  let values: unknown[];
  let sync: SyncRequest | undefined;
  try {
    ({ records: values, sync } = await collectWebhookResult(handler.parse(delivery, ctx)));
  } catch (error) {
    if (!isPayloadError(error)) throw error;
    return malformed(options, connector.id, delivery, error as Error, true);
  }
  const items: IngestItem[] = values.map((value) => {
    const result = validateRecord(value);
    return result.success
      ? { type: "record", record: result.data, payload: value }
      : { type: "invalid", payload: value, reason: result.reason, issues: result.issues };
  });
  const origin: IngestOrigin = {
    connectorId: connector.id,
    source: connector.name,
    channel: plugin.channel,
    stream: "webhook",
  };
  try {
    const { counts } = await commitIngest(db, writes, origin, items, {
      keepError: (error) => error instanceof DuplicateDelivery,
      finish: async (tx) => {
        if (deliveryId && !(await rememberDelivery(tx, connector.id, deliveryId, now)))
          throw new DuplicateDelivery();
        // With the delivery, so that a request is neither lost in a crash nor made twice by a repeat.
        if (sync) await recordSyncRequest(tx, connector.id, { reason: sync.reason, at: now });
      },
    });
    if (sync) options.onSyncRequested?.(connector.id);
    await pruneWebhookDeliveries(
      db,
      new Date(now.getTime() - (options.deliveryRetentionMs ?? DEFAULT_DELIVERY_RETENTION_MS)),
    );
    return answer(200, { received: values.length, ...counts, ...(sync ? { syncRequested: true } : {}) });
  } catch (error) {
    if (error instanceof DuplicateDelivery) return answer(200, { duplicate: true });
    throw error;
  }
}

/** 400, with the whole delivery kept as a dead letter (raw body and headers) to replay once fixed. */
async function malformed(
  options: WebhookHandlerOptions,
  connectorId: string,
  delivery: WebhookRequest,
  error: Error,
  verified: boolean,
): Promise<Response> {
  const text = decodeUtf8(delivery.rawBody);
  await options.db.$transaction((tx) =>
    writeDeadLetters(tx, { connectorId }, [
      {
        kind: "WEBHOOK_DELIVERY",
        stream: "webhook",
        payload: text ?? Buffer.from(delivery.rawBody).toString("base64"),
        headers: replayableHeaders(delivery.headers),
        reason: error.message,
        // verified: false when the plugin could not even read the body to check the signature.
        details: {
          verified,
          encoding: text === undefined ? "base64" : "utf-8",
          method: delivery.method,
          url: delivery.url,
        } satisfies DeliveryDetails,
      },
    ]),
  );
  return answer(400, { error: error.message });
}

function isPayloadError(error: unknown): boolean {
  // By name: a plugin built as a package may carry its own copy of the SDK's class.
  return error instanceof Error && error.name === "WebhookPayloadError";
}

/** The body, read up to `max` bytes; undefined when it is longer (without reading the rest). */
async function readBody(request: Request, max: number): Promise<Uint8Array | undefined> {
  if (Number(request.headers.get("content-length") ?? "0") > max) return undefined;
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function answer(status: number, body: unknown): Response {
  return Response.json(body, { status });
}
