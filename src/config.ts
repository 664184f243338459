// The server's configuration: read once from the environment, validated with zod, in one place.
// No configuration at all is valid: it means the embedded PGlite database in ./.cxhub/data.
// It sits at the bottom of the layers and imports nothing above it: the connectors read the forms of
// values it also reads (a secret key's text, a plugin list) through the parsers here.
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { StartupError } from "./errors.ts";
import {
  DEFAULT_WEBHOOK_SETTINGS,
  retryDelaysSchema,
  type WebhookSettings,
} from "./policy/webhook-settings.ts";

const DEFAULT_DATA_DIR = ".cxhub/data";

const postgresUrl = z.string().trim().refine(isPostgresUrl, {
  message: "must be a PostgreSQL URL such as postgresql://user:password@localhost:5432/cxhub",
});

/** At most `points` events per `seconds`-long window. */
export interface RateLimit {
  points: number;
  seconds: number;
}

/** The limits at the server's doors (README: Limits); null turns one off. */
export interface RateLimitSettings {
  /** Failed authentications from one client address. */
  failedAuthPerAddress: RateLimit | null;
  /** Failed authentications presenting one key prefix, from any address. */
  failedAuthPerKeyPrefix: RateLimit | null;
  /** Requests made with one API key. */
  requestsPerKey: RateLimit | null;
}

/** The limits when nothing is configured: failed authentications limited, requests per key not. */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  failedAuthPerAddress: { points: 30, seconds: 60 },
  failedAuthPerKeyPrefix: { points: 10, seconds: 60 },
  requestsPerKey: null,
};

const rateLimit = z
  .string()
  .trim()
  .transform((text, context): RateLimit | null => {
    if (text.toLowerCase() === "off") return null;
    const match = /^(\d+)\s*\/\s*(\d+)s?$/.exec(text);
    const points = Number(match?.[1]);
    const seconds = Number(match?.[2]);
    if (match && points >= 1 && seconds >= 1 && points <= 1e9 && seconds <= 86_400)
      return { points, seconds };
    context.addIssue({
      code: "custom",
      message: 'must be "<count>/<seconds>", such as 30/60 for 30 a minute (seconds at most 86400), or "off"',
    });
    return z.NEVER;
  });

/** The largest request bodies the server reads (README: Security); larger ones are refused with 413. */
export interface BodyLimits {
  /** /graphql and every other path but the webhooks. */
  maxBytes: number;
  /** /webhooks/<connector>: providers' payloads (a large order) are bigger than a GraphQL operation. */
  maxWebhookBytes: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxBytes: 1024 * 1024, maxWebhookBytes: 5 * 1024 * 1024 };

const BYTE_UNITS: Record<string, number> = { "": 1, b: 1, kib: 1024, mib: 1024 * 1024 };

const byteSize = z
  .string()
  .trim()
  .transform((text, context): number => {
    const match = /^(\d+)\s*(b|kib|mib)?$/i.exec(text);
    const bytes = match
      ? Number(match[1]) * (BYTE_UNITS[(match[2] ?? "").toLowerCase()] ?? Number.NaN)
      : Number.NaN;
    if (Number.isSafeInteger(bytes) && bytes >= 1024 && bytes <= 1024 ** 3) return bytes;
    context.addIssue({
      code: "custom",
      message: 'must be a size from 1KiB to 1024MiB, in bytes or with a unit, such as 1048576 or "1MiB"',
    });
    return z.NEVER;
  });

/** An address or a CIDR block of them (10.0.0.0/8, fd00::/8). */
function isAddressOrBlock(text: string): boolean {
  const [address = "", bits, extra] = text.split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d+$/.test(bits) && prefix <= (family === 4 ? 32 : 128);
}

