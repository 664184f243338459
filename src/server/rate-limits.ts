// The rate limits at the server's doors, counted with rate-limiter-flexible: failed authentications
// per client address (so guessing keys costs the guesser, not the database) and per key prefix (wrong
// keys for a prefix someone is guessing are answered 429 from any address; the right key still works), and
// optionally requests per API key. With Redis configured the counts live there, so every instance
// sees the same ones; otherwise in this process's memory. When Redis cannot be reached each instance
// counts in its own memory until it can (the insurance limiter), so an outage of Redis neither opens
// the doors nor closes them. ioredis is loaded only when Redis is configured: a hub without Redis
// does not hold its code in memory.
import type { Redis } from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { RateLimit, RateLimitSettings } from "../config.ts";
import type { Logger } from "../logger.ts";

export interface RateLimits {
  /** How long this address must wait after too many failures (asked before any lookup); null when it may try. */
  addressBlock(address: string): Promise<number | null>;
  /**
   * How long wrong keys with this prefix are answered 429 after too many failures, from any address;
   * null when they are not. Asked only after a key failed: a correct key is never refused for what
   * others guessed (its prefix is not a secret, so anyone could lock it out otherwise).
   */
  keyPrefixBlock(keyPrefix: string): Promise<number | null>;
  /** Counts a failed authentication against the address and the key prefix. */
  recordFailedAuthentication(address: string, keyPrefix: string | null): Promise<void>;
  /** Counts a request made with this key; how long to wait when it is over its limit, else null. */
  consumeRequest(apiKeyId: string): Promise<number | null>;
  /**
   * Resolves once the counts are shared (Redis connected); until then each instance counts in its
   * own memory. Rejects with Redis's error when the first connection fails.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface RateLimitsOptions {
  settings: RateLimitSettings;
  /** Shares the counts with every instance; in this process's memory when null. */
  redis?: { url: string; keyPrefix: string } | null;
  logger: Logger;
}

type Limiter = RateLimiterAbstract;

export function createRateLimits({ settings, redis = null, logger }: RateLimitsOptions): RateLimits {
  const connection = redis
    ? // Through `default` (ioredis's module.exports): the bundle's chunk of a CommonJS package loaded
      // by import() exports that alone, where Node would also name its properties (build.ts).
      import("ioredis").then(({ default: ioredis }) =>
        watchConnection(new ioredis.Redis(redis.url, REDIS_OPTIONS), logger),
      )
    : null;
  const ready = connection
    ? connection.then(
        (client) =>
          new Promise<void>((resolve, reject) => {
            if (client.status === "ready") return resolve();
            client.once("ready", resolve);
            client.once("error", reject);
          }),
      )
    : Promise.resolve();
  // Only a caller that waits for readiness hears of a failed first connection; the log hears of it anyway.
  ready.catch(() => {});
  const limiter = (client: Redis | null, name: string, limit: RateLimit | null): Limiter | null => {
    if (!limit) return null;
    const options = {
      keyPrefix: `${redis?.keyPrefix ?? ""}rate:${name}`,
      points: limit.points,
      duration: limit.seconds,
    };
    if (!client) return new RateLimiterMemory(options);
    return new RateLimiterRedis({
      ...options,
      storeClient: client,
      // Not wait for a Redis that is down: count in memory meanwhile.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
      // A blocked address or prefix is answered from memory, without a round trip per request.
      inMemoryBlockOnConsumed: limit.points + 1,
    });
  };
  const limitersFor = (client: Redis | null) => ({
    byAddress: limiter(client, "failed-auth-address", settings.failedAuthPerAddress),
    byPrefix: limiter(client, "failed-auth-prefix", settings.failedAuthPerKeyPrefix),
    byKey: limiter(client, "requests-key", settings.requestsPerKey),
  });
  // In memory the limiters exist at once; with Redis, as soon as ioredis is loaded (start-up waits
  // for ready(), so no request is counted before).
  type Limiters = ReturnType<typeof limitersFor>;
  let settled: Limiters | null = null;
  const limiters = (connection ? connection.then(limitersFor) : Promise.resolve(limitersFor(null))).then(
    (made) => {
      settled = made;
      return made;
    },
  );
  // Once the limiters exist (every request after start-up), used without waiting on them: each
  // request asks here at its door, and every promise of a request is work (issue 15).
  const withLimiters = <T>(use: (made: Limiters) => Promise<T>): Promise<T> =>
    settled ? use(settled) : limiters.then(use);

  return {
    addressBlock: (address) => withLimiters(({ byAddress }) => blockedFor(byAddress, address)),
    keyPrefixBlock: (keyPrefix) => withLimiters(({ byPrefix }) => blockedFor(byPrefix, keyPrefix)),
    recordFailedAuthentication: (address, keyPrefix) =>
      withLimiters(({ byAddress, byPrefix }) =>
        Promise.all([consume(byAddress, address), keyPrefix ? consume(byPrefix, keyPrefix) : null]),
      ).then(() => undefined),
    consumeRequest: (apiKeyId) => withLimiters(({ byKey }) => consume(byKey, apiKeyId)),
    ready: () => ready,
    async close() {
      (await connection?.catch(() => null))?.disconnect();
    },
  };
}

/** The answer of a limit that is not set: one settled promise, shared. */
const NOT_LIMITED: Promise<null> = Promise.resolve(null);

/** Milliseconds until the key may fail again once its failures used up its points; null otherwise. */
function blockedFor(limiter: Limiter | null, key: string): Promise<number | null> {
  if (!limiter) return NOT_LIMITED;
  return limiter
    .get(key)
    .then((state) =>
      state && state.consumedPoints >= limiter.points ? Math.max(state.msBeforeNext, 1) : null,
    );
}

/** Takes a point; milliseconds to wait when there was none left, else null. */
function consume(limiter: Limiter | null, key: string): Promise<number | null> {
  if (!limiter) return NOT_LIMITED;
  return limiter.consume(key).then(
    () => null,
    (rejection: unknown) => {
      // rate-limiter-flexible rejects with its result when the points are used up, and with an
      // Error only when its store failed (never here: the insurance limiter takes over).
      if (rejection instanceof RateLimiterRes) return Math.max(rejection.msBeforeNext, 1);
      throw rejection;
    },
  );
}

// No offline queue: while Redis is away a count goes to the insurance limiter at once instead of
// waiting in a queue.
const REDIS_OPTIONS = { enableOfflineQueue: false, maxRetriesPerRequest: 1 };

/** Logs the connection's going and coming once each, rather than every retry. */
function watchConnection(client: Redis, logger: Logger): Redis {
  let down = false;
  client.on("error", (error: Error) => {
    if (down) return;
    down = true;
    logger.warn(
      `Redis is unreachable for the rate limits (${error.message}): each instance counts in its own memory until it is back.`,
    );
  });
  client.on("ready", () => {
    if (down) logger.info("Redis is back: the rate limits are shared again.");
    down = false;
  });
  return client;
}
