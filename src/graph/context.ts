// What every resolver receives. Built once per request by the server, after authentication.
import type { LiveAlerts } from "../alerts/live-alerts.ts";
import type { Viewer } from "../auth/api-keys.ts";
import type { ConnectorServices } from "../connectors/connector-services.ts";
import type { PrismaClient } from "../db/database.ts";
import type { ScoringPolicy } from "../scoring/scoring-policy.ts";
import type { Loaders } from "./loaders.ts";

export interface GraphContext {
  prisma: PrismaClient;
  /** The caller, from their API key. Unauthenticated requests never reach a resolver. */
  viewer: Viewer;
  loaders: Loaders;
  /** The scoring policy in force: mutations that record facts rescore with it. */
  scoring: ScoringPolicy;
  /** The loaded connector plugins, the key of their secrets and the sync engine. */
  connectors: ConnectorServices;
  /** Live alerts and score changes for subscriptions; null in a server that does not run them. */
  live: LiveAlerts | null;
}