const trustedProxies = z.string().transform((text, context) => {
  const entries = [...new Set(text.split(/[\s,]+/).filter((entry) => entry !== ""))];
  const bad = entries.find((entry) => !isAddressOrBlock(entry));
  if (bad === undefined) return entries;
  context.addIssue({
    code: "custom",
    message: `has ${JSON.stringify(bad)}, which is neither an IP address nor a CIDR block: list the proxies in front of the hub, such as 10.0.0.5 or 10.0.0.0/8, comma-separated`,
  });
  return z.NEVER;
});

const corsOrigins = z.string().transform((text, context) => {
  const origins = [...new Set(text.split(/[\s,]+/).filter((origin) => origin !== ""))];
  const bad = origins.find((origin) => !isOrigin(origin));
  if (bad === undefined) return origins.map((origin) => new URL(origin).origin);
  context.addIssue({
    code: "custom",
    message: `has ${JSON.stringify(bad)}, which is not an origin: list origins such as https://app.example.com (scheme, host and port only), comma-separated`,
  });
  return z.NEVER;
});

const environmentSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  CXHUB_DATA_DIR: z.string().trim().min(1, "must not be empty").default(DEFAULT_DATA_DIR),
  // 0 asks the system for any free port (the URL printed at start-up tells which).
  PORT: z.coerce
    .number({ message: "must be a port number between 0 and 65535" })
    .int("must be a whole number between 0 and 65535")
    .min(0, "must be between 0 and 65535")
    .max(65535, "must be between 0 and 65535")
    .default(4000),
  HOST: z.string().trim().min(1, "must not be empty").default("127.0.0.1"),
  // CXHUB_LOG_LEVEL; LOG_LEVEL is its older name, still read when the new one is unset.
  CXHUB_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).optional(),
  // A bearer token that /metrics asks for; unset: /metrics answers whoever reaches the port.
  CXHUB_METRICS_TOKEN: z
    .string()
    .trim()
    .min(16, "must be at least 16 characters (openssl rand -hex 16), or unset to leave /metrics open")
    .optional(),
  // A JSON file of churn-risk weights, windows and thresholds over the defaults (README: Scores).
  CXHUB_SCORING_POLICY: z.string().trim().min(1, "must not be empty").optional(),
  // The key that encrypts connector secrets at rest: 32 bytes as base64 or hex.
  CXHUB_SECRET_KEY: z
    .string()
    .trim()
    .transform((text, context) => {
      const key = decodeSecretKey(text);
      if (key) return key;
      context.addIssue({
        code: "custom",
        message: `must be ${SECRET_KEY_BYTES} random bytes as base64 (44 characters) or hex (64): openssl rand -base64 32`,
      });
      return z.NEVER;
    })
    .optional(),
  // Third-party connector plugins: npm package names installed beside the hub, comma-separated.
  CXHUB_PLUGINS: z.string().optional().transform(parsePluginList),
  // Redis carries live alerts between server instances; unset means in-process pub/sub.
  REDIS_URL: z
    .string()
    .trim()
    .refine(isRedisUrl, {
      message: "must be a Redis URL such as redis://localhost:6379 (or rediss:// for TLS)",
    })
    .optional(),
  // Prepended to the Redis channels, so that several hubs can share one Redis.
  CXHUB_REDIS_CHANNEL_PREFIX: z.string().trim().min(1, "must not be empty").default("cxhub:"),
  // The limits at the doors (README: Limits), "<count>/<seconds>" or "off".
  CXHUB_FAILED_AUTH_LIMIT_PER_ADDRESS: rateLimit.default(DEFAULT_RATE_LIMITS.failedAuthPerAddress),
  CXHUB_FAILED_AUTH_LIMIT_PER_KEY_PREFIX: rateLimit.default(DEFAULT_RATE_LIMITS.failedAuthPerKeyPrefix),
  CXHUB_REQUEST_LIMIT_PER_KEY: rateLimit.default(DEFAULT_RATE_LIMITS.requestsPerKey),
  // Browser origins allowed to call the API from their pages; none by default.
  CXHUB_CORS_ORIGINS: corsOrigins.default([]),
  // The largest request bodies read, /graphql (and the rest) and webhooks.
  CXHUB_MAX_BODY_BYTES: byteSize.default(DEFAULT_BODY_LIMITS.maxBytes),
  CXHUB_MAX_WEBHOOK_BODY_BYTES: byteSize.default(DEFAULT_BODY_LIMITS.maxWebhookBytes),
  // Proxies whose X-Forwarded-For names the client (rate limits key on it); none by default.
  CXHUB_TRUSTED_PROXIES: trustedProxies.default([]),
  // Outgoing webhooks (README: Outgoing webhooks): the retry waits, the HTTP timeout, the rotation
  // grace, and whether endpoints may point at private addresses.
  CXHUB_WEBHOOK_RETRY_DELAYS: retryDelaysSchema.optional(),
  CXHUB_WEBHOOK_TIMEOUT_SECONDS: z.coerce
    .number({ message: "must be a number of seconds from 1 to 120" })
    .min(1, "must be at least 1 second")
    .max(120, "must be at most 120 seconds")
    .optional(),
  CXHUB_WEBHOOK_ROTATION_GRACE_HOURS: z.coerce
    .number({ message: "must be a number of hours from 0 to 720" })
    .min(0, "must be at least 0 hours")
    .max(720, "must be at most 720 hours (30 days)")
    .optional(),
  CXHUB_WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(["true", "false"], { message: 'must be "true" or "false"' })
    .transform((value) => value === "true")
    .optional(),
});

