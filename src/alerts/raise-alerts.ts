// Raises churn-risk alerts for a batch of score changes, in the transaction that wrote the scores
// (rescoreCustomers calls it after every batch, so every path that changes a score is covered).
// Set-based, and few round trips (every statement after the alerts' insert is latency their subscribers
// wait through): one statement locks the batch's alert states (one more inserts those a customer
// crossing for the first time lacks), and one writes the states that moved, inserts the alerts, wakes
// the dispatchers and says whether webhooks or a digest need more. All go straight to the driver
// (transaction-sql.ts). The stored state, read under its row lock, decides, not the previous score a
// concurrent rescore may have read before us: two instances rescoring one customer decide each
// crossing once, and the trigger key (customer, level, alert number) makes a second insert a no-op.
//
// In the same transaction, the open alerts of the levels a customer's risk has fallen below resolve
// themselves (alert-policy.ts says when), with the reason and a sentence saying how far it fell.
// Given mode "rebaseline" (a refit, new rules), the states move to the new scores' levels and nothing
// is raised.
//
// More than `digestAbove` alerts for one owner from one transaction are gathered into a digest
// (digest-alerts.ts), which is published instead of them.
//
// Raised alerts are not published here: the alert row is the outbox, published by the dispatcher
// (dispatch-alerts.ts) once this transaction has committed. pg_notify wakes the dispatchers at
// commit, and is dropped with everything else on a rollback. The outgoing webhook events of the
// alerts raised and resolved (alert-webhooks.ts) are recorded in this transaction too.
import { v7 as uuidv7 } from "uuid";
import { type TransactionSql, transactionSql } from "../db/transaction-sql.ts";
import { webhookSubscribersSql } from "../domain/webhooks/webhook-events.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { ChurnRiskLevel } from "../generated/prisma/enums.ts";
import type { AlertLevel, AlertPolicy } from "../policy/alert-policy-settings.ts";
import type { ScoreChange } from "../scoring/rescore-customers.ts";
import {
  type AlertMode,
  type AlertState,
  type AutoResolutionReason,
  alertLevelOf,
  alertTriggerKey,
  decideAlert,
  initialAlertState,
  rebaselineAlert,
  resolutionNote,
} from "./alert-policy.ts";
import { alertWebhookTypes, recordAlertWebhooks } from "./alert-webhooks.ts";
import { digestCrowdedOwners, RAISED_IN_THIS_TRANSACTION, type RaisedDigest } from "./digest-alerts.ts";
import { notifyScoreChanges } from "./score-change-feed.ts";

/** The channel that tells dispatchers an alert was committed (payload: nothing). */
export const ALERTS_CHANNEL = "cxhub_alerts";

export interface RaisedAlert {
  id: string;
  customerId: string;
  level: AlertLevel;
}

/** An open alert the hub resolved because the risk that raised it went away. */
export interface ResolvedAlert {
  id: string;
  customerId: string;
  level: AlertLevel;
  reason: AutoResolutionReason;
}

export interface AlertOutcome {
  /** Alerts raised, published once the transaction commits. */
  raised: RaisedAlert[];
  /** Open alerts resolved, in the same transaction. */
  resolved: ResolvedAlert[];
  /** Digests written or grown: owners with more than `digestAbove` alerts from this transaction. */
  digests: RaisedDigest[];
}

export interface RaiseAlertsOptions {
  /** The clock: cool-downs are measured from it and resolutions stamped with it. */
  now: Date;
  /** `decide` (the default) applies the alert rule; `rebaseline` moves states to the new levels silently. */
  mode?: AlertMode;
}

interface StateRow extends Record<string, unknown> {
  customerId: string;
  alertedLevel: ChurnRiskLevel | null;
  alertCount: number;
  lastHighAlertAt: Date | string | null;
  lastCriticalAlertAt: Date | string | null;
}

