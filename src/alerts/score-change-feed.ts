// Which customers' scores changed, for the customerScoreChanged subscription. Lighter than the
// alert outbox on purpose: scores change on every fact and 23,000 at a time on a refit, so nothing is
// stored for them. The rescoring transaction sends the changed customers' ids with pg_notify (delivered
// only when it commits, to every server instance that listens, so no Redis is needed), and each
// instance tells its own subscribers, who read the score as committed. A notification missed while
// disconnected loses nothing a client cannot get back: the current score is one query away.
import type { Listen, ListenOptions } from "../db/notifications.ts";
import type { ScoreChange } from "../scoring/rescore-customers.ts";

export const SCORE_CHANGES_CHANNEL = "cxhub_score_changes";
/** Ids per notification: 200 × 37 characters stays well under PostgreSQL's 8,000-byte payload limit. */
const IDS_PER_NOTIFICATION = 200;

/**
 * The notifications to send on SCORE_CHANGES_CHANNEL (delivered on commit): the ids of the customers
 * whose churn risk or level changed, in payloads under the size limit. The alert decisions send them
 * in the statement that reads the customers' alert states (raise-alerts.ts), a round trip of their own
 * before.
 */
export function scoreChangePayloads(changes: ScoreChange[]): string[] {
  const changed = changes
    .filter(
      (change) =>
        // A score a scheduled run left stored as it was (it agrees with the fresh one) did not change.
        change.written !== false &&
        (change.previousRisk === null ||
          change.previousRisk !== change.churnRisk ||
          change.previousLevel !== change.level),
    )
    .map((change) => change.customerId);
  const payloads: string[] = [];
  for (let start = 0; start < changed.length; start += IDS_PER_NOTIFICATION) {
    payloads.push(changed.slice(start, start + IDS_PER_NOTIFICATION).join(","));
  }
  return payloads;
}

export interface ScoreChangeFeed {
  /** Calls onChange each time the customer's score changes (after the change committed); returns a stop function. */
  listen(customerId: string, onChange: () => void): () => void;
  close(): Promise<void>;
}

export async function startScoreChangeFeed(
  listen: Listen,
  options: ListenOptions = {},
): Promise<ScoreChangeFeed> {
  const listeners = new Map<string, Set<() => void>>();
  const stop = await listen(
    SCORE_CHANGES_CHANNEL,
    (payload) => {
      for (const customerId of payload.split(",")) {
        for (const onChange of listeners.get(customerId) ?? []) onChange();
      }
    },
    options,
  );
  return {
    listen(customerId, onChange) {
      const set = listeners.get(customerId) ?? new Set();
      listeners.set(customerId, set);
      set.add(onChange);
      return () => {
        set.delete(onChange);
        if (set.size === 0) listeners.delete(customerId);
      };
    },
    close: stop,
  };
}
