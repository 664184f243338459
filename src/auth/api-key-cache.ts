// Validated API keys, kept in memory so that a request does not cost a database read to authenticate,
// without delaying a revocation: every change to a key that matters to authentication (revoked,
// expiry, role, scopes, secret, owner, deleted) and every rename of a principal is announced by a
// trigger with pg_notify (migration 20261205131500_api_key_change_notifications), which every instance
// LISTENs to; the change's commit drops the key from every instance's memory (on PostgreSQL, within
// the milliseconds a notification takes). Whatever the notification path, nothing is trusted that
// it could have missed:
// - until the LISTEN is in force, and while its connection is down, every request reads the database;
// - an entry is read again after `maxAgeMs` in any case (a trigger disabled by hand, a lost message);
// - expiry is checked against the clock on every use, as the database read would.
// Only keys that authenticated are kept (a wrong guess costs a read, as before, and cannot fill the
// memory), at most `maxEntries` of them.
import type { Clock } from "../clock.ts";
import type { Db } from "../db/database.ts";
import type { Listen } from "../db/notifications.ts";
import type { Logger } from "../logger.ts";
import {
  type AuthenticationResult,
  authenticateApiKey,
  checkStoredApiKey,
  presentedKeyShape,
  readStoredApiKey,
  recordApiKeyUse,
  type StoredApiKey,
} from "./api-keys.ts";

/** The channel of the trigger: a key's prefix, or "" when every key may have changed (a principal). */
export const API_KEY_CHANGES_CHANNEL = "cxhub_api_key_changes";

/** Authenticates a presented key: from memory when it may, from the database otherwise. */
export type AuthenticateApiKey = (presented: string | null | undefined) => Promise<AuthenticationResult>;

export interface ApiKeyCache {
  authenticate: AuthenticateApiKey;
  /** Keys held now (for tests and metrics). */
  size(): number;
  close(): Promise<void>;
}

export interface ApiKeyCacheOptions {
  db: Db;
  listen: Listen;
  clock: Clock;
  logger?: Logger;
  /** How long an entry is trusted without a notification at most; one minute by default. */
  maxAgeMs?: number;
  maxEntries?: number;
}

interface Entry {
  stored: StoredApiKey;
  readAt: number;
}

export async function startApiKeyCache({
  db,
  listen,
  clock,
  logger,
  maxAgeMs = 60_000,
  maxEntries = 10_000,
}: ApiKeyCacheOptions): Promise<ApiKeyCache> {
  const entries = new Map<string, Entry>();
  /** False while a lost LISTEN connection is down: notifications sent then would be missed. */
  let listening = false;
  /** Counts notifications and losses: a read that one overtook is not kept. */
  let changes = 0;
  const forget = (prefix: string) => {
    changes++;
    if (prefix === "") entries.clear();
    else entries.delete(prefix);
  };
  const unlisten = await listen(API_KEY_CHANGES_CHANNEL, forget, {
    onLost: () => {
      listening = false;
      forget("");
    },
    onReconnect: () => {
      forget("");
      listening = true;
    },
    logger,
  });
  listening = true;

  const authenticate: AuthenticateApiKey = async (presented) => {
    const now = clock();
    const shape = presentedKeyShape(presented);
    if ("failure" in shape) return shape;
    const { key, prefix } = shape;
    const cached = entries.get(prefix);
    if (listening && cached && now.getTime() - cached.readAt <= maxAgeMs) {
      const result = checkStoredApiKey(cached.stored, key, now);
      // Another key under a cached prefix (a guess) is checked against the database, as ever.
      if ("viewer" in result) {
        await recordApiKeyUse(db, cached.stored, now);
        return result;
      }
    }
    // A change that commits after the read is announced after it: if its notification has come by
    // the time the row would be kept (checked in the same tick as keeping, after every await), the
    // row is used for this request only; if it comes later, it drops the kept row. So is anything
    // read while not listening. A wrong guess under a known prefix keeps the key it guessed at.
    const before = changes;
    const stored = await readStoredApiKey(db, prefix);
    const result = checkStoredApiKey(stored, key, now);
    if ("viewer" in result && stored) {
      await recordApiKeyUse(db, stored, now);
      if (listening && changes === before) keep(prefix, { stored, readAt: now.getTime() });
    } else if (!stored || ("failure" in result && result.failure !== "unknown")) {
      entries.delete(prefix); // The key itself no longer holds (not merely a wrong secret).
    }
    return result;
  };

  const keep = (prefix: string, entry: Entry) => {
    entries.delete(prefix);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(prefix, entry);
  };

  return {
    authenticate,
    size: () => entries.size,
    async close() {
      listening = false;
      entries.clear();
      await unlisten();
    },
  };
}

/** Authentication without memory: every request reads its key (tests, tools, a server without LISTEN). */
export function uncachedApiKeys(db: Db, clock: Clock): AuthenticateApiKey {
  return (presented) => authenticateApiKey(db, presented, clock());
}
