// What the connector tests share: the template plugin installed under a name, a secret key, a sync
// engine that does not sleep between retries and commits at every checkpoint, and webhook deliveries signed as Tiny Desk signs them.
import { readFileSync } from "node:fs";
import template from "../../../plugins/template/index.ts";
import { installConnector } from "../../../src/connectors/connector-store.ts";
import { createPluginRegistry } from "../../../src/connectors/plugin-registry.ts";
import { createSyncEngine, type SyncEngineOptions } from "../../../src/connectors/sync/sync-engine.ts";
import type { PrismaClient } from "../../../src/generated/prisma/client.ts";
import { hmacSha256 } from "../../../src/sdk/webhooks.ts";
import { TEMPLATE_CONFIG, WEBHOOK_SECRET } from "./tiny-desk-api.ts";

export const SECRET_KEY = Buffer.alloc(32, 7);
export const plugins = createPluginRegistry([template]);

export async function installTemplate(db: PrismaClient, name = "tinydesk", config: object = TEMPLATE_CONFIG) {
  return installConnector(
    { db, plugins, secretKey: SECRET_KEY },
    { pluginId: "template", name, config: { ...config } },
  );
}

export function testEngine(db: PrismaClient, options: Partial<SyncEngineOptions> = {}) {
  return createSyncEngine({
    db,
    plugins,
    secretKey: SECRET_KEY,
    sleep: async (_ms, signal) => signal?.throwIfAborted(),
    http: { maxAttempts: 2 },
    // Every checkpoint commits at once, so tests can stop a run between pages and see each page stored.
    checkpointIntervalMs: 0,
    ...options,
  });
}

export const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../../plugins/template/fixtures/${name}`, import.meta.url), "utf8"));

/** A delivery as Tiny Desk POSTs it: body signed with the webhook secret, with a delivery id. */
export function tinyDeskDelivery(
  body: unknown,
  options: { deliveryId?: string; secret?: string; connector?: string } = {},
): Request {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-tinydesk-signature": `sha256=${hmacSha256(options.secret ?? WEBHOOK_SECRET, text)}`,
  };
  if (options.deliveryId) headers["x-tinydesk-delivery"] = options.deliveryId;
  return new Request(`https://hub.example.com/webhooks/${options.connector ?? "tinydesk"}`, {
    method: "POST",
    headers,
    body: text,
  });
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
