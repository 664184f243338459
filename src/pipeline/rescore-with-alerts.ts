// Rescoring with alert decisions: scoring computes and writes the scores, and in each batch's
// transaction the alert policy decides on the changes (src/alerts/raise-alerts.ts), so a score, the
// alert it raises and the alerts it resolves commit together. The unit of work uses it for the
// customers a write touched; a refit, the start-up scoring and scheduled rescoring use it for every
// customer, batch after batch.
//
// `alerts: "rebaseline"` is for a change that moves every score at once for reasons that are not the
// customers' own (a refit, an upgrade of the scoring rules): each customer's alert state moves to the
// level of their new score, nothing is raised, and open alerts of the levels left are resolved.

import type { AlertMode } from "../alerts/alert-policy.ts";
import type { RaisedDigest } from "../alerts/digest-alerts.ts";
import { type RaisedAlert, type ResolvedAlert, raiseAlerts } from "../alerts/raise-alerts.ts";
import type { Db } from "../db/database.ts";
import { resolveAlertPolicy } from "../policy/alert-policy-settings.ts";
import { type RescoreOptions, type RescoreResult, rescoreCustomers } from "../scoring/rescore-customers.ts";

export interface AlertDecisions {
  /** Churn-risk alerts raised (published once their transaction commits). */
  alerts: RaisedAlert[];
  /** Open alerts resolved because the risk left their level (RISK_FELL, or MODEL_CHANGED on a rebaseline). */
  resolved: ResolvedAlert[];
  /**
   * Digests of owners with more than `alerts.digestAbove` alerts from one transaction: those alerts
   * are still stored and listed in `alerts`, but subscribers hear the digest instead. A digest grown
   * by several batches of one transaction appears once per batch, with its count so far.
   */
  digests: RaisedDigest[];
}

export interface RescoreWithAlertsOptions extends Omit<RescoreOptions, "onScored"> {
  /** `decide` (the default): the alert policy raises and resolves alerts; `rebaseline`: see above. */
  alerts?: AlertMode;
}

/** rescoreCustomers, with the alerts its changes raise and resolve decided in each batch's transaction. */
export async function rescoreWithAlerts(
  db: Db,
  { alerts: mode = "decide", ...options }: RescoreWithAlertsOptions,
): Promise<RescoreResult & AlertDecisions> {
  const policy = resolveAlertPolicy(options.policy.alerts, options.policy.levels);
  const decisions: AlertDecisions = { alerts: [], resolved: [], digests: [] };
  const result = await rescoreCustomers(db, {
    ...options,
    onScored: async (tx, changes) => {
      const outcome = await raiseAlerts(tx, changes, policy, { now: options.asOf, mode });
      decisions.alerts.push(...outcome.raised);
      decisions.resolved.push(...outcome.resolved);
      decisions.digests.push(...outcome.digests);
    },
  });
  return { ...result, ...decisions };
}
