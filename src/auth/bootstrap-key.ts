// The first step on a fresh embedded database: with no API key at all, create an admin key and let
// start-up print it once, so a newcomer can query right away. Production (PostgreSQL) never gets an
// automatic key: an operator creates the first one with `npm run apikey -- create`.
import type { Db } from "../db/database.ts";
import { createApiKey } from "./api-keys.ts";

export async function createBootstrapKeyIfNone(db: Db): Promise<string | null> {
  if ((await db.apiKey.count()) > 0) return null;
  const { key } = await createApiKey(db, {
    principal: { name: "Administrator" },
    name: "bootstrap admin key (created at first start)",
    role: "ADMIN",
    scopes: ["pii"],
  });
  return key;
}
