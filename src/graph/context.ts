// What every resolver receives. Built once per request by the server, after authentication.
import type { LiveAlerts } from "../alerts/live-alerts.ts";
import type { Viewer } from "../auth/api-keys.ts";
import type { Clock } from "../clock.ts";
import type { ConnectorServices } from "../connectors/connector-services.ts";
import type { PrismaClient } from "../db/database.ts";
import type { WriteContext } from "../pipeline/unit-of-work.ts";
import type { ScoringPolicy } from "../policy/scoring-policy.ts";
import type { WebhookSettings } from "../policy/webhook-settings.ts";
import type { Loaders } from "./loaders.ts";

export interface GraphContext {
  prisma: PrismaClient;
  /** The caller, from their API key. Unauthenticated requests never reach a resolver. */
  viewer: Viewer;
  loaders: Loaders;
  /** The scoring policy in force: mutations that record facts rescore with it. */
  scoring: ScoringPolicy;
  /** The server's clock: what "now" is for every write and score. */
  clock: Clock;
  /** The loaded connector plugins, the key of their secrets and the sync engine. */
  connectors: ConnectorServices;
  /** Live alerts and score changes for subscriptions; null in a server that does not run them. */
  live: LiveAlerts | null;
  /** Outgoing webhooks' settings: which endpoint URLs are allowed, how long a rotated secret signs. */
  webhooks: WebhookSettings;
}

/** The policy and clock this request's writes run with. */
export function writesOf(context: GraphContext): WriteContext {
  return { policy: context.scoring, clock: context.clock };
}
