// Delivering webhooks: each delivery row is its own outbox. A delivery due (PENDING, new or its retry
// time come by the hub's clock, its endpoint enabled) is claimed for one attempt (SENDING, with a lease: a worker
// that dies leaves it to be claimed again when the lease passes), posted with its signed headers, and
// its outcome written with the attempt, conditional on the claim still being this one's:
//   2xx        SUCCEEDED
//   410 Gone   DEAD, and the endpoint disabled (the receiver asked for no more, as the specification says)
//   otherwise  PENDING again after the next wait of the retry schedule (with jitter, and no sooner than
//              a Retry-After asks), or DEAD (dead-lettered) once the schedule is spent.
// Redirects are failures (the specification: update the URL instead). The job engine carries claimed
// deliveries to workers (src/jobs/webhook-jobs.ts); deliverDueWebhooks runs the same steps inline.
import type { Clock } from "../clock.ts";
import type { PrismaClient } from "../db/database.ts";
import { describeError } from "../db/database-errors.ts";
import { ConflictError, NotFoundError } from "../domain/errors.ts";
import { WEBHOOKS_CHANNEL } from "../domain/webhooks/webhook-events.ts";
import type { OutgoingWebhookDelivery } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import type { WebhookSettings } from "../policy/webhook-settings.ts";
import { openEndpointSecrets, signingSecrets } from "./endpoint-secrets.ts";
import { assertDeliverableUrl } from "./endpoint-urls.ts";
import { renderWebhookBody } from "./webhook-payloads.ts";
import { webhookHeaders } from "./webhook-signatures.ts";

const RESPONSE_EXCERPT = 1000;
const LEASE_MARGIN_MS = 30_000;
const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

export interface DeliveryDeps {
  db: PrismaClient;
  /** The key the endpoints' secrets are encrypted with. */
  secretKey: Uint8Array | null;
  settings: WebhookSettings;
  clock: Clock;
  logger: Logger;
  /** A number in [0, 1) for the jitter; Math.random when omitted (tests pin it). */
  random?: () => number;
}

/** A delivery claimed for one attempt: the attempt count it was claimed at is the claim's token. */
export interface ClaimedDelivery {
  id: string;
  attemptCount: number;
}

/** The webhook-id of an event: msg_ and its id (no full stop: the signed content is dot-delimited). */
export const webhookMessageId = (eventId: string) => `msg_${eventId.replaceAll("-", "")}`;

/** Claims up to `limit` due deliveries (oldest due first), skipping rows another instance holds. */
export async function claimDueDeliveries(
  deps: Pick<DeliveryDeps, "db" | "clock" | "settings">,
  limit: number,
): Promise<ClaimedDelivery[]> {
  const now = deps.clock();
  const lease = new Date(now.getTime() + deps.settings.timeoutMs + LEASE_MARGIN_MS);
  return deps.db.$queryRaw<ClaimedDelivery[]>`
    UPDATE "OutgoingWebhookDelivery" d SET "status" = 'SENDING', "leaseUntil" = ${lease}
    FROM (
      SELECT c."id" FROM "OutgoingWebhookDelivery" c
      JOIN "WebhookEndpoint" e ON e."id" = c."endpointId" AND e."enabled"
      WHERE (c."status" = 'PENDING' AND (c."nextAttemptAt" IS NULL OR c."nextAttemptAt" <= ${now}))
         OR (c."status" = 'SENDING' AND c."leaseUntil" <= ${now})
      ORDER BY c."nextAttemptAt" NULLS FIRST LIMIT ${limit}
      FOR UPDATE OF c SKIP LOCKED
    ) due
    WHERE d."id" = due."id"
    RETURNING d."id", d."attemptCount"`;
}

export interface AttemptOutcome {
  status: "SUCCEEDED" | "PENDING" | "DEAD" | "SKIPPED";
  statusCode: number | null;
}