/** Where the data lives: the embedded database in a folder, or a PostgreSQL server. */
export type DatabaseConfig = { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string };

export type LogLevel = NonNullable<z.infer<typeof environmentSchema>["CXHUB_LOG_LEVEL"]>;

export interface Config {
  database: DatabaseConfig;
  port: number;
  host: string;
  logLevel: LogLevel;
  /** The bearer token /metrics asks for; null: /metrics is open to whoever reaches the port. */
  metricsToken: string | null;
  /** The scoring policy file, resolved against the working directory; the defaults when absent. */
  scoringPolicyFile: string | undefined;
  /**
   * Where the key for connector secrets comes from: CXHUB_SECRET_KEY; else, on the embedded database,
   * a key file beside its data (created on first use); else none (connectors cannot store secrets).
   */
  secretKey: { kind: "value"; key: Buffer } | { kind: "file"; dir: string } | { kind: "none" };
  /** npm packages of third-party connector plugins. */
  pluginPackages: string[];
  /** Redis for live alerts across server instances; null means in-process pub/sub. */
  redis: { url: string; channelPrefix: string } | null;
  rateLimits: RateLimitSettings;
  /** Origins whose pages may call the API (CORS); empty means no cross-origin access. */
  corsOrigins: string[];
  bodyLimits: BodyLimits;
  /** Addresses and CIDR blocks of the proxies whose X-Forwarded-For is believed; empty: nobody's. */
  trustedProxies: string[];
  /** How outgoing webhooks are retried, timed and allowed to reach (policy/webhook-settings.ts). */
  webhooks: WebhookSettings;
}