export async function raiseAlerts(
  tx: Prisma.TransactionClient,
  changes: ScoreChange[],
  policy: AlertPolicy,
  { now, mode = "decide" }: RaiseAlertsOptions,
): Promise<AlertOutcome> {
  await notifyScoreChanges(tx, changes);
  if (changes.length === 0) return { raised: [], resolved: [], digests: [] };
  const sql = transactionSql(tx);
  const ids = changes.map((change) => change.customerId);
  const stored = await lockStates(sql, ids);
  // A customer without a stored state needs one only if they are, or were, at an alert level.
  const missing = changes.filter(
    (change) =>
      !stored.has(change.customerId) &&
      (alertLevelOf(change.churnRisk, policy) !== null ||
        (change.previousRisk !== null && alertLevelOf(change.previousRisk, policy) !== null)),
  );
  if (missing.length > 0) {
    const inserted = await insertStates(
      sql,
      missing.map((change) => ({
        customerId: change.customerId,
        // A rebaseline moves the customer to their new level below, whatever they start from.
        state: initialAlertState(change.previousRisk, change.churnRisk, policy),
      })),
      now,
    );
    for (const [id, row] of inserted) stored.set(id, row);
    // A concurrent transaction inserted the others first (the insert waited for its commit): theirs
    // is the state that counts, read under its lock.
    const theirs = missing.filter((change) => !inserted.has(change.customerId));
    if (theirs.length > 0) {
      for (const [id, row] of await lockStates(
        sql,
        theirs.map((change) => change.customerId),
      ))
        stored.set(id, row);
    }
  }

  const moved: Array<{ customerId: string; state: AlertState }> = [];
  const alerts: NewAlert[] = [];
  const resolutions: Resolution[] = [];
  for (const change of changes) {
    // Alerts are raised only where a state is stored, so a customer without one has none to resolve.
    const row = stored.get(change.customerId);
    if (!row) continue;
    const before = toState(row);
    const decision =
      mode === "rebaseline"
        ? rebaselineAlert(before, change.churnRisk, policy)
        : decideAlert(before, change.churnRisk, policy, now);
    if (!sameState(before, decision.state))
      moved.push({ customerId: change.customerId, state: decision.state });
    for (const level of decision.resolve.levels) {
      resolutions.push({
        customerId: change.customerId,
        level,
        reason: decision.resolve.reason,
        note: resolutionNote(level, change.churnRisk, policy, decision.resolve.reason),
      });
    }
    if (decision.raise) {
      alerts.push({
        ...change,
        id: uuidv7(),
        level: decision.raise,
        triggerKey: alertTriggerKey(change.customerId, decision.raise, decision.state.alertCount),
      });
    }
  }
  const resolved = resolutions.length > 0 ? await resolveAlerts(tx, resolutions, now) : [];
  const written = await writeStatesAndAlerts(sql, moved, alerts, {
    now,
    digestAbove: policy.digestAbove,
    webhookTypes: alertWebhookTypes({ raised: alerts, resolved }),
  });
  const raised = written.map(({ id, customerId, level }) => ({ id, customerId, level }));
  await recordAlertWebhooks(
    tx,
    { raised: raised.map((alert) => alert.id), resolved: resolved.map((alert) => alert.id) },
    now,
    written[0]?.subscribed,
  );
  const digests = written[0]?.crowded ? await digestCrowdedOwners(tx, policy.digestAbove) : [];
  return { raised, resolved, digests };
}

type NewAlert = ScoreChange & { id: string; level: AlertLevel; triggerKey: string };
type WrittenAlert = RaisedAlert & { subscribed: boolean; crowded: boolean } & Record<string, unknown>;

/**
 * One statement: the states that moved are written, the alerts inserted (a trigger key already
 * stored makes its insert a no-op) and, when any was, the dispatchers notified (at commit; repeats
 * of one notification in a transaction are delivered once). Each inserted alert's row also says
 * whether an enabled endpoint subscribes to `webhookTypes`, and whether an owner now has more than
 * `digestAbove` of this transaction's alerts (digest-alerts.ts), so that neither costs a round trip
 * when the answer is no.
 */
async function writeStatesAndAlerts(
  sql: TransactionSql,
  moved: Array<{ customerId: string; state: AlertState }>,
  alerts: NewAlert[],
  { now, digestAbove, webhookTypes }: { now: Date; digestAbove: number; webhookTypes: string[] },
): Promise<WrittenAlert[]> {
  if (moved.length === 0 && alerts.length === 0) return [];
  const state = <T>(pick: (row: (typeof moved)[number]) => T) => moved.map(pick);
  const alert = <T>(pick: (alert: NewAlert) => T) => alerts.map(pick);
  return sql.query<WrittenAlert>(
    `WITH moved AS (
       UPDATE "CustomerAlertState" s SET
         "alertedLevel" = t.level::"ChurnRiskLevel", "alertCount" = t.count,
         "lastHighAlertAt" = t.high, "lastCriticalAlertAt" = t.critical, "updatedAt" = $1::timestamptz
       FROM unnest($2::uuid[], $3::text[], $4::int[], $5::timestamptz[], $6::timestamptz[])
         AS t("customerId", level, count, high, critical)
       WHERE s."customerId" = t."customerId"
     ), inserted AS (
       INSERT INTO "Alert" ("id", "customerId", "ownerId", "level", "score", "previousScore", "previousLevel",
         "reasons", "triggerKey", "createdAt", "raisedInTransaction")
       SELECT id, "customerId", "ownerId", level::"ChurnRiskLevel", score, "previousScore",
         "previousLevel"::"ChurnRiskLevel", reasons::jsonb, "triggerKey", clock_timestamp(),
         pg_current_xact_id()::text::bigint
       FROM unnest($7::uuid[], $8::uuid[], $9::uuid[], $10::text[], $11::float8[], $12::float8[], $13::text[],
         $14::text[], $15::text[])
         AS t(id, "customerId", "ownerId", level, score, "previousScore", "previousLevel", reasons, "triggerKey")
       ON CONFLICT ("triggerKey") DO NOTHING
       RETURNING "id", "customerId", "level", "ownerId"
     ), pending AS (
       -- This transaction's alerts: those of its earlier statements, and these (not yet visible here).
       SELECT "ownerId" FROM "Alert" WHERE ${RAISED_IN_THIS_TRANSACTION}
       UNION ALL SELECT "ownerId" FROM inserted
     )
     SELECT i."id"::text AS id, i."customerId"::text AS "customerId", i."level"::text AS level,
       ${webhookSubscribersSql("$16")} AS subscribed,
       EXISTS (SELECT 1 FROM pending GROUP BY "ownerId" HAVING count(*) > $17::int) AS crowded,
       pg_notify($18, '')::text AS notified
     FROM inserted i`,
    [
      now.toISOString(),
      state((r) => r.customerId),
      state((r) => r.state.alertedLevel),
      state((r) => r.state.alertCount),
      state((r) => r.state.lastHighAlertAt?.toISOString() ?? null),
      state((r) => r.state.lastCriticalAlertAt?.toISOString() ?? null),
      alert((a) => a.id),
      alert((a) => a.customerId),
      alert((a) => a.ownerId),
      alert((a) => a.level),
      alert((a) => a.churnRisk),
      alert((a) => a.previousRisk),
      alert((a) => a.previousLevel),
      alert((a) => JSON.stringify(a.reasons)),
      alert((a) => a.triggerKey),
      webhookTypes,
      digestAbove,
      ALERTS_CHANNEL,
    ],
  );
}

