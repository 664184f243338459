// HTTP wiring: graphql-yoga at /graphql (with GraphiQL, and subscriptions over server-sent events),
// graphql-ws on the same port and path, the alerts page at /alerts, liveness at /health, readiness
// at /ready.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { createYoga, maskError, useReadinessCheck } from "graphql-yoga";
import type { LiveAlerts } from "../alerts/live-alerts.ts";
import type { Viewer } from "../auth/api-keys.ts";
import { type Clock, systemClock } from "../clock.ts";
import { type ConnectorServices, NO_CONNECTORS } from "../connectors/connector-services.ts";
import type { Database } from "../db/database.ts";
import { StartupError } from "../errors.ts";
import type { GraphContext } from "../graph/context.ts";
import { toClientError } from "../graph/errors.ts";
import { createLoaders } from "../graph/loaders.ts";
import { createGraphSchema } from "../graph/schema.ts";
import type { Logger } from "../logger.ts";
import { DEFAULT_SCORING_POLICY, type ScoringPolicy } from "../policy/scoring-policy.ts";
import { attachGraphqlWebSocket } from "./graphql-ws.ts";
import { useAlertsPage } from "./use-alerts-page.ts";
import { useApiKeyAuthentication, viewerOf } from "./use-api-key-authentication.ts";
import { useWebhooks } from "./use-webhooks.ts";

/** Limits on a request beyond those the schema checks (depth, breadth, complexity, page size). */
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
}

const GRAPHQL_ENDPOINT = "/graphql";

export function createHubYoga({
  database,
  logger,
  scoringPolicy = DEFAULT_SCORING_POLICY,
  clock = systemClock,
  connectors = NO_CONNECTORS,
  live = null,
}: HubServerOptions) {
  return createYoga<Record<string, unknown>, GraphContext>({
    schema: createGraphSchema(),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    batching: { limit: REQUEST_LIMITS.batchedOperations },
    healthCheckEndpoint: "/health",
    landingPage: false,
    maskedErrors: {
      maskError: (error, message, isDev) => toClientError(error) ?? maskError(error, message, isDev),
    },
    logging: logger,
    graphiql: { title: "CX Hub", defaultQuery: EXAMPLE_QUERY },
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
      };
    },
    plugins: [
      // Providers authenticate webhooks with their signatures, not API keys.
      useWebhooks({
        db: database.prisma,
        plugins: connectors.registry,
        secretKey: connectors.secretKey,
        writes: { policy: scoringPolicy, clock },
        logger,
        onSyncRequested: (connectorId) => void connectors.engine?.answerSyncRequest(connectorId),
      }),
      useApiKeyAuthentication({ db: database.prisma, graphqlEndpoint: GRAPHQL_ENDPOINT }),
      // The page signs its user in with an API key; the page itself is public.
      useAlertsPage(),
      // Its message names the limit: "Aliases limit of 15 exceeded, found 16."
      maxAliasesPlugin({ n: REQUEST_LIMITS.aliases, exposeLimits: true }),
      useReadinessCheck({
        endpoint: "/ready",
        check: async () => {
          await database.prisma.$queryRaw`SELECT 1`;
        },
      }),
    ],
  });
}

export type HubYoga = ReturnType<typeof createHubYoga>;

export interface HubServer {
  server: Server;
  /** The base URL the server listens on, such as http://127.0.0.1:4000. */
  url: string;
  close(): Promise<void>;
}

/**
 * Fails fast, before the database and migrations, when the port cannot be had: an operator learns
 * of a second server at once, not after start-up work. Listening later can still lose a race, and
 * reports it the same way.
 */
export async function assertPortAvailable(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await listen(probe, port, host);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(
          new StartupError(
            `Port ${port} on ${host} is in use: stop the other process or set PORT to a free port.`,
          ),
        );
      } else if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
        reject(
          new StartupError(
            `HOST ${host} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its own addresses.`,
          ),
        );
      } else {
        reject(error);
      }
    });
    server.listen(port, host, resolve);
  });
}

/** Starts listening; a port in use or a bad host becomes a one-sentence StartupError. */
export async function startHubServer(
  options: HubServerOptions & { port: number; host: string },
): Promise<HubServer> {
  const yoga = createHubYoga(options);
  const server = createServer(yoga);
  const webSockets = attachGraphqlWebSocket({
    server,
    yoga,
    db: options.database.prisma,
    path: GRAPHQL_ENDPOINT,
  });
  await listen(server, options.port, options.host);
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: async () => {
      await webSockets.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

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
