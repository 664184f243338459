// Fuzzing every built-in plugin's webhooks through the real handler and database: each plugin's
// documented payloads (plugins/*/fixtures), damaged at random paths (json-mutations.ts) and signed as
// the provider signs them. Whatever the body, the hub must:
// - never answer 5xx (a provider's bad input is not the hub's failure);
// - keep every signed body it does not store: a 200 with counts whose records add up (refused
//   records are RECORD dead letters), or a 200 dead-lettered delivery whose raw body is kept, or a 400
//   kept as an unverified delivery; a repeat of a body already received is answered as a duplicate;
// - never let an older version of a fact replace a newer one;
// - answer each delivery in bounded time.
// Deterministic: the seed is fixed (FUZZ_SEED overrides it, FUZZ_RUNS raises the runs per plugin),
// and fast-check prints the seed and the path of a failing case, with its shrunk damage.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect } from "vitest";
import gmail from "../../plugins/gmail/index.ts";
import meta from "../../plugins/meta-comments/index.ts";
import shopify from "../../plugins/shopify/index.ts";
import template from "../../plugins/template/index.ts";
import { installConnector } from "../../src/connectors/connector-store.ts";
import { createPluginRegistry } from "../../src/connectors/plugin-registry.ts";
import { handleWebhook, type WebhookHandlerOptions } from "../../src/connectors/webhooks/handle-webhook.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { hmacSha256 } from "../../src/sdk/webhooks.ts";
import { test } from "../helpers/database.ts";
import { writesAt } from "../helpers/writes.ts";
import { SECRET_KEY } from "./helpers/hub.ts";
import { type Damage, damagedBodies } from "./helpers/json-mutations.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 14_2026);
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
/** Each delivery, on a loaded CI machine: a body the size of the largest damage takes well under it. */
const MAX_DELIVERY_MS = 10_000;
const NOW = new Date("2026-03-06T10:00:00Z");
const plugins = createPluginRegistry([gmail, meta, shopify, template]);