/** Makes one attempt of a claimed delivery and records it. */
export async function attemptDelivery(deps: DeliveryDeps, claimed: ClaimedDelivery): Promise<AttemptOutcome> {
  const { db } = deps;
  const delivery = await db.outgoingWebhookDelivery.findFirst({
    where: { id: claimed.id, status: "SENDING", attemptCount: claimed.attemptCount },
    include: { event: true, endpoint: true },
  });
  // Claimed again by another worker after our lease passed, or finished: not ours any more.
  if (!delivery) return { status: "SKIPPED", statusCode: null };
  const { endpoint, event } = delivery;
  const attemptedAt = deps.clock();
  const started = performance.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  let responseBody: string | null = null;
  let retryAfterSeconds: number | null = null;
  try {
    if (!deps.secretKey)
      throw new Error("This hub has no secret key to sign webhooks with (CXHUB_SECRET_KEY).");
    const secrets = openEndpointSecrets(deps.secretKey, endpoint.id, endpoint.encryptedSecrets);
    const url = new URL(endpoint.url);
    await assertDeliverableUrl(url, { allowPrivate: deps.settings.allowPrivateUrls });
    const body = renderWebhookBody(event, endpoint);
    const headers = webhookHeaders(signingSecrets(secrets, endpoint.previousSecretExpiresAt, attemptedAt), {
      id: webhookMessageId(event.id),
      timestamp: attemptedAt,
      body,
    });
    const response = await fetch(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "user-agent": "cx-hub-webhooks/1" },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(deps.settings.timeoutMs),
    });
    statusCode = response.status;
    retryAfterSeconds = parseRetryAfter(response.headers.get("retry-after"), attemptedAt);
    responseBody = (await response.text()).slice(0, RESPONSE_EXCERPT);
    if (statusCode < 200 || statusCode > 299) error = `The endpoint answered ${statusCode}.`;
  } catch (failure) {
    error = describeFailure(failure, deps.settings.timeoutMs);
  }
  const durationMs = Math.round(performance.now() - started);
  return recordAttempt(deps, delivery, {
    attemptedAt,
    durationMs,
    statusCode,
    error,
    responseBody,
    retryAfterSeconds,
  });
}

interface AttemptResult {
  attemptedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  retryAfterSeconds: number | null;
}

async function recordAttempt(
  deps: DeliveryDeps,
  delivery: OutgoingWebhookDelivery,
  result: AttemptResult,
): Promise<AttemptOutcome> {
  const number = delivery.attemptCount + 1;
  const succeeded = result.error === null;
  const gone = result.statusCode === 410;
  const wait = succeeded || gone ? null : nextWait(deps, number, result.retryAfterSeconds);
  const status = succeeded ? "SUCCEEDED" : wait === null ? "DEAD" : "PENDING";
  const now = deps.clock();
  await deps.db
    .$transaction(async (tx) => {
      const { count } = await tx.outgoingWebhookDelivery.updateMany({
        where: { id: delivery.id, status: "SENDING", attemptCount: delivery.attemptCount },
        data: {
          status,
          attemptCount: number,
          leaseUntil: null,
          nextAttemptAt: wait === null ? null : new Date(now.getTime() + wait * 1000),
          lastStatusCode: result.statusCode,
          lastError: result.error,
          ...(status === "SUCCEEDED" && { succeededAt: now }),
          ...(status === "DEAD" && { deadAt: now }),
        },
      });
      if (count === 0) throw new LostClaimError();
      await tx.outgoingWebhookAttempt.create({
        data: {
          deliveryId: delivery.id,
          number,
          attemptedAt: result.attemptedAt,
          durationMs: result.durationMs,
          statusCode: result.statusCode,
          error: result.error,
          responseBody: result.responseBody,
        },
      });
      if (gone) {
        await tx.webhookEndpoint.update({
          where: { id: delivery.endpointId },
          data: {
            enabled: false,
            disabledReason: `The endpoint answered 410 Gone at ${result.attemptedAt.toISOString()}: the receiver asked for no more webhooks. Enable it again (updateWebhookEndpoint) once it wants them.`,
            updatedAt: now,
          },
        });
      }
    })
    .catch((error: unknown) => {
      if (!(error instanceof LostClaimError)) throw error;
      deps.logger.warn(
        `Webhook delivery ${delivery.id}: its attempt ${number} outlived its lease and another worker claimed it; its outcome (${result.statusCode ?? result.error}) is not recorded.`,
      );
    });
  if (status === "DEAD")
    deps.logger.warn(
      `Webhook delivery ${delivery.id} to endpoint ${delivery.endpointId} is dead-lettered after ${number} attempt(s): ${result.error}`,
    );
  return { status, statusCode: result.statusCode };
}

