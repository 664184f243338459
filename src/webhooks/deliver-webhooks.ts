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
import { uuidv7 } from "../db/uuid-v7.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { WebhookEventType, WebhookFormat } from "../generated/prisma/enums.ts";
import type { Logger } from "../logger.ts";
import type { WebhookSettings } from "../policy/webhook-settings.ts";
import { openEndpointSecrets, signingSecrets } from "./endpoint-secrets.ts";
import { assertDeliverableUrl } from "./endpoint-urls.ts";
import { nextWait, parseRetryAfter } from "./retry-schedule.ts";
import { renderWebhookBody } from "./webhook-payloads.ts";
import { webhookHeaders } from "./webhook-signatures.ts";

const RESPONSE_EXCERPT = 1000;
const LEASE_MARGIN_MS = 30_000;
/** Claims alive at once across instances: seconds of work at the bench's rate, far within a lease. */
const DEFAULT_MAX_CLAIMED = 1000;

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

/**
 * A delivery claimed for one attempt. Its lease's end is the claim's token: a claim taken again after
 * the lease passed has a later one, so the first claimant's late attempt is neither made nor recorded.
 * Plain JSON (the lease as ISO text), since it travels as a job's data.
 */
export interface ClaimedDelivery {
  id: string;
  attemptCount: number;
  leaseUntil: string;
}

/** The webhook-id of an event: msg_ and its id (no full stop: the signed content is dot-delimited). */
export const webhookMessageId = (eventId: string) => `msg_${eventId.replaceAll("-", "")}`;

/**
 * Claims up to `limit` due deliveries (oldest due first), skipping rows another instance holds, and
 * no more than keep `maxClaimed` claims alive across instances: a backlog is claimed as the workers
 * get through it, not all at once, so no claim's lease runs out while it waits its turn.
 */
export async function claimDueDeliveries(
  deps: Pick<DeliveryDeps, "db" | "clock" | "settings">,
  limit: number,
  { maxClaimed = DEFAULT_MAX_CLAIMED }: { maxClaimed?: number } = {},
): Promise<ClaimedDelivery[]> {
  const now = deps.clock();
  const lease = new Date(now.getTime() + deps.settings.timeoutMs + LEASE_MARGIN_MS);
  const rows = await deps.db.$queryRaw<Array<{ id: string; attemptCount: number }>>`
    UPDATE "OutgoingWebhookDelivery" d SET "status" = 'SENDING', "leaseUntil" = ${lease}
    FROM (
      SELECT c."id" FROM "OutgoingWebhookDelivery" c
      JOIN "WebhookEndpoint" e ON e."id" = c."endpointId" AND e."enabled"
      WHERE (c."status" = 'PENDING' AND (c."nextAttemptAt" IS NULL OR c."nextAttemptAt" <= ${now}))
         OR (c."status" = 'SENDING' AND c."leaseUntil" <= ${now})
      ORDER BY c."nextAttemptAt" NULLS FIRST
      LIMIT GREATEST(0, LEAST(${limit}::int, ${maxClaimed}::int - (
        SELECT count(*)::int FROM "OutgoingWebhookDelivery" s
        WHERE s."status" = 'SENDING' AND s."leaseUntil" > ${now})))
      FOR UPDATE OF c SKIP LOCKED
    ) due
    WHERE d."id" = due."id"
    RETURNING d."id", d."attemptCount"`;
  return rows.map((row) => ({ ...row, leaseUntil: lease.toISOString() }));
}

export interface AttemptOutcome {
  status: "SUCCEEDED" | "PENDING" | "DEAD" | "SKIPPED";
  statusCode: number | null;
}

/** A claimed delivery with what its attempt needs: its endpoint and event. */
interface LoadedDelivery {
  id: string;
  attemptCount: number;
  leaseUntil: Date | null;
  endpointId: string;
  url: string;
  format: WebhookFormat;
  includePersonalData: boolean;
  encryptedSecrets: string;
  previousSecretExpiresAt: Date | null;
  eventId: string;
  type: WebhookEventType;
  occurredAt: Date;
  data: Prisma.JsonValue;
}

/**
 * Makes one attempt of each claimed delivery, at once, and records each outcome as it comes. A claim
 * no longer this one's (taken again after its lease passed, or finished) is SKIPPED.
 */
export async function attemptDeliveries(
  deps: DeliveryDeps,
  claims: readonly ClaimedDelivery[],
): Promise<AttemptOutcome[]> {
  if (claims.length === 0) return [];
  // One statement loads the batch: the embedded database runs one at a time, PostgreSQL's pool is shared.
  const rows = await deps.db.$queryRaw<LoadedDelivery[]>`
    SELECT d."id", d."attemptCount", d."leaseUntil", d."endpointId", e."url", e."format"::text AS format,
      e."includePersonalData", e."encryptedSecrets", e."previousSecretExpiresAt",
      ev."id" AS "eventId", ev."type"::text AS type, ev."occurredAt", ev."data"
    FROM "OutgoingWebhookDelivery" d
    JOIN "WebhookEndpoint" e ON e."id" = d."endpointId"
    JOIN "WebhookEvent" ev ON ev."id" = d."eventId"
    WHERE d."id" = ANY(${claims.map((claim) => claim.id)}::uuid[]) AND d."status" = 'SENDING'`;
  const loaded = new Map(rows.map((row) => [row.id, row]));
  return Promise.all(
    claims.map((claim) => {
      const delivery = loaded.get(claim.id);
      if (
        delivery?.leaseUntil?.toISOString() !== claim.leaseUntil ||
        delivery.attemptCount !== claim.attemptCount
      )
        return Promise.resolve<AttemptOutcome>({ status: "SKIPPED", statusCode: null });
      return postWebhook(deps, delivery).then((result) => recordAttempt(deps, delivery, result));
    }),
  );
}

