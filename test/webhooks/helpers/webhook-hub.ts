// What the webhook tests share: a hub clock the test moves, the settings (private URLs allowed, for
// the local receiver; no jitter, so waits are exact), a secret key, endpoints made through the domain
// functions, and alerts raised in a real transaction.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { raiseAlerts } from "../../../src/alerts/raise-alerts.ts";
import type { Viewer } from "../../../src/auth/api-keys.ts";
import { generateSecretKey } from "../../../src/connectors/secret-box.ts";
import type { Database } from "../../../src/db/database.ts";
import { createLogger } from "../../../src/logger.ts";
import { resolveAlertPolicy } from "../../../src/policy/alert-policy-settings.ts";
import { DEFAULT_SCORING_POLICY } from "../../../src/policy/scoring-policy.ts";
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from "../../../src/policy/webhook-settings.ts";
import type { DeliveryDeps } from "../../../src/webhooks/deliver-webhooks.ts";
import { type createEndpointInput, createWebhookEndpoint } from "../../../src/webhooks/manage-endpoints.ts";
import { changesOf, type Move } from "../../alerts/helpers/score-changes.ts";

export const T0 = new Date("2026-03-02T10:00:00.000Z");

export const adminViewer = (scopes: string[] = ["pii"]): Viewer => ({
  principalId: randomUUID(),
  principalName: "Admin",
  apiKeyId: randomUUID(),
  role: "ADMIN",
  scopes: new Set(scopes),
});

const alertPolicy = resolveAlertPolicy(DEFAULT_SCORING_POLICY.alerts, DEFAULT_SCORING_POLICY.levels);

export function webhookHub(db: Database, overrides: Partial<WebhookSettings> = {}) {
  let now = T0;
  const clock = () => now;
  const settings: WebhookSettings = {
    ...DEFAULT_WEBHOOK_SETTINGS,
    allowPrivateUrls: true,
    jitter: 0,
    // The receiver runs on this machine and answers at once; on a loaded 2-core machine a worker's first
    // request (connection and fetch set-up) took over 2 s and was recorded as "No answer". The test of
    // the timeout itself sets its own.
    timeoutMs: 30_000,
    ...overrides,
  };
  const secretKey = generateSecretKey();
  const deps: DeliveryDeps = { db: db.prisma, secretKey, settings, clock, logger: createLogger("silent") };
  return {
    clock,
    settings,
    secretKey,
    deps,
    /** Moves the hub's clock on. */
    advance(seconds: number) {
      now = new Date(now.getTime() + seconds * 1000);
    },
    endpoint(input: Partial<z.input<typeof createEndpointInput>> & { url: string }, viewer = adminViewer()) {
      return createWebhookEndpoint(
        { db: db.prisma, secretKey, settings, now: clock() },
        { eventTypes: ["ALERT_RAISED"], ...input },
        viewer,
      );
    },
    /** One rescore's transaction in which these customers' risks move, at the hub's now. */
    raise(moves: Move[]) {
      return db.prisma.$transaction((tx) =>
        raiseAlerts(tx, changesOf(moves, clock()), alertPolicy, { now: clock() }),
      );
    },
  };
}

/** The item at `index`, or a failure saying it is missing. */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`Expected an item at ${index}; there are ${items.length}.`);
  return item;
}

/** The only item. */
export const one = <T>(items: readonly T[]): T => at(items, 0);

/** The first two items. */
export const two = <T>(items: readonly T[]): [T, T] => [at(items, 0), at(items, 1)];

/** A header's one value. */
export function header(
  webhook: { headers: Record<string, string | string[] | undefined> },
  name: string,
): string {
  const value = webhook.headers[name];
  if (typeof value !== "string") throw new Error(`The webhook has no single ${name} header.`);
  return value;
}