interface Resolution {
  customerId: string;
  level: AlertLevel;
  reason: AutoResolutionReason;
  note: string;
}

/**
 * Resolves the open (or acknowledged) alerts of each customer and level given, in one statement. The
 * status condition makes it a no-op for an alert a person resolved meanwhile: theirs stands.
 */
async function resolveAlerts(
  tx: Prisma.TransactionClient,
  resolutions: Resolution[],
  now: Date,
): Promise<ResolvedAlert[]> {
  const column = <T>(pick: (row: Resolution) => T) => resolutions.map(pick);
  return tx.$queryRaw<ResolvedAlert[]>`
    UPDATE "Alert" a SET "status" = 'RESOLVED', "resolvedAt" = ${now},
      "resolutionReason" = t.reason::"AlertResolutionReason", "resolutionNote" = t.note
    FROM unnest(
      ${column((r) => r.customerId)}::uuid[],
      ${column((r) => r.level)}::text[],
      ${column((r) => r.reason)}::text[],
      ${column((r) => r.note)}::text[]
    ) AS t("customerId", level, reason, note)
    WHERE a."customerId" = t."customerId" AND a."level"::text = t.level
      AND a."status" IN ('OPEN', 'ACKNOWLEDGED')
    RETURNING a."id", a."customerId", a."level"::text AS level, t.reason`;
}

const STATE_COLUMNS = `"customerId"::text AS "customerId", "alertedLevel"::text AS "alertedLevel", "alertCount",
  "lastHighAlertAt", "lastCriticalAlertAt"`;

async function lockStates(sql: TransactionSql, ids: string[]): Promise<Map<string, StateRow>> {
  const rows = await sql.query<StateRow>(
    `SELECT ${STATE_COLUMNS} FROM "CustomerAlertState" WHERE "customerId" = ANY($1::uuid[])
      ORDER BY "customerId" FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((row) => [row.customerId, row]));
}

/** Inserts the states, in id order; answers those it inserted (a concurrent writer's stand). */
async function insertStates(
  sql: TransactionSql,
  rows: Array<{ customerId: string; state: AlertState }>,
  now: Date,
): Promise<Map<string, StateRow>> {
  const sorted = [...rows].sort((a, b) => a.customerId.localeCompare(b.customerId));
  const inserted = await sql.query<StateRow>(
    `INSERT INTO "CustomerAlertState" ("customerId", "alertedLevel", "updatedAt")
     SELECT "customerId", level::"ChurnRiskLevel", $1::timestamptz
       FROM unnest($2::uuid[], $3::text[]) AS t("customerId", level)
     ON CONFLICT ("customerId") DO NOTHING
     RETURNING ${STATE_COLUMNS}`,
    [now.toISOString(), sorted.map((r) => r.customerId), sorted.map((r) => r.state.alertedLevel)],
  );
  return new Map(inserted.map((row) => [row.customerId, row]));
}

function toState(row: StateRow): AlertState {
  const level = row.alertedLevel;
  return {
    alertedLevel: level === "HIGH" || level === "CRITICAL" ? level : null,
    alertCount: Number(row.alertCount),
    lastHighAlertAt: toDate(row.lastHighAlertAt),
    lastCriticalAlertAt: toDate(row.lastCriticalAlertAt),
  };
}

/** timestamptz as the driver gives it (text) or as Prisma does (a Date), outside runTransaction. */
const toDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

function sameState(a: AlertState, b: AlertState): boolean {
  return (
    a.alertedLevel === b.alertedLevel &&
    a.alertCount === b.alertCount &&
    a.lastHighAlertAt?.getTime() === b.lastHighAlertAt?.getTime() &&
    a.lastCriticalAlertAt?.getTime() === b.lastCriticalAlertAt?.getTime()
  );
}