/** Makes one attempt of a claimed delivery and records it. */
export async function attemptDelivery(deps: DeliveryDeps, claimed: ClaimedDelivery): Promise<AttemptOutcome> {
  const [outcome] = await attemptDeliveries(deps, [claimed]);
  return outcome ?? { status: "SKIPPED", statusCode: null };
}

/** Posts the delivery's event, signed; what came back, or why nothing did. Never throws. */
async function postWebhook(deps: DeliveryDeps, delivery: LoadedDelivery): Promise<AttemptResult> {
  const attemptedAt = deps.clock();
  const started = performance.now();
  const result: AttemptResult = {
    attemptedAt,
    durationMs: 0,
    statusCode: null,
    error: null,
    responseBody: null,
    retryAfterSeconds: null,
  };
  try {
    if (!deps.secretKey)
      throw new Error("This hub has no secret key to sign webhooks with (CXHUB_SECRET_KEY).");
    const secrets = openEndpointSecrets(deps.secretKey, delivery.endpointId, delivery.encryptedSecrets);
    const url = new URL(delivery.url);
    await assertDeliverableUrl(url, { allowPrivate: deps.settings.allowPrivateUrls });
    const body = renderWebhookBody(
      { type: delivery.type, occurredAt: delivery.occurredAt, data: delivery.data },
      delivery,
    );
    const headers = webhookHeaders(signingSecrets(secrets, delivery.previousSecretExpiresAt, attemptedAt), {
      id: webhookMessageId(delivery.eventId),
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
    result.statusCode = response.status;
    result.retryAfterSeconds = parseRetryAfter(response.headers.get("retry-after"), attemptedAt);
    result.responseBody = (await response.text()).slice(0, RESPONSE_EXCERPT);
    if (response.status < 200 || response.status > 299)
      result.error = `The endpoint answered ${response.status}.`;
  } catch (failure) {
    result.error = describeFailure(failure, deps.settings.timeoutMs);
  }
  result.durationMs = Math.round(performance.now() - started);
  return result;
}

interface AttemptResult {
  attemptedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  retryAfterSeconds: number | null;
}

/**
 * Writes the attempt and the delivery's new state in one statement (atomic without a transaction's
 * round trips), conditional on the claim still being this one's; a 410 disables the endpoint with it.
 */
async function recordAttempt(
  deps: DeliveryDeps,
  delivery: LoadedDelivery,
  result: AttemptResult,
): Promise<AttemptOutcome> {
  const number = delivery.attemptCount + 1;
  const succeeded = result.error === null;
  const gone = result.statusCode === 410;
  const wait = succeeded || gone ? null : nextWait(deps, number, result.retryAfterSeconds);
  const status = succeeded ? "SUCCEEDED" : wait === null ? "DEAD" : "PENDING";
  const now = deps.clock();
  const nextAttemptAt = wait === null ? null : new Date(now.getTime() + wait * 1000);
  const goneReason = `The endpoint answered 410 Gone at ${result.attemptedAt.toISOString()}: the receiver asked for no more webhooks. Enable it again (updateWebhookEndpoint) once it wants them.`;
  const [row] = await deps.db.$queryRaw<Array<{ recorded: number }>>`
    WITH updated AS (
      UPDATE "OutgoingWebhookDelivery" SET
        "status" = ${status}::"WebhookDeliveryStatus", "attemptCount" = ${number}, "leaseUntil" = NULL,
        "nextAttemptAt" = ${nextAttemptAt}, "lastStatusCode" = ${result.statusCode}, "lastError" = ${result.error},
        "succeededAt" = CASE WHEN ${status} = 'SUCCEEDED' THEN ${now}::timestamptz ELSE "succeededAt" END,
        "deadAt" = CASE WHEN ${status} = 'DEAD' THEN ${now}::timestamptz ELSE "deadAt" END
      WHERE "id" = ${delivery.id}::uuid AND "status" = 'SENDING' AND "leaseUntil" = ${delivery.leaseUntil}
        AND "attemptCount" = ${delivery.attemptCount}
      RETURNING "id", "endpointId"
    ), attempt AS (
      INSERT INTO "OutgoingWebhookAttempt"
        ("id", "deliveryId", "number", "attemptedAt", "durationMs", "statusCode", "error", "responseBody")
      SELECT ${uuidv7()}::uuid, "id", ${number}, ${result.attemptedAt}, ${result.durationMs}, ${result.statusCode},
        ${result.error}, ${result.responseBody}
      FROM updated
      RETURNING 1
    ), disabled AS (
      UPDATE "WebhookEndpoint" SET "enabled" = false, "disabledReason" = ${goneReason}, "updatedAt" = ${now}
      WHERE ${gone} AND "id" IN (SELECT "endpointId" FROM updated)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM attempt)::int AS recorded`;
  if (!row?.recorded) {
    deps.logger.warn(
      `Webhook delivery ${delivery.id}: its attempt ${number} is not recorded (${result.statusCode ?? result.error}): it outlived its lease and another worker claimed the delivery, or its endpoint was deleted meanwhile.`,
    );
    return { status: "SKIPPED", statusCode: result.statusCode };
  }
  if (status === "DEAD")
    deps.logger.warn(
      `Webhook delivery ${delivery.id} to endpoint ${delivery.endpointId} is dead-lettered after ${number} attempt(s): ${result.error}`,
    );
  return { status, statusCode: result.statusCode };
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
    const outcomes = await attemptDeliveries(deps, claimed);
    attempts += outcomes.filter((outcome) => outcome.status !== "SKIPPED").length;
    if (claimed.length < batchSize) return attempts;
  }
}
