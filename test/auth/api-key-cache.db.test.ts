// The validated-key cache (issue 15: "validated API keys may be cached only if revocation still takes
// effect at once on every instance"): a key checked once is served from memory; any change to it, made
// by anyone, is announced by the database's trigger and drops it from every instance's memory; a change
// nobody announced is seen after the entry's maximum age; a lost LISTEN connection stops the cache.
import { afterEach, describe, expect, inject } from "vitest";
import { type ApiKeyCache, startApiKeyCache } from "../../src/auth/api-key-cache.ts";
import { createApiKey, revokeApiKey } from "../../src/auth/api-keys.ts";
import type { Database } from "../../src/db/database.ts";
import { test } from "../helpers/database.ts";

const T0 = new Date("2026-06-15T12:00:00Z");
const caches: ApiKeyCache[] = [];
afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
});

async function cacheOn(db: Database, clock: () => Date = () => T0) {
  const cache = await startApiKeyCache({ db: db.prisma, listen: db.listen, clock, maxAgeMs: 60_000 });
  caches.push(cache);
  return cache;
}

async function analystKey(db: Database) {
  return createApiKey(db.prisma, { principal: { name: "Ana" }, name: "dashboard", role: "ANALYST" });
}

/** Polls until `check` holds (a notification is on its way), failing after `ms`; returns the wait. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`Not within ${ms} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - started;
}

/** Changes rows with the announcing triggers off: a change the caches are not told about. */
async function unannounced(db: Database, sql: string) {
  await db.prisma.$executeRawUnsafe(`ALTER TABLE "ApiKey" DISABLE TRIGGER USER`);
  try {
    await db.prisma.$executeRawUnsafe(sql);
  } finally {
    await db.prisma.$executeRawUnsafe(`ALTER TABLE "ApiKey" ENABLE TRIGGER USER`);
  }
}

describe("the validated-key cache", () => {
  test("serves a key checked once from memory, and reads it again after the maximum age", async ({ db }) => {
    let now = T0;
    const cache = await cacheOn(db, () => now);
    const { key, apiKey } = await analystKey(db);
    expect(await cache.authenticate(key)).toMatchObject({
      viewer: { role: "ANALYST", principalName: "Ana" },
    });
    expect(cache.size()).toBe(1);

    // Revoked behind the cache's back: memory still answers, which shows it is not read each time.
    await unannounced(
      db,
      `UPDATE "ApiKey" SET "revokedAt" = '2026-06-15T11:00:00Z' WHERE id = '${apiKey.id}'`,
    );
    expect(await cache.authenticate(key)).toMatchObject({ viewer: { role: "ANALYST" } });

    now = new Date(T0.getTime() + 60_001);
    expect(await cache.authenticate(key)).toEqual({ failure: "revoked" });
    expect(cache.size()).toBe(0);
  });

  test("takes a revocation into account on every instance as soon as it commits", async ({ db }) => {
    const [one, two] = [await cacheOn(db), await cacheOn(db)];
    const { key, apiKey } = await analystKey(db);
    for (const cache of [one, two]) expect(await cache.authenticate(key)).toHaveProperty("viewer");

    await revokeApiKey(db.prisma, apiKey.prefix, new Date("2026-06-15T11:00:00Z"));

    for (const cache of [one, two]) {
      await within(2000, async () => cache.size() === 0);
      expect(await cache.authenticate(key)).toEqual({ failure: "revoked" });
    }
  });

  test("sees a new role and a principal's new name at once, and an expiry by the clock", async ({ db }) => {
    let now = T0;
    const cache = await cacheOn(db, () => now);
    const { key, apiKey, principal } = await analystKey(db);
    await cache.authenticate(key);

    await db.prisma.apiKey.update({
      where: { id: apiKey.id },
      data: { role: "ADMIN", expiresAt: new Date(T0.getTime() + 30_000) },
    });
    await within(2000, async () => cache.size() === 0);
    expect(await cache.authenticate(key)).toMatchObject({ viewer: { role: "ADMIN" } });

    await db.prisma.principal.update({ where: { id: principal.id }, data: { name: "Ana Souza" } });
    await within(2000, async () => cache.size() === 0);
    expect(await cache.authenticate(key)).toMatchObject({ viewer: { principalName: "Ana Souza" } });

    // Expiry needs no announcement: the cached row is checked against the clock on every use.
    now = new Date(T0.getTime() + 30_000);
    expect(await cache.authenticate(key)).toEqual({ failure: "expired" });
  });

  test("checks a wrong secret under a cached prefix against the database, and keeps recording use", async ({
    db,
  }) => {
    let now = T0;
    const cache = await cacheOn(db, () => now);
    const { key, apiKey } = await analystKey(db);
    await cache.authenticate(key);
    const guess = `${key.slice(0, -4)}AAAA`;
    expect(await cache.authenticate(guess)).toEqual({ failure: "unknown" });
    expect(await cache.authenticate(key)).toHaveProperty("viewer");

    now = new Date(T0.getTime() + 61_000);
    await cache.authenticate(key);
    const stored = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(stored.lastUsedAt).toEqual(now);
  });

  test.skipIf(inject("databaseKind") !== "postgres")(
    "stops serving from memory while its LISTEN connection is down",
    async ({ db }) => {
      const cache = await cacheOn(db);
      const { key, apiKey } = await analystKey(db);
      await cache.authenticate(key);
      expect(cache.size()).toBe(1);

      await db.prisma.$executeRawUnsafe(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query = 'LISTEN "cxhub_api_key_changes"'`,
      );
      await within(2000, async () => cache.size() === 0);
      // Unannounced, and the connection is down: only a database read can see it.
      await unannounced(
        db,
        `UPDATE "ApiKey" SET "revokedAt" = '2026-06-15T11:00:00Z' WHERE id = '${apiKey.id}'`,
      );
      expect(await cache.authenticate(key)).toEqual({ failure: "revoked" });
    },
  );
});
