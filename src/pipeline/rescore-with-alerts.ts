// Rescoring with alert decisions: scoring computes and writes the scores, and in each batch's
// transaction the alert policy decides on the changes (src/alerts/raise-alerts.ts), so a score and
// the alert it raises commit together. The unit of work uses it for the customers a write touched;
// a refit and the start-up scoring use it for every customer, batch after batch.

import { type RaisedAlert, raiseAlerts } from "../alerts/raise-alerts.ts";
import type { Db } from "../db/database.ts";
import { resolveAlertPolicy } from "../policy/alert-policy-settings.ts";
import { type RescoreOptions, type RescoreResult, rescoreCustomers } from "../scoring/rescore-customers.ts";

export interface AlertDecisions {
  /** Churn-risk alerts raised (published once their transaction commits). */
  alerts: RaisedAlert[];
}

/** rescoreCustomers, with the alerts its changes raise decided in each batch's transaction. */
export async function rescoreWithAlerts(
  db: Db,
  options: Omit<RescoreOptions, "onScored">,
): Promise<RescoreResult & AlertDecisions> {
  const policy = resolveAlertPolicy(options.policy.alerts, options.policy.levels);
  const alerts: RaisedAlert[] = [];
  const result = await rescoreCustomers(db, {
    ...options,
    onScored: async (tx, changes) => {
      alerts.push(...(await raiseAlerts(tx, changes, policy, options.asOf)));
    },
  });
  return { ...result, alerts };
}
