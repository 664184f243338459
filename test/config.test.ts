import path from "node:path";
import { describe, expect, test } from "vitest";
import { loadConfig, parsePluginList, redactDatabaseUrl } from "../src/config.ts";

describe("configuration", () => {
  test("with nothing set, uses the embedded database in ./.cxhub/data on port 4000", () => {
    expect(loadConfig({}, "/srv/hub")).toEqual({
      database: { kind: "pglite", dataDir: path.resolve("/srv/hub", ".cxhub/data") },
      port: 4000,
      host: "127.0.0.1",
      logLevel: "info",
      metricsToken: null,
      scoringPolicyFile: undefined,
      secretKey: { kind: "file", dir: path.resolve("/srv/hub", ".cxhub/data") },
      pluginPackages: [],
      redis: null,
      rateLimits: {
        failedAuthPerAddress: { points: 30, seconds: 60 },
        failedAuthPerKeyPrefix: { points: 10, seconds: 60 },
        requestsPerKey: null,
      },
      corsOrigins: [],
      bodyLimits: { maxBytes: 1024 * 1024, maxWebhookBytes: 5 * 1024 * 1024 },
      trustedProxies: [],
      webhooks: {
        retryDelaysSeconds: [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400],
        timeoutMs: 15_000,
        jitter: 0.1,
        rotationGraceSeconds: 86_400,
        allowPrivateUrls: false,
      },
    });
  });

  test("outgoing webhooks: retry waits with units, a timeout, a rotation grace, private URLs", () => {
    expect(
      loadConfig({
        CXHUB_WEBHOOK_RETRY_DELAYS: "5s, 5m,2h,1d,30",
        CXHUB_WEBHOOK_TIMEOUT_SECONDS: "20",
        CXHUB_WEBHOOK_ROTATION_GRACE_HOURS: "2",
        CXHUB_WEBHOOK_ALLOW_PRIVATE_URLS: "true",
      }).webhooks,
    ).toMatchObject({
      retryDelaysSeconds: [5, 300, 7200, 86_400, 30],
      timeoutMs: 20_000,
      rotationGraceSeconds: 7200,
      allowPrivateUrls: true,
    });
    expect(loadConfig({ CXHUB_WEBHOOK_RETRY_DELAYS: "none" }).webhooks.retryDelaysSeconds).toEqual([]);
    expect(() => loadConfig({ CXHUB_WEBHOOK_RETRY_DELAYS: "5s,soon" })).toThrow(
      /CXHUB_WEBHOOK_RETRY_DELAYS must be waits separated by commas.*"soon" is not one/,
    );
    expect(() => loadConfig({ CXHUB_WEBHOOK_TIMEOUT_SECONDS: "600" })).toThrow(
      /CXHUB_WEBHOOK_TIMEOUT_SECONDS must be at most 120 seconds/,
    );
    expect(() => loadConfig({ CXHUB_WEBHOOK_ALLOW_PRIVATE_URLS: "yes" })).toThrow(
      /CXHUB_WEBHOOK_ALLOW_PRIVATE_URLS must be "true" or "false"/,
    );
  });

  test("CXHUB_LOG_LEVEL sets the log level; LOG_LEVEL, its older name, only when it is unset", () => {
    expect(loadConfig({ CXHUB_LOG_LEVEL: "debug" }).logLevel).toBe("debug");
    expect(loadConfig({ LOG_LEVEL: "warn" }).logLevel).toBe("warn");
    expect(loadConfig({ CXHUB_LOG_LEVEL: "error", LOG_LEVEL: "warn" }).logLevel).toBe("error");
  });

  test("rate limits are <count>/<seconds> or off, and a bad one names its variable", () => {
    expect(
      loadConfig({
        CXHUB_FAILED_AUTH_LIMIT_PER_ADDRESS: "100/300",
        CXHUB_FAILED_AUTH_LIMIT_PER_KEY_PREFIX: "off",
        CXHUB_REQUEST_LIMIT_PER_KEY: "6000/60s",
      }).rateLimits,
    ).toEqual({
      failedAuthPerAddress: { points: 100, seconds: 300 },
      failedAuthPerKeyPrefix: null,
      requestsPerKey: { points: 6000, seconds: 60 },
    });
    for (const bad of ["30", "0/60", "30/0", "thirty/60"]) {
      expect(() => loadConfig({ CXHUB_REQUEST_LIMIT_PER_KEY: bad }), bad).toThrow(
        'CXHUB_REQUEST_LIMIT_PER_KEY must be "<count>/<seconds>", such as 30/60 for 30 a minute (seconds at most 86400), or "off".',
      );
    }
  });

  test("CORS origins are listed, comma-separated, and must be origins", () => {
    expect(
      loadConfig({ CXHUB_CORS_ORIGINS: "https://app.example.com, http://localhost:5173/" }).corsOrigins,
    ).toEqual(["https://app.example.com", "http://localhost:5173"]);
    expect(() => loadConfig({ CXHUB_CORS_ORIGINS: "https://app.example.com/path" })).toThrow(
      'CXHUB_CORS_ORIGINS has "https://app.example.com/path", which is not an origin',
    );
    expect(() => loadConfig({ CXHUB_CORS_ORIGINS: "*" })).toThrow("which is not an origin");
  });

  test("body limits default to 1 MiB for /graphql and 5 MiB for webhooks, and take a size with a unit", () => {
    expect(loadConfig({}).bodyLimits).toEqual({ maxBytes: 1024 * 1024, maxWebhookBytes: 5 * 1024 * 1024 });
    expect(
      loadConfig({ CXHUB_MAX_BODY_BYTES: "256KiB", CXHUB_MAX_WEBHOOK_BODY_BYTES: "20mib" }).bodyLimits,
    ).toEqual({ maxBytes: 256 * 1024, maxWebhookBytes: 20 * 1024 * 1024 });
    expect(loadConfig({ CXHUB_MAX_BODY_BYTES: "65536" }).bodyLimits.maxBytes).toBe(65536);
    expect(() => loadConfig({ CXHUB_MAX_BODY_BYTES: "lots" })).toThrow(
      "CXHUB_MAX_BODY_BYTES must be a size from 1KiB to 1024MiB",
    );
    expect(() => loadConfig({ CXHUB_MAX_BODY_BYTES: "10" })).toThrow("must be a size from 1KiB");
  });

  test("trusted proxies are addresses or CIDR blocks, none by default", () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ CXHUB_TRUSTED_PROXIES: "10.0.0.5, 10.1.0.0/16 fd00::/8" }).trustedProxies).toEqual([
      "10.0.0.5",
      "10.1.0.0/16",
      "fd00::/8",
    ]);
    expect(() => loadConfig({ CXHUB_TRUSTED_PROXIES: "proxy.internal" })).toThrow(
      'CXHUB_TRUSTED_PROXIES has "proxy.internal", which is neither an IP address nor a CIDR block',
    );
    expect(() => loadConfig({ CXHUB_TRUSTED_PROXIES: "10.0.0.0/33" })).toThrow("neither an IP address");
  });

  test("REDIS_URL turns on pub/sub across instances, on channels under CXHUB_REDIS_CHANNEL_PREFIX", () => {
    expect(loadConfig({ REDIS_URL: "redis://cache:6379/0" }).redis).toEqual({
      url: "redis://cache:6379/0",
      channelPrefix: "cxhub:",
    });
    expect(
      loadConfig({ REDIS_URL: "rediss://cache:6380", CXHUB_REDIS_CHANNEL_PREFIX: "eu-hub:" }).redis,
    ).toEqual({ url: "rediss://cache:6380", channelPrefix: "eu-hub:" });
    expect(() => loadConfig({ REDIS_URL: "cache:6379" })).toThrow(
      "REDIS_URL must be a Redis URL such as redis://localhost:6379 (or rediss:// for TLS).",
    );
  });

  test("connector secrets: CXHUB_SECRET_KEY, else the embedded key file, else none on PostgreSQL", () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig({ CXHUB_SECRET_KEY: key.toString("base64") }).secretKey).toEqual({
      kind: "value",
      key,
    });
    expect(loadConfig({ CXHUB_SECRET_KEY: key.toString("hex") }).secretKey).toEqual({ kind: "value", key });
    expect(loadConfig({ DATABASE_URL: "postgresql://db/cxhub" }).secretKey).toEqual({ kind: "none" });
    expect(() => loadConfig({ CXHUB_SECRET_KEY: "too-short" })).toThrow(
      /^CXHUB_SECRET_KEY must be 32 random bytes as base64 \(44 characters\) or hex \(64\)/,
    );
  });

  test("CXHUB_PLUGINS lists third-party plugin packages, comma- or space-separated, without repeats", () => {
    expect(loadConfig({ CXHUB_PLUGINS: "cx-hub-plugin-a, @acme/cx-hub-plugin-b" }).pluginPackages).toEqual([
      "cx-hub-plugin-a",
      "@acme/cx-hub-plugin-b",
    ]);
    expect(parsePluginList(" cx-hub-plugin-a, @acme/cx-hub-plugin-b  cx-hub-plugin-a,")).toEqual([
      "cx-hub-plugin-a",
      "@acme/cx-hub-plugin-b",
    ]);
    expect(parsePluginList(undefined)).toEqual([]);
  });

  test("CXHUB_SCORING_POLICY names a policy file, relative to the working directory", () => {
    expect(loadConfig({ CXHUB_SCORING_POLICY: "config/scoring.json" }, "/srv").scoringPolicyFile).toBe(
      "/srv/config/scoring.json",
    );
  });

  test("CXHUB_DATA_DIR moves the embedded database", () => {
    expect(loadConfig({ CXHUB_DATA_DIR: "var/hub" }, "/srv").database).toEqual({
      kind: "pglite",
      dataDir: "/srv/var/hub",
    });
  });

  test("DATABASE_URL switches to PostgreSQL", () => {
    const url = "postgresql://hub:secret@db.internal:5432/cxhub";
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ kind: "postgres", url });
    expect(loadConfig({ DATABASE_URL: "postgres://localhost/cxhub" }).database.kind).toBe("postgres");
  });

  test("treats empty variables as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", PORT: "" }, "/x")).toMatchObject({
      database: { kind: "pglite" },
      port: 4000,
    });
  });

  test.for([
    [
      "DATABASE_URL",
      "mysql://localhost/cxhub",
      /^DATABASE_URL must be a PostgreSQL URL such as postgresql:\/\//,
    ],
    ["DATABASE_URL", "localhost:5432", /^DATABASE_URL must be a PostgreSQL URL/],
    ["PORT", "http", /^PORT must be a port number between 0 and 65535\.$/],
    ["PORT", "70000", /^PORT must be between 0 and 65535\.$/],
    ["LOG_LEVEL", "loud", /^LOG_LEVEL /],
    ["CXHUB_LOG_LEVEL", "loud", /^CXHUB_LOG_LEVEL /],
    ["CXHUB_METRICS_TOKEN", "short", /^CXHUB_METRICS_TOKEN must be at least 16 characters/],
  ])("refuses %s=%s with a sentence naming the variable", ([name, value, message]) => {
    expect(() => loadConfig({ [name as string]: value as string })).toThrow(message as RegExp);
  });

  test("never shows a database password in messages", () => {
    expect(redactDatabaseUrl("postgresql://hub:s3cret@db:5432/cxhub")).toBe(
      "postgresql://hub:*****@db:5432/cxhub",
    );
  });
});
