// POST (and GET, for handshakes) /webhooks/<connector name>: the plugin answers a handshake, verifies
// the delivery's signature over the raw body (401 when it fails, or when its signed time is outside
// the replay window), and parses it into records, which take the same ingest path as a sync.
//
// What the provider is answered, so that it retries exactly what a retry can fix:
// - 200 with counts: stored. Records the hub refuses are dead letters; records older than the stored
//   version (sourceUpdatedAt) are skipped and counted as skippedStale.
// - 200 {"duplicate": true}: the same authenticated body was received before (webhook-deliveries.ts).
// - 200 {"deadLettered": 1, "reason", "issues"}: a verified body the plugin cannot use (not JSON, not
//   the documented shape, a mapping that fails on it). The same bytes would fail the same way on every
//   retry, and providers give up on (or unsubscribe) endpoints that keep failing, so it is accepted and
//   kept whole as a dead letter, with the reason and the issues' paths, to replay once fixed.
// - 400: a body the plugin could not read far enough to check its signature; kept as a dead letter
//   marked unverified (nothing vouches for it, so it is not acknowledged).
// - 5xx: only for the hub's own failures (database, plugin not loaded, the provider's API unreachable
//   while parsing): a retry can succeed, so the provider should retry.
// A delivery that asks for a sync (the provider has changes it did not carry) stores the request with
// it (sync-requests.ts).

import { systemClock } from "../../clock.ts";
import { DATABASE_UNAVAILABLE, describeError, isDatabaseUnavailable } from "../../db/database-errors.ts";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { WriteContext } from "../../pipeline/unit-of-work.ts";
import { DEFAULT_SCORING_POLICY } from "../../policy/scoring-policy.ts";
import { type ConnectorContext, createConnectorContext } from "../../sdk/context.ts";
import type { LoggerLike } from "../../sdk/logger.ts";
import { type RecordIssue, validateRecord } from "../../sdk/records.ts";
import {
  collectWebhookResult,
  type SyncRequest,
  toVerification,
  type WebhookRequest,
  type WebhookVerification,
} from "../../sdk/webhooks.ts";
import { readBounded } from "../../streams/read-bounded.ts";
import { readConnectorConfig } from "../connector-store.ts";
import { commitIngest, type IngestItem, type IngestOrigin } from "../ingest/ingest-records.ts";
import type { PluginRegistry } from "../plugin-registry.ts";
import type { HubLogger } from "../sync/run-sync.ts";
import { recordSyncRequest } from "../sync/sync-requests.ts";
import { keepUnusableDelivery } from "./keep-delivery.ts";
import {
  DEFAULT_DELIVERY_RETENTION_MS,
  isDeliverySeen,
  pruneWebhookDeliveries,
  rememberDelivery,
  signedDeliveryKey,
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
  /** How long delivery keys are remembered; default 7 days. */
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
    await options.db.$transaction((tx) =>
      keepUnusableDelivery(tx, {
        connectorId: connector.id,
        delivery,
        reason: (error as Error).message,
        issues: issuesOf(error),
        verified: false,
      }),
    );
    return answer(400, { error: (error as Error).message });
  }
  if (!verification.valid) {
    logger?.warn(`Webhook for "${connector.name}" refused: ${verification.reason}.`);
    return answer(401, { error: "The delivery's signature does not verify." });
  }
  const windowMs = options.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
  // Written so that an unreadable signed time (NaN) is outside the window too, never inside it.
  if (verification.sentAt && !(Math.abs(now.getTime() - verification.sentAt.getTime()) <= windowMs)) {
    logger?.warn(
      `Webhook for "${connector.name}" refused: signed at ${verification.sentAt.toISOString()}, outside the replay window.`,
    );
    return answer(401, { error: "The delivery was signed outside the replay window." });
  }
  // Known by its authenticated bytes, not by the provider's unsigned delivery-id header.
  const remembered = {
    connectorId: connector.id,
    deliveryKey: signedDeliveryKey(rawBody),
    providerDeliveryId: verification.deliveryId,
    receivedAt: now,
  };
  if (await isDeliverySeen(db, connector.id, remembered.deliveryKey)) {
    return answer(200, { duplicate: true });
  }

  let values: unknown[];
  let sync: SyncRequest | undefined;
  try {
    ({ records: values, sync } = await collectWebhookResult(handler.parse(delivery, ctx)));
  } catch (error) {
    const unusable = unusableBody(error);
    if (!unusable) throw error;
    if (!isPayloadError(error)) {
      logger?.error(`Webhook for "${connector.name}": the plugin failed on the body: ${unusable.reason}`);
    }
    try {
      await db.$transaction(async (tx) => {
        await keepUnusableDelivery(tx, { connectorId: connector.id, delivery, verified: true, ...unusable });
        if (!(await rememberDelivery(tx, remembered))) throw new DuplicateDelivery();
      });
    } catch (failure) {
      if (failure instanceof DuplicateDelivery) return answer(200, { duplicate: true });
      throw failure;
    }
    return answer(200, {
      received: 0,
      deadLettered: 1,
      reason: unusable.reason,
      issues: unusable.issues.slice(0, MAX_ISSUES_ANSWERED),
    });
  }
  const items: IngestItem[] = values.map((value) => {
    const result = validateRecord(value);
    return result.success
      ? { type: "record", record: result.data, payload: value, droppedIdentities: result.droppedIdentities }
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
        if (!(await rememberDelivery(tx, remembered))) throw new DuplicateDelivery();
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

const MAX_ISSUES_ANSWERED = 20;

function isPayloadError(error: unknown): boolean {
  // By name: a plugin built as a package may carry its own copy of the SDK's class.
  return error instanceof Error && error.name === "WebhookPayloadError";
}

function issuesOf(error: unknown): RecordIssue[] {
  const issues = (error as { issues?: unknown }).issues;
  return Array.isArray(issues)
    ? issues.filter(
        (issue): issue is RecordIssue =>
          typeof issue?.path === "string" && typeof issue?.message === "string",
      )
    : [];
}

/**
 * Why parse failed, when the body is the cause: the plugin said so (WebhookPayloadError), or its
 * mapping threw one of JavaScript's own errors on it (a TypeError from `line_items.filter` on a
 * string). Both fail the same way on every retry. Anything else (HttpError from the provider's API,
 * the database) may pass on a retry: undefined, and the hub answers 500.
 */
function unusableBody(error: unknown): { reason: string; issues: RecordIssue[] } | undefined {
  if (isPayloadError(error)) return { reason: (error as Error).message, issues: issuesOf(error) };
  if (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof SyntaxError ||
    error instanceof ReferenceError
  ) {
    return {
      reason: `The connector's plugin could not map this delivery (${error.name}: ${error.message}); it is kept to replay once the plugin is fixed.`,
      issues: [],
    };
  }
  return undefined;
}

/** The body, read up to `max` bytes; undefined when it is longer (without reading the rest). */
async function readBody(request: Request, max: number): Promise<Uint8Array | undefined> {
  if (Number(request.headers.get("content-length") ?? "0") > max) return undefined;
  return (await readBounded(request.body, max)) ?? undefined;
}

function answer(status: number, body: unknown): Response {
  return Response.json(body, { status });
}
