// Raises churn-risk alerts for a batch of score changes, in the transaction that wrote the scores
// (rescoreCustomers calls it after every batch, so every path that changes a score is covered).
// Set-based, and few round trips (every statement after the alerts' insert is latency their subscribers
// wait through), all straight to the driver (transaction-sql.ts): one statement reads the batch's
// alert states, inserts those a customer crossing for the first time lacks (locked as they are
// inserted) and sends the score changes' notifications (score-change-feed.ts), one locks and reads
// again those the decision would change, and one writes the states that moved, inserts the alerts,
// wakes the dispatchers and says whether webhooks or a digest need more.
// A state that moves is decided again under its row lock, not on the previous score a concurrent
// rescore may have read before us: two instances rescoring one customer decide each crossing once,
// and the trigger key (customer, level, alert number) makes a second insert a no-op. A state the
// decision leaves as it is is not locked (most of a scheduled slice's customers: locking them wrote a
// lock into every row, every day): nothing of it is written, so the decision stands as if made before
// any concurrent change to it, which decides again under the lock itself.
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
import { PREPARED_FOR_ONE_ROW } from "../db/prepared-statements.ts";
import { type TransactionSql, transactionSql } from "../db/transaction-sql.ts";
import { uuidv7 } from "../db/uuid-v7.ts";
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
import { SCORE_CHANGES_CHANNEL, scoreChangePayloads } from "./score-change-feed.ts";

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
  /** Milliseconds since the epoch (STATE_COLUMNS). */
  lastHighAlertAt: number | null;
  lastCriticalAlertAt: number | null;
}

export async function raiseAlerts(
  tx: Prisma.TransactionClient,
  changes: ScoreChange[],
  policy: AlertPolicy,
  { now, mode = "decide" }: RaiseAlertsOptions,
): Promise<AlertOutcome> {
  if (changes.length === 0) return { raised: [], resolved: [], digests: [] };
  const sql = transactionSql(tx);
  // A customer without a stored state needs one only if they are, or were, at an alert level: theirs
  // is inserted, where none is stored, by the statement that reads the states.
  const candidates = changes.filter(
    (change) =>
      alertLevelOf(change.churnRisk, policy) !== null ||
      (change.previousRisk !== null && alertLevelOf(change.previousRisk, policy) !== null),
  );
  const { stored, inserted } = await readAndInsertStates(
    sql,
    changes.map((change) => change.customerId),
    candidates.map((change) => ({
      customerId: change.customerId,
      // A rebaseline moves the customer to their new level below, whatever they start from.
      state: initialAlertState(change.previousRisk, change.churnRisk, policy),
    })),
    { now, scoreChanges: scoreChangePayloads(changes) },
  );
  const decide = (change: ScoreChange, row: StateRow) => {
    const before = toState(row);
    const decision =
      mode === "rebaseline"
        ? rebaselineAlert(before, change.churnRisk, policy)
        : decideAlert(before, change.churnRisk, policy, now);
    return { before, decision };
  };
  const toLock = new Set<string>();
  for (const [id, row] of inserted) stored.set(id, row);
  for (const change of candidates) if (!stored.has(change.customerId)) toLock.add(change.customerId);
  // Locked and read again: the states a concurrent transaction inserted first (neither read nor
  // inserted: the insert waited for its commit: theirs is the state that counts) and those the
  // decision would change. Those inserted here are locked already.
  for (const change of changes) {
    const row = stored.get(change.customerId);
    if (!row || inserted.has(change.customerId)) continue;
    if (!sameState(toState(row), decide(change, row).decision.state)) toLock.add(change.customerId);
  }
  if (toLock.size > 0) {
    const locked = await lockStates(sql, [...toLock]);
    // A state gone meanwhile (its customer erased) is decided on nothing, not on its unlocked read.
    for (const id of toLock) {
      const row = locked.get(id);
      if (row) stored.set(id, row);
      else stored.delete(id);
    }
  }

  const moved: Array<{ customerId: string; state: AlertState }> = [];
  const alerts: NewAlert[] = [];
  const resolutions: Resolution[] = [];
  for (const change of changes) {
    // Alerts are raised only where a state is stored, so a customer without one has none to resolve.
    const row = stored.get(change.customerId);
    if (!row) continue;
    const { before, decision } = decide(change, row);
    // Every state that moves here was read under its lock (the unlocked read of it was replaced).
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
    `${PREPARED_FOR_ONE_ROW}
     WITH moved AS (
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
  // Each customer's alerts found through their index (LATERAL): joined as a whole, PostgreSQL read
  // every open alert of the hub for each batch, a cost that grew with the alerts, not the batch.
  return tx.$queryRaw<ResolvedAlert[]>`
    WITH found AS (
      SELECT x."id", t.reason, t.note
      FROM unnest(
        ${column((r) => r.customerId)}::uuid[],
        ${column((r) => r.level)}::text[],
        ${column((r) => r.reason)}::text[],
        ${column((r) => r.note)}::text[]
      ) AS t("customerId", level, reason, note)
      CROSS JOIN LATERAL (
        SELECT o."id" FROM "Alert" o
        -- The status as text: a condition on the status index would read every open alert again, each time.
        WHERE o."customerId" = t."customerId" AND o."level"::text = t.level
          AND o."status"::text IN ('OPEN', 'ACKNOWLEDGED')
        OFFSET 0) x
    )
    UPDATE "Alert" a SET "status" = 'RESOLVED', "resolvedAt" = ${now},
      "resolutionReason" = f.reason::"AlertResolutionReason", "resolutionNote" = f.note
    FROM found f
    WHERE a."id" = f."id" AND a."status" IN ('OPEN', 'ACKNOWLEDGED')
    RETURNING a."id", a."customerId", a."level"::text AS level, f.reason`;
}

/** The customers' stored alert states, under row locks taken in id order (no deadlock between batches). */
async function lockStates(sql: TransactionSql, ids: string[]): Promise<Map<string, StateRow>> {
  // The id order the lock needs makes the key's index the plan.
  const rows = await sql.query<StateRow>(
    `${PREPARED_FOR_ONE_ROW}
     SELECT ${STATE_COLUMNS} FROM "CustomerAlertState" s WHERE s."customerId" = ANY($1::uuid[])
     ORDER BY s."customerId" FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((row) => [row.customerId, row]));
}