class LostClaimError extends Error {}

/** Seconds until the next attempt after attempt `number` failed; null when the schedule is spent. */
export function nextWait(
  deps: Pick<DeliveryDeps, "settings" | "random">,
  number: number,
  retryAfterSeconds: number | null,
): number | null {
  const delay = deps.settings.retryDelaysSeconds[number - 1];
  if (delay === undefined) return null;
  const random = deps.random ?? Math.random;
  const jittered = delay * (1 + deps.settings.jitter * (2 * random() - 1));
  return Math.max(jittered, Math.min(retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS));
}

/** Retry-After as seconds from `now`: a number of seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, (date - now.getTime()) / 1000);
}

function describeFailure(failure: unknown, timeoutMs: number): string {
  if (failure instanceof DOMException && failure.name === "TimeoutError")
    return `No answer within ${timeoutMs} ms (CXHUB_WEBHOOK_TIMEOUT_SECONDS).`;
  const cause = (failure as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `The request failed: ${cause.code}${cause.message ? ` (${cause.message})` : ""}.`;
  return `The request failed: ${describeError(failure)}`;
}

/** Claims and attempts the due deliveries until none is left; returns how many attempts were made. */
export async function deliverDueWebhooks(deps: DeliveryDeps, { batchSize = 50 } = {}): Promise<number> {
  let attempts = 0;
  for (;;) {
    const claimed = await claimDueDeliveries(deps, batchSize);
    const outcomes = await Promise.all(claimed.map((delivery) => attemptDelivery(deps, delivery)));
    attempts += outcomes.filter((outcome) => outcome.status !== "SKIPPED").length;
    if (claimed.length < batchSize) return attempts;
  }
}

/**
 * Sends an event to an endpoint again, as a new delivery of the same message (same webhook-id, so a
 * receiver that already has it can tell), due at once. A delivery still on its way is refused.
 */
export async function replayWebhookDelivery(
  db: PrismaClient,
  deliveryId: string,
  now: Date,
): Promise<OutgoingWebhookDelivery> {
  const original = await db.outgoingWebhookDelivery.findUnique({
    where: { id: deliveryId },
    include: { endpoint: { select: { enabled: true } } },
  });
  if (!original)
    throw new NotFoundError(`No webhook delivery has the id ${deliveryId}.`, "WebhookDelivery", deliveryId);
  if (original.status === "PENDING" || original.status === "SENDING")
    throw new ConflictError(
      `Webhook delivery ${deliveryId} is still on its way (${original.status.toLowerCase()}): it is retried on its own; replay it once it succeeded or was dead-lettered.`,
    );
  if (!original.endpoint.enabled)
    throw new ConflictError(
      "The delivery's endpoint is disabled: enable it (updateWebhookEndpoint with enabled: true), then replay.",
    );
  return db.$transaction(async (tx) => {
    const replay = await tx.outgoingWebhookDelivery.create({
      data: {
        eventId: original.eventId,
        endpointId: original.endpointId,
        replayOfId: original.id,
        createdAt: now,
      },
    });
    await tx.$executeRaw`SELECT pg_notify(${WEBHOOKS_CHANNEL}, '')`;
    return replay;
  });
}
