// The GraphQL server as yoga serves it: /graphql (with GraphiQL, and subscriptions over server-sent
// events), webhooks, API-key authentication, the alerts page, limits, readiness at /ready. Plain
// request handling: create-server.ts listens with it and attaches graphql-ws beside it.

import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { GraphQLError } from "graphql";
import { createYoga, maskError } from "graphql-yoga";
import type { LiveAlerts } from "../alerts/live-alerts.ts";
import { type AuthenticateApiKey, uncachedApiKeys } from "../auth/api-key-cache.ts";
import type { Viewer } from "../auth/api-keys.ts";
import { visibilityKeyOf } from "../auth/visibility.ts";
import { type Clock, systemClock } from "../clock.ts";
import { type BodyLimits, DEFAULT_BODY_LIMITS, DEFAULT_RATE_LIMITS } from "../config.ts";
import { type ConnectorServices, NO_CONNECTORS } from "../connectors/connector-services.ts";
import type { Database } from "../db/database.ts";
import type { GraphContext } from "../graph/context.ts";
import { toClientError } from "../graph/errors.ts";
import { createLoaders } from "../graph/loaders.ts";
import { graphSchema } from "../graph/schema.ts";
import type { Logger } from "../logger.ts";
import type { HubMetrics } from "../metrics/hub-metrics.ts";
import { DEFAULT_SCORING_POLICY, type ScoringPolicy } from "../policy/scoring-policy.ts";
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from "../policy/webhook-settings.ts";
import { createClientAddress } from "./client-address.ts";
import { corsPolicy } from "./cors-policy.ts";
import { answeringFailures, serviceUnavailableResponse } from "./failure-responses.ts";
import { hubGraphiQLOptions, renderSelfContainedGraphiQL } from "./graphiql-page.ts";
import { createRateLimits, type RateLimits } from "./rate-limits.ts";
import { useAlertsPage } from "./use-alerts-page.ts";
import { useApiKeyAuthentication, viewerOf } from "./use-api-key-authentication.ts";
import { useBodyLimits } from "./use-body-limits.ts";
import { useGraphqlJsExecution } from "./use-graphql-js-execution.ts";
import { useMetricsEndpoint } from "./use-metrics-endpoint.ts";
import { useOperationLimits } from "./use-operation-limits.ts";
import { useReadinessEndpoint } from "./use-readiness-endpoint.ts";
import { useRequestId } from "./use-request-id.ts";
import { useRequestMetrics } from "./use-request-metrics.ts";
import { useSharedEventExecution } from "./use-shared-event-execution.ts";
import { useTypedErrors } from "./use-typed-errors.ts";
import { useWebhooks } from "./use-webhooks.ts";
import { createYogaLogger } from "./yoga-logger.ts";

export const REQUEST_LIMITS = { aliases: 15, batchedOperations: 10 };

export interface HubServerOptions {
  database: Database;
  logger: Logger;
  /** The churn-risk rules (CXHUB_SCORING_POLICY); the documented defaults when omitted. */
  scoringPolicy?: ScoringPolicy;
  /** What "now" is for writes and scores; the machine's clock when omitted (tests move it). */
  clock?: Clock;
  /** Connector plugins, secret key and sync engine (createConnectorServices); none when omitted. */
  connectors?: ConnectorServices;
  /** Live alerts and score changes (startLiveAlerts); subscriptions answer that they are off when omitted. */
  live?: LiveAlerts | null;
  /** The hub's metrics, served at /metrics (behind `metricsToken` when set); none when omitted. */
  metrics?: HubMetrics;
  metricsToken?: string | null;
  /** The limits on failed authentication and per key (createRateLimits); the defaults, in memory, when omitted. */
  rateLimits?: RateLimits;
  /** Origins whose pages may call the API (CXHUB_CORS_ORIGINS); none when omitted. */
  corsOrigins?: readonly string[];
  /** The largest bodies read (CXHUB_MAX_BODY_BYTES, CXHUB_MAX_WEBHOOK_BODY_BYTES); the defaults when omitted. */
  bodyLimits?: BodyLimits;
  /** Proxies whose X-Forwarded-For names the client (CXHUB_TRUSTED_PROXIES); none when omitted. */
  trustedProxies?: readonly string[];
  /**
   * How API keys are checked: the validated-key cache (startApiKeyCache) on a server; when omitted,
   * every request reads its key from the database.
   */
  authenticate?: AuthenticateApiKey;
  /** Outgoing webhooks' settings (CXHUB_WEBHOOK_*): the URLs endpoints may have, the rotation grace. */
  webhooks?: WebhookSettings;
}

export const GRAPHQL_ENDPOINT = "/graphql";

/**
 * Every alias counts, `__typename` too (graphql-armor exempts it by default, so `t1: __typename …`
 * went unbounded). The refusal is reported as a validation error rather than thrown, so it reaches
 * the client typed and a WebSocket stays open: "Aliases limit of 15 exceeded, found 16."
 */
const ALIAS_LIMIT: Parameters<typeof maxAliasesPlugin>[0] = {
  n: REQUEST_LIMITS.aliases,
  allowList: [],
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [
    (context, error) =>
      context?.reportError(
        new GraphQLError(
          `${error.message.replace(/^Syntax Error: /, "").replace(/\.$/, "")}: give at most ${REQUEST_LIMITS.aliases} fields an alias, or split the operation.`,
          { extensions: { code: "QUERY_TOO_COMPLEX", limit: "aliases", max: REQUEST_LIMITS.aliases } },
        ),
      ),
  ],
};

