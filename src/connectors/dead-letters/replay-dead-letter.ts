// Replaying a dead letter once its cause is fixed: the stored record is validated again (or replaced
// by a corrected one the integrator gives) and ingested through the one ingest path; a delivery kept
// whole is parsed again by its plugin (it was authenticated when received; its signed time would be
// outside any replay window by now, so it is not verified again). Success marks it REPLAYED in the
// same transaction; a record still refused stays PENDING with the new reason. Discarding ends it.

import { systemClock } from "../../clock.ts";
import { describeError } from "../../db/database-errors.ts";
import { parseStoredJson, StoredDataError } from "../../db/stored-json.ts";
import { ConflictError, NotFoundError } from "../../domain/errors.ts";
import type { DeadLetter, Prisma, PrismaClient } from "../../generated/prisma/client.ts";
import { runUnitOfWork, type WriteContext } from "../../pipeline/unit-of-work.ts";
import { DEFAULT_SCORING_POLICY } from "../../policy/scoring-policy.ts";
import { createConnectorContext } from "../../sdk/context.ts";
import { validateRecord } from "../../sdk/records.ts";
import {
  redactBodyCredentials,
  redactCredentialsInText,
  redactJsonCredentials,
} from "../../sdk/redact-credentials.ts";
import { collectWebhookResult, type WebhookRequest } from "../../sdk/webhooks.ts";
import { readConnectorConfig } from "../connector-store.ts";
import {
  BATCH_TRANSACTION,
  type IngestCounts,
  type IngestItem,
  ingestInUnit,
} from "../ingest/ingest-records.ts";
import { type PluginRegistry, requirePlugin } from "../plugin-registry.ts";
import { recordSyncRequest } from "../sync/sync-requests.ts";
import { isRecordFault } from "./record-fault.ts";
import { deliveryDetailsSchema, deliveryHeadersSchema } from "./write-dead-letters.ts";

export interface ReplayOptions {
  db: PrismaClient;
  plugins: PluginRegistry;
  /** Null without a key: connectors whose plugins have secret fields cannot run. */
  secretKey: Uint8Array | null;
  /** The policy and clock the replay is written with; the defaults and the machine's clock when omitted. */
  writes?: WriteContext;
}

export interface ReplayResult {
  deadLetter: DeadLetter;
  replayed: boolean;
  /** Why it is still refused, when not replayed. */
  reason?: string;
  counts?: IngestCounts;
}

/**
 * Replays one PENDING dead letter. `payload` replaces a RECORD letter's record (a corrected copy);
 * it is stored on the letter only if it is ingested.
 */
export async function replayDeadLetter(
  options: ReplayOptions,
  id: string,
  fix: { payload?: unknown } = {},
): Promise<ReplayResult> {
  const { db } = options;
  const letter = await pendingLetter(db, id);
  if (!letter.connectorId) throw new ConflictError(`Dead letter ${id} has no connector: discard it.`);
  const connector = await db.connector.findUniqueOrThrow({ where: { id: letter.connectorId } });
  const plugin = requirePlugin(options.plugins, connector.pluginId);

  const values = await (letter.kind === "RECORD"
    ? recordValues(letter, fix)
    : deliveryValues(options, letter));
  if ("refused" in values) return keepPending(db, letter, values.refused);
  const items: IngestItem[] = values.list.map((value) => {
    const result = validateRecord(value);
    return result.success
      ? { type: "record", record: result.data, payload: value, droppedIdentities: result.droppedIdentities }
      : { type: "invalid", payload: value, reason: result.reason, issues: result.issues };
  });
  // A record letter still invalid stays itself, rather than becoming a new letter.
  const first = items[0];
  if (letter.kind === "RECORD" && first?.type === "invalid") {
    return keepPending(db, letter, first.reason, {
      issues: first.issues.map(({ path, message }) => ({ path, message })),
    });
  }
  const origin = {
    connectorId: connector.id,
    source: connector.name,
    channel: plugin.channel,
    stream: letter.stream ?? "replay",
  };
  try {
    const writes = options.writes ?? { policy: DEFAULT_SCORING_POLICY, clock: systemClock };
    const { value: counts } = await runUnitOfWork(
      db,
      writes,
      async (unit) => {
        const { tx } = unit;
        const counts = await ingestInUnit(unit, origin, items);
        const { count } = await tx.deadLetter.updateMany({
          where: { id, status: "PENDING" },
          data: {
            status: "REPLAYED",
            resolvedAt: unit.now,
            ...(fix.payload !== undefined
              ? { payload: redactBodyCredentials(JSON.stringify(fix.payload)) }
              : {}),
          },
        });
        if (count !== 1) throw new ConflictError(`Dead letter ${id} was replayed or discarded meanwhile.`);
        // The delivery asked for a sync: the next scheduler tick answers it.
        if (values.sync)
          await recordSyncRequest(tx, connector.id, { reason: values.sync.reason, at: unit.now });
        return counts;
      },
      BATCH_TRANSACTION,
    );
    return { deadLetter: await db.deadLetter.findUniqueOrThrow({ where: { id } }), replayed: true, counts };
  } catch (error) {
    if (!isRecordFault(error)) throw error;
    return keepPending(db, letter, `The hub could not store it: ${describeError(error)}`);
  }
}