/** Instants as milliseconds since the epoch (float8), which the driver and Prisma return alike. */
const STATE_COLUMNS = `s."customerId"::text AS "customerId", s."alertedLevel"::text AS "alertedLevel", s."alertCount",
  floor(extract(epoch FROM s."lastHighAlertAt") * 1000)::float8 AS "lastHighAlertAt",
  floor(extract(epoch FROM s."lastCriticalAlertAt") * 1000)::float8 AS "lastCriticalAlertAt"`;

/**
 * One statement: the stored states of `ids` (unlocked), the `missing` candidates that have none
 * inserted, in id order (locked by the insert; one a concurrent writer inserted first is
 * neither read nor inserted: the insert waits for its commit, after the statement's snapshot), and the
 * score changes' notifications sent. The insert's condition reads the statement's snapshot, as the
 * read does, so a state is inserted exactly when it was not read.
 *
 * A scheduled slice reads thousands of states a batch: each id is looked up by the key (LATERAL …
 * LIMIT 1, as in customer-signals.ts); with a plain "= ANY" PostgreSQL scanned the whole table in
 * parallel for each batch once it held 770,000 states.
 */
async function readAndInsertStates(
  sql: TransactionSql,
  ids: string[],
  missing: Array<{ customerId: string; state: AlertState }>,
  { now, scoreChanges }: { now: Date; scoreChanges: string[] },
): Promise<{ stored: Map<string, StateRow>; inserted: Map<string, StateRow> }> {
  const sorted = [...missing].sort((a, b) => a.customerId.localeCompare(b.customerId));
  const rows = await sql.query<StateRow & { origin: "stored" | "inserted" | "notified" }>(
    `${PREPARED_FOR_ONE_ROW}
     WITH inserted AS (
       INSERT INTO "CustomerAlertState" AS s ("customerId", "alertedLevel", "updatedAt")
       SELECT "customerId", level::"ChurnRiskLevel", $1::timestamptz
         FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS t("customerId", level, position)
        -- Each candidate probed by the key (OFFSET 0): as an anti-join, the batch's insert hashed
        -- every stored state, a cost that grew with the hub, not with the batch.
        WHERE NOT EXISTS (
          SELECT 1 FROM "CustomerAlertState" e WHERE e."customerId" = t."customerId" OFFSET 0)
        ORDER BY position
       ON CONFLICT ("customerId") DO NOTHING
       RETURNING ${STATE_COLUMNS}
     )
     SELECT 'inserted' AS origin, * FROM inserted
     UNION ALL
     SELECT 'stored', ${STATE_COLUMNS} FROM unnest($4::uuid[]) AS wanted("id") CROSS JOIN LATERAL (
       SELECT * FROM "CustomerAlertState" WHERE "customerId" = wanted."id" LIMIT 1) s
     UNION ALL
     SELECT 'notified', NULL, NULL, NULL, NULL, NULL
       FROM unnest($5::text[]) AS payload CROSS JOIN LATERAL pg_notify($6, payload) AS sent`,
    [
      now.toISOString(),
      sorted.map((r) => r.customerId),
      sorted.map((r) => r.state.alertedLevel),
      ids,
      scoreChanges,
      SCORE_CHANGES_CHANNEL,
    ],
  );
  const stored = new Map<string, StateRow>();
  const inserted = new Map<string, StateRow>();
  for (const row of rows) {
    if (row.origin === "stored") stored.set(row.customerId, row);
    else if (row.origin === "inserted") inserted.set(row.customerId, row);
  }
  return { stored, inserted };
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

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

function sameState(a: AlertState, b: AlertState): boolean {
  return (
    a.alertedLevel === b.alertedLevel &&
    a.alertCount === b.alertCount &&
    a.lastHighAlertAt?.getTime() === b.lastHighAlertAt?.getTime() &&
    a.lastCriticalAlertAt?.getTime() === b.lastCriticalAlertAt?.getTime()
  );
}