export function createHubYoga({
  database,
  logger,
  scoringPolicy = DEFAULT_SCORING_POLICY,
  clock = systemClock,
  connectors = NO_CONNECTORS,
  live = null,
  metrics,
  metricsToken = null,
  rateLimits = createRateLimits({ settings: DEFAULT_RATE_LIMITS, logger }),
  corsOrigins = [],
  bodyLimits = DEFAULT_BODY_LIMITS,
  trustedProxies = [],
  authenticate = uncachedApiKeys(database.prisma, clock),
  webhooks = DEFAULT_WEBHOOK_SETTINGS,
}: HubServerOptions) {
  metrics?.watch("databasePool", async () => database.poolStats());
  return createYoga<Record<string, unknown>, GraphContext>({
    schema: graphSchema(),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    batching: { limit: REQUEST_LIMITS.batchedOperations },
    // useBodyLimits (below) already holds every body to CXHUB_MAX_BODY_BYTES before it is parsed.
    // Yoga's own limit would pipe each body through a TransformStream on top (a stream pipeline, and
    // an AbortError built when it finishes): 12% of a small request's CPU in the profile.
    maxRequestBodySize: false,
    healthCheckEndpoint: "/health",
    landingPage: false,
    cors: corsPolicy(corsOrigins),
    maskedErrors: {
      maskError: (error, message, isDev) => {
        const clientError = toClientError(error);
        if (clientError?.extensions.code === "SERVICE_UNAVAILABLE")
          logger.warn("Answered 503: the database is unreachable.", error);
        return clientError ?? maskError(error, message, isDev);
      },
    },
    logging: createYogaLogger(logger),
    // Served whole by the hub (no CDN), with the headers editor open where the API key goes.
    graphiql: hubGraphiQLOptions(EXAMPLE_QUERY),
    renderGraphiQL: renderSelfContainedGraphiQL,
    context: ({ request, viewer: socketViewer }) => {
      // HTTP requests are authenticated by the plugin below; WebSocket connections when they open.
      const viewer = (socketViewer as Viewer | undefined) ?? viewerOf(request);
      // The authentication plugin answers 401 before GraphQL runs, so this cannot happen.
      if (!viewer) throw new Error("A GraphQL request reached the schema without an authenticated viewer.");
      return {
        prisma: database.prisma,
        viewer,
        loaders: createLoaders(database.prisma),
        scoring: scoringPolicy,
        clock,
        connectors,
        live,
        webhooks,
      };
    },
    plugins: [
      useRequestId(),
      // Before anything reads a body: an oversized one is refused unread (413).
      useBodyLimits(bodyLimits),
      ...(metrics
        ? [
            useMetricsEndpoint({ metrics, token: metricsToken }),
            useRequestMetrics({ metrics, graphqlEndpoint: GRAPHQL_ENDPOINT }),
          ]
        : []),
      // Providers authenticate webhooks with their signatures, not API keys.
      // Guarded: a failure in a door is answered in JSON (503 when the database is away), not with a stack.
      answeringFailures(
        useWebhooks({
          db: database.prisma,
          plugins: connectors.registry,
          secretKey: connectors.secretKey,
          writes: { policy: scoringPolicy, clock },
          maxBodyBytes: bodyLimits.maxWebhookBytes,
          logger,
          onSyncRequested: (connectorId) => void connectors.engine?.answerSyncRequest(connectorId),
        }),
        logger,
      ),
      answeringFailures(
        useApiKeyAuthentication({
          authenticate,
          graphqlEndpoint: GRAPHQL_ENDPOINT,
          rateLimits,
          clientAddress: createClientAddress(trustedProxies),
        }),
        logger,
      ),
      // The page signs its user in with an API key; the page itself is public.
      useAlertsPage(),
      maxAliasesPlugin(ALIAS_LIMIT),
      useOperationLimits(),
      useGraphqlJsExecution(),
      useTypedErrors(),
      // Live events run once per document, variables and viewer, however many sockets follow them.
      useSharedEventExecution<GraphContext>({ sharingKeyOf: (context) => visibilityKeyOf(context.viewer) }),
      useReadinessEndpoint({
        endpoint: "/ready",
        // Not ready is said without the driver's message (yoga would send it as the body).
        check: () =>
          database.prisma.$queryRaw`SELECT 1`.then(
            () => true,
            (error: unknown) => {
              logger.warn("Not ready: the database does not answer.", error);
              return serviceUnavailableResponse();
            },
          ),
      }),
    ],
  });
}

export type HubYoga = ReturnType<typeof createHubYoga>;

const EXAMPLE_QUERY = `# Welcome to CX Hub. Press ▶ to list the customers seen most recently.
query RecentCustomers {
  customers(first: 10) {
    totalCount
    edges {
      node {
        id
        displayName
        lifecycleStage
        lastSeenAt
        identities { kind namespace value }
        interactions(first: 3) {
          edges { node { channel kind occurredAt summary amount { amount currency } } }
        }
      }
    }
  }
}
`;