/** Ends a PENDING dead letter without ingesting it. */
export async function discardDeadLetter(db: PrismaClient, id: string): Promise<DeadLetter> {
  await pendingLetter(db, id);
  await db.deadLetter.updateMany({
    where: { id, status: "PENDING" },
    data: { status: "DISCARDED", resolvedAt: new Date() },
  });
  return db.deadLetter.findUniqueOrThrow({ where: { id } });
}

async function pendingLetter(db: PrismaClient, id: string): Promise<DeadLetter> {
  const letter = await db.deadLetter.findUnique({ where: { id } });
  if (!letter) throw new NotFoundError(`No dead letter has the id ${id}.`, "DeadLetter", id);
  if (letter.status !== "PENDING") {
    throw new ConflictError(
      `Dead letter ${id} is ${letter.status.toLowerCase()} already: only pending ones can be replayed or discarded.`,
    );
  }
  return letter;
}

type Values = { list: unknown[]; sync?: { reason: string } } | { refused: string };

async function recordValues(letter: DeadLetter, fix: { payload?: unknown }): Promise<Values> {
  if (fix.payload !== undefined) return { list: [fix.payload] };
  try {
    return { list: [JSON.parse(letter.payload)] };
  } catch (error) {
    return {
      refused: `The stored payload is not JSON (${(error as Error).message}): replay it with a corrected payload, or discard it.`,
    };
  }
}

/** The records of a delivery kept whole, parsed again by its plugin. */
async function deliveryValues(options: ReplayOptions, letter: DeadLetter): Promise<Values> {
  const connector = await options.db.connector.findUniqueOrThrow({
    where: { id: letter.connectorId as string },
  });
  const plugin = requirePlugin(options.plugins, connector.pluginId);
  if (!plugin.webhooks) return { refused: `Plugin "${plugin.id}" no longer handles webhooks.` };
  // A delivery that cannot be rebuilt stays pending with the reason, like a record still refused.
  let stored: ReturnType<typeof storedDelivery>;
  try {
    stored = storedDelivery(letter);
  } catch (error) {
    if (error instanceof StoredDataError) return { refused: error.message };
    throw error;
  }
  const { details, headers } = stored;
  const request: WebhookRequest = {
    method: details.method,
    url: details.url ?? `https://hub.invalid/webhooks/${connector.name}`,
    headers: new Headers(headers),
    rawBody:
      details.encoding === "base64"
        ? Buffer.from(letter.payload, "base64")
        : new TextEncoder().encode(letter.payload),
  };
  const ctx = createConnectorContext(plugin, { config: readConnectorConfig(options.secretKey, connector) });
  try {
    const { records, sync } = await collectWebhookResult(plugin.webhooks.parse(request, ctx));
    return { list: records, ...(sync ? { sync } : {}) };
  } catch (error) {
    if ((error as Error).name !== "WebhookPayloadError") throw error;
    return { refused: (error as Error).message };
  }
}

const DAMAGED_DELIVERY =
  "The delivery cannot be rebuilt from it: discard the letter, and ask the provider to send the event again.";

/** How a kept delivery came; a letter kept without details or headers reads their defaults. */
function storedDelivery(letter: DeadLetter) {
  const where = { table: "DeadLetter", rowId: letter.id, remedy: DAMAGED_DELIVERY };
  return {
    details: parseStoredJson(deliveryDetailsSchema, letter.details ?? {}, { ...where, column: "details" }),
    headers: parseStoredJson(deliveryHeadersSchema, letter.headers ?? {}, { ...where, column: "headers" }),
  };
}

async function keepPending(
  db: PrismaClient,
  letter: DeadLetter,
  reason: string,
  details?: Prisma.InputJsonObject,
): Promise<ReplayResult> {
  const deadLetter = await db.deadLetter.update({
    where: { id: letter.id },
    // The new reason may quote what a plugin or the store said, URLs included: no credential stays.
    data: {
      reason: redactCredentialsInText(reason).slice(0, 10_000),
      ...(details ? { details: redactJsonCredentials(details) as Prisma.InputJsonObject } : {}),
    },
  });
  return { deadLetter, replayed: false, reason };
}
