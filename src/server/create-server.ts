// HTTP wiring: the yoga server (create-yoga.ts) and graphql-ws on the same port and path; liveness
// at /health. Listening, with the operator's usual mistakes (port taken, wrong host) said in a sentence.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ApiKeyCache, startApiKeyCache } from "../auth/api-key-cache.ts";
import { systemClock } from "../clock.ts";
import { DEFAULT_RATE_LIMITS } from "../config.ts";
import { StartupError } from "../errors.ts";
import { createClientAddress } from "./client-address.ts";
import { createHubYoga, GRAPHQL_ENDPOINT, type HubServerOptions } from "./create-yoga.ts";
import { attachGraphqlWebSocket } from "./graphql-ws.ts";
import { createRateLimits } from "./rate-limits.ts";

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
  // One set of counts for HTTP and WebSocket: failing keys on one door counts at the other.
  const rateLimits =
    options.rateLimits ?? createRateLimits({ settings: DEFAULT_RATE_LIMITS, logger: options.logger });
  // Keys checked once are held in memory until a change to them is announced (api-key-cache.ts).
  const keyCache = options.authenticate
    ? null
    : await startApiKeyCache({
        db: options.database.prisma,
        listen: options.database.listen,
        clock: options.clock ?? systemClock,
        logger: options.logger,
      });
  const authenticate = options.authenticate ?? (keyCache as ApiKeyCache).authenticate;
  const yoga = createHubYoga({ ...options, rateLimits, authenticate });
  const server = createServer(yoga);
  const webSockets = attachGraphqlWebSocket({
    server,
    yoga,
    authenticate,
    path: GRAPHQL_ENDPOINT,
    logger: options.logger,
    rateLimits,
    clientAddress: createClientAddress(options.trustedProxies ?? []),
    ...(options.bodyLimits && { maxMessageBytes: options.bodyLimits.maxBytes }),
  });
  await listen(server, options.port, options.host);
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: async () => {
      await webSockets.close();
      await keyCache?.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