// The Graph API lookups Meta's webhooks make answer "no such node": the plugin falls back to the
// notification's own fields. No other HTTP call may leave the process.
const server = setupServer(
  http.get("https://graph.facebook.com/*", () =>
    HttpResponse.json(
      {
        error: {
          message: "Unsupported get request.",
          type: "GraphMethodException",
          code: 100,
          error_subcode: 33,
        },
      },
      { status: 400 },
    ),
  ),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Target {
  pluginId: string;
  name: string;
  config: Record<string, unknown>;
  fixtures: Array<{ file: string; headers?: Record<string, string> }>;
  /** Keys whose values are not damaged (a signed send time, which the replay window checks). */
  frozen?: string[];
  /** The request as the provider sends it, authenticated its way. */
  request(body: Uint8Array<ArrayBuffer>, headers: Record<string, string>): Request;
}

const fixtureJson = (pluginId: string, file: string): Json =>
  JSON.parse(readFileSync(new URL(`../../plugins/${pluginId}/fixtures/${file}`, import.meta.url), "utf8"));

const post = (url: string, body: Uint8Array<ArrayBuffer>, headers: Record<string, string>) =>
  new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

const SHOPIFY_SECRET = "shpss_fuzz_0123456789";
const META_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const TEMPLATE_SECRET = "whsec_fuzz_0123456789";
const PUSH_TOKEN = "push-secret-0123456789abcdef";

const shopifyTopic = (topic: string) => ({ "X-Shopify-Topic": topic });
const metaTarget = (name: string, network: string, accountId: string, files: string[]): Target => ({
  pluginId: "meta-comments",
  name,
  config: {
    network,
    accountId,
    accessToken: "EAAGm0PX4ZCpsBAFakePageAccessToken0123456789",
    appSecret: META_SECRET,
    verifyToken: "acme-kitchen-webhooks-2026",
  },
  fixtures: files.map((file) => ({ file })),
  request: (body) =>
    post(`https://hub.example.com/webhooks/${name}`, body, {
      "X-Hub-Signature-256": `sha256=${hmacSha256(META_SECRET, body)}`,
    }),
});

const TARGETS: Target[] = [
  {
    pluginId: "shopify",
    name: "shop",
    config: {
      shopDomain: "acme.myshopify.com",
      accessToken: "shpat_fuzz_0123456789",
      clientSecret: SHOPIFY_SECRET,
    },
    fixtures: [
      { file: "webhook-orders-create.json", headers: shopifyTopic("orders/create") },
      { file: "webhook-orders-create.json", headers: shopifyTopic("orders/updated") },
      { file: "webhook-customers-create.json", headers: shopifyTopic("customers/create") },
      { file: "webhook-orders-delete.json", headers: shopifyTopic("orders/delete") },
      { file: "webhook-customers-delete.json", headers: shopifyTopic("customers/delete") },
      { file: "webhook-customers-redact.json", headers: shopifyTopic("customers/redact") },
      { file: "webhook-customers-data-request.json", headers: shopifyTopic("customers/data_request") },
    ],
    request: (body, headers) =>
      post("https://hub.example.com/webhooks/shop", body, {
        ...headers,
        "X-Shopify-Shop-Domain": "acme.myshopify.com",
        "X-Shopify-Hmac-Sha256": hmacSha256(SHOPIFY_SECRET, body, "base64"),
        // Unsigned, so any value: a new one for every body (derived from it, so runs repeat exactly).
        "X-Shopify-Webhook-Id": createHash("sha256").update(body).digest("hex").slice(0, 32),
        "X-Shopify-Triggered-At": "2026-03-06T09:59:00Z",
      }),
  },
  {
    pluginId: "template",
    name: "tinydesk",
    config: { apiToken: "td_fuzz_0123456789", webhookSecret: TEMPLATE_SECRET },
    fixtures: [
      { file: "webhook-ticket-updated.json" },
      { file: "webhook-erasure-requested.json" },
      { file: "webhook-tickets-imported.json" },
    ],
    frozen: ["sent_at"],
    request: (body) =>
      post("https://hub.example.com/webhooks/tinydesk", body, {
        "x-tinydesk-signature": `sha256=${hmacSha256(TEMPLATE_SECRET, body)}`,
      }),
  },
  metaTarget("facebook", "facebook", "104615345678901", [
    "webhook-feed-comment-add.json",
    "webhook-feed-comment-remove.json",
    "webhook-feed-page-reply.json",
  ]),
  metaTarget("instagram", "instagram", "17841405822304914", [
    "webhook-instagram-comment.json",
    "webhook-instagram-brand-reply.json",
  ]),
  {
    pluginId: "gmail",
    name: "support-mail",
    config: { mailbox: "support@acme.example", accessToken: "ya29.fuzz-0123456789", pushToken: PUSH_TOKEN },
    fixtures: [{ file: "push-notification.json" }],
    request: (body) => post(`https://hub.example.com/webhooks/support-mail?token=${PUSH_TOKEN}`, body, {}),
  },
];

async function versions(db: PrismaClient): Promise<Map<string, number>> {
  const rows = await db.interaction.findMany({ select: { externalId: true, sourceUpdatedAt: true } });
  return new Map(
    rows.flatMap((row) => (row.sourceUpdatedAt ? [[row.externalId, row.sourceUpdatedAt.getTime()]] : [])),
  );
}

/** The checks above, for one delivery. */
async function deliverAndCheck(
  db: PrismaClient,
  target: Target,
  headers: Record<string, string>,
  damage: Damage,
  seen: Set<string>,
) {
  const options: WebhookHandlerOptions = {
    db,
    plugins,
    secretKey: SECRET_KEY,
    writes: writesAt(NOW),
    // Not what is fuzzed here: signed send times are left intact (Target.frozen).
    replayWindowMs: Number.MAX_SAFE_INTEGER,
  };
  const key = createHash("sha256").update(damage.body).digest("hex");
  const before = await versions(db);
  const started = performance.now();
  const response = await handleWebhook(options, target.name, target.request(damage.body, headers));
  const elapsed = performance.now() - started;
  const answer = await response.json();

  expect(response.status, damage.describe).toBeLessThan(500);
  expect(elapsed, damage.describe).toBeLessThan(MAX_DELIVERY_MS);
  if (answer.duplicate === true) {
    expect(seen.has(key), `${damage.describe}: answered duplicate, but this body is new`).toBe(true);
  } else if (response.status === 200 && answer.deadLettered === 1 && answer.received === 0) {
    await expectKept(db, damage, true);
  } else if (response.status === 200) {
    const { received, created, updated, unchanged, deleted, deadLettered, skippedStale } = answer;
    // Every record the plugin made is accounted for: stored, refused (a RECORD dead letter) or stale.
    // A plugin may make none: a notification for another account or mailbox is ignored by design.
    expect(created + updated + unchanged + deleted + deadLettered + skippedStale, damage.describe).toBe(
      received,
    );
  } else if (response.status === 400) {
    await expectKept(db, damage, false);
  } else {
    expect.fail(`${damage.describe}: answered ${response.status} ${JSON.stringify(answer)}`);
  }
  seen.add(key);

  const after = await versions(db);
  for (const [externalId, version] of before) {
    expect(
      after.get(externalId) ?? Number.NaN,
      `${damage.describe}: ${externalId} went back in time`,
    ).toBeGreaterThanOrEqual(version);
  }
}

async function expectKept(db: PrismaClient, damage: Damage, verified: boolean) {
  // Kept as its text, or base64 when it is not UTF-8 or holds a NUL (which PostgreSQL text cannot).
  let payload = Buffer.from(damage.body).toString("base64");
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(damage.body);
    if (!text.includes("\u0000")) payload = text;
  } catch {
    // not UTF-8: base64
  }
  const letters = await db.deadLetter.findMany({ where: { kind: "WEBHOOK_DELIVERY", payload } });
  expect(letters.length, `${damage.describe}: the delivery was not kept`).toBeGreaterThan(0);
  expect(letters[0]?.details, damage.describe).toMatchObject({ verified });
}

describe("webhooks under random damage", () => {
  for (const target of TARGETS) {
    test(`${target.name} (${target.pluginId}): never a 5xx, nothing lost, nothing rolled back`, {
      timeout: 120_000,
    }, async ({ db }) => {
      await installConnector(
        { db: db.prisma, plugins, secretKey: SECRET_KEY },
        { pluginId: target.pluginId, name: target.name, config: target.config },
      );
      const seen = new Set<string>();
      const cases = fc.oneof(
        ...target.fixtures.map((fixture) =>
          damagedBodies(fixtureJson(target.pluginId, fixture.file), { frozen: target.frozen }).map(
            (damage) => ({
              headers: fixture.headers ?? {},
              damage,
            }),
          ),
        ),
      );
      await fc.assert(
        fc.asyncProperty(cases, ({ headers, damage }) =>
          deliverAndCheck(db.prisma, target, headers, damage, seen),
        ),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }
});