/**
 * Reads the configuration from an environment (process.env by default).
 * Throws a StartupError naming the first bad variable and what it should look like.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): Config {
  // An empty variable is treated as unset, as shells and .env files commonly leave them.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? "configuration");
    throw new StartupError(`${variable} ${issue?.message ?? "is invalid"}.`);
  }
  const vars = parsed.data;
  return {
    database: vars.DATABASE_URL
      ? { kind: "postgres", url: vars.DATABASE_URL }
      : { kind: "pglite", dataDir: path.resolve(cwd, vars.CXHUB_DATA_DIR) },
    port: vars.PORT,
    host: vars.HOST,
    logLevel: vars.CXHUB_LOG_LEVEL ?? vars.LOG_LEVEL ?? "info",
    metricsToken: vars.CXHUB_METRICS_TOKEN ?? null,
    scoringPolicyFile: vars.CXHUB_SCORING_POLICY ? path.resolve(cwd, vars.CXHUB_SCORING_POLICY) : undefined,
    secretKey: vars.CXHUB_SECRET_KEY
      ? { kind: "value", key: vars.CXHUB_SECRET_KEY }
      : vars.DATABASE_URL
        ? { kind: "none" }
        : { kind: "file", dir: path.resolve(cwd, vars.CXHUB_DATA_DIR) },
    pluginPackages: vars.CXHUB_PLUGINS,
    redis: vars.REDIS_URL ? { url: vars.REDIS_URL, channelPrefix: vars.CXHUB_REDIS_CHANNEL_PREFIX } : null,
    rateLimits: {
      failedAuthPerAddress: vars.CXHUB_FAILED_AUTH_LIMIT_PER_ADDRESS,
      failedAuthPerKeyPrefix: vars.CXHUB_FAILED_AUTH_LIMIT_PER_KEY_PREFIX,
      requestsPerKey: vars.CXHUB_REQUEST_LIMIT_PER_KEY,
    },
    corsOrigins: vars.CXHUB_CORS_ORIGINS,
    bodyLimits: { maxBytes: vars.CXHUB_MAX_BODY_BYTES, maxWebhookBytes: vars.CXHUB_MAX_WEBHOOK_BODY_BYTES },
    trustedProxies: vars.CXHUB_TRUSTED_PROXIES,
    webhooks: {
      ...DEFAULT_WEBHOOK_SETTINGS,
      retryDelaysSeconds: vars.CXHUB_WEBHOOK_RETRY_DELAYS ?? DEFAULT_WEBHOOK_SETTINGS.retryDelaysSeconds,
      timeoutMs:
        vars.CXHUB_WEBHOOK_TIMEOUT_SECONDS !== undefined
          ? Math.round(vars.CXHUB_WEBHOOK_TIMEOUT_SECONDS * 1000)
          : DEFAULT_WEBHOOK_SETTINGS.timeoutMs,
      rotationGraceSeconds:
        vars.CXHUB_WEBHOOK_ROTATION_GRACE_HOURS !== undefined
          ? Math.round(vars.CXHUB_WEBHOOK_ROTATION_GRACE_HOURS * 3600)
          : DEFAULT_WEBHOOK_SETTINGS.rotationGraceSeconds,
      allowPrivateUrls: vars.CXHUB_WEBHOOK_ALLOW_PRIVATE_URLS ?? DEFAULT_WEBHOOK_SETTINGS.allowPrivateUrls,
    },
  };
}

function isRedisUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "";
}

function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value.replace(/\/$/, "");
}

function isPostgresUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "postgresql:" || url.protocol === "postgres:") && url.hostname !== "";
}

/** The length of the key that encrypts connector secrets (AES-256). */
export const SECRET_KEY_BYTES = 32;

/**
 * The bytes of a secret key written as base64 (44 characters) or hex (64 digits), as in
 * CXHUB_SECRET_KEY and the embedded key file; null when the text is neither, for the caller to say so.
 */
export function decodeSecretKey(text: string): Buffer | null {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed, "base64")
      : null;
  return key && key.length === SECRET_KEY_BYTES ? key : null;
}

/** The package names in CXHUB_PLUGINS ("pkg-a, @acme/pkg-b"): comma- or space-separated, each once. */
export function parsePluginList(value: string | undefined): string[] {
  return [...new Set((value ?? "").split(/[\s,]+/).filter((name) => name !== ""))];
}

/** A database URL fit for logs and error messages: the password replaced. */
export function redactDatabaseUrl(value: string): string {
  if (!URL.canParse(value)) return "(unparseable URL)";
  const url = new URL(value);
  if (url.password) url.password = "*****";
  return url.toString();
}

/** A one-line description of where the data lives, for start-up messages. */
export function describeDatabase(database: DatabaseConfig): string {
  return database.kind === "pglite"
    ? `embedded PGlite database in ${database.dataDir}`
    : `PostgreSQL at ${redactDatabaseUrl(database.url)}`;
}
