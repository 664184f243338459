// API keys: created with a role and scopes for a principal (a person or a service), shown once,
// stored only as a SHA-256 hash, found by their public prefix and compared in constant time.
import { hash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Db } from "../db/database.ts";
import { NotFoundError, parseInput } from "../domain/errors.ts";
import type { ApiKey, Principal } from "../generated/prisma/client.ts";
import { Role } from "../generated/prisma/enums.ts";

/** Scopes a key may carry beyond its role. */
export const SCOPES = {
  /** Read personal data (emails, phones, message bodies, survey comments) unmasked. */
  pii: "pii",
  /**
   * For INTEGRATOR keys: read customers and everything about them (interactions, feedback, scores,
   * journeys, the timeline). Without it an integrator sees connectors, sync runs and dead letters
   * only; other roles read customers by their role, and need no scope for it.
   */
  customers: "customers",
} as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

const KEY_PATTERN = /^cxh_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export const createApiKeyInput = z.object({
  principal: z.union([
    z.object({ id: z.uuid() }),
    z.object({ name: z.string().trim().min(1), email: z.email().optional() }),
  ]),
  name: z.string().trim().min(1, 'name the key after where it is used ("alerts page", "shop sync")'),
  role: z.enum(Role),
  scopes: z.array(z.enum(SCOPES)).default([]),
  expiresAt: z.date().optional(),
});
export type CreateApiKeyInput = z.input<typeof createApiKeyInput>;

export interface CreatedApiKey {
  /** The full key. It is not stored anywhere: show it to its owner once. */
  key: string;
  apiKey: ApiKey;
  principal: Principal;
}

export async function createApiKey(db: Db, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  const {
    principal: who,
    name,
    role,
    scopes,
    expiresAt,
  } = parseInput(createApiKeyInput, input, "The API key");
  const principal =
    "id" in who
      ? await db.principal.findUnique({ where: { id: who.id } })
      : who.email
        ? await db.principal.upsert({
            where: { email: who.email },
            create: { name: who.name, email: who.email },
            update: {},
          })
        : await db.principal.create({ data: { name: who.name } });
  if (!principal)
    throw new NotFoundError(`No principal has the id ${JSON.stringify(input.principal)}.`, "Principal", "");
  const publicId = randomAlphanumeric(12);
  const key = `cxh_${publicId}_${randomBytes(32).toString("base64url")}`;
  const apiKey = await db.apiKey.create({
    data: {
      principalId: principal.id,
      name,
      role,
      scopes,
      prefix: `cxh_${publicId}`,
      secretHash: hashKey(key),
      expiresAt: expiresAt ?? null,
    },
  });
  return { key, apiKey, principal };
}

/** Who is calling: the principal behind a valid key, the key's role and scopes. */
export interface Viewer {
  principalId: string;
  principalName: string;
  apiKeyId: string;
  role: Role;
  scopes: ReadonlySet<string>;
}

export type AuthenticationFailure = "missing" | "malformed" | "unknown" | "revoked" | "expired";

/**
 * The public prefix of a well-formed key ("cxh_AbC123dEf456"), which rate limits count failures
 * against; null for anything that is not shaped like a key.
 */
export function keyPrefixOf(presented: string | null | undefined): string | null {
  const match = presented ? KEY_PATTERN.exec(presented.trim()) : null;
  return match ? `cxh_${match[1]}` : null;
}

export type AuthenticationResult = { viewer: Viewer } | { failure: AuthenticationFailure };

/** A stored key as authentication reads it: the row and its principal's name. */
export interface StoredApiKey {
  id: string;
  principalId: string;
  principalName: string;
  role: Role;
  scopes: string[];
  prefix: string;
  secretHash: string;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Checks a presented key against the database. Never says which part of an unknown key was wrong. */
export async function authenticateApiKey(
  db: Db,
  presented: string | null | undefined,
  now: Date,
): Promise<AuthenticationResult> {
  const shape = presentedKeyShape(presented);
  if ("failure" in shape) return shape;
  const stored = await readStoredApiKey(db, shape.prefix);
  const result = checkStoredApiKey(stored, shape.key, now);
  if ("viewer" in result && stored) await recordApiKeyUse(db, stored, now);
  return result;
}

/** A presented key's public prefix, or why there is none to look up (no key, or not shaped like one). */
export function presentedKeyShape(
  presented: string | null | undefined,
): { key: string; prefix: string } | { failure: "missing" | "malformed" } {
  if (!presented) return { failure: "missing" };
  const prefix = keyPrefixOf(presented);
  return prefix ? { key: presented, prefix } : { failure: "malformed" };
}

/** The key with this public prefix, as authentication needs it; null when there is none. */
export async function readStoredApiKey(db: Db, prefix: string): Promise<StoredApiKey | null> {
  const row = await db.apiKey.findUnique({
    where: { prefix },
    include: { principal: { select: { name: true } } },
  });
  if (!row) return null;
  const { principal, ...key } = row;
  return { ...key, principalName: principal.name };
}

/** Whether the presented key is the stored one, in force at `now`; the viewer it stands for if so. */
export function checkStoredApiKey(
  stored: StoredApiKey | null,
  presented: string,
  now: Date,
): AuthenticationResult {
  if (!stored || !hashesEqual(stored.secretHash, hashKey(presented.trim()))) return { failure: "unknown" };
  if (stored.revokedAt && stored.revokedAt <= now) return { failure: "revoked" };
  if (stored.expiresAt && stored.expiresAt <= now) return { failure: "expired" };
  return {
    viewer: {
      principalId: stored.principalId,
      principalName: stored.principalName,
      apiKeyId: stored.id,
      role: stored.role,
      scopes: new Set(stored.scopes),
    },
  };
}

/**
 * Records that the key was used, at most once a minute per key, so busy clients do not turn every
 * read into a write. Moves `stored.lastUsedAt` too (a cached copy then knows it was recorded).
 */
export async function recordApiKeyUse(db: Db, stored: StoredApiKey, now: Date): Promise<void> {
  if (stored.lastUsedAt && now.getTime() - stored.lastUsedAt.getTime() <= 60_000) return;
  stored.lastUsedAt = now;
  await db.apiKey.update({ where: { id: stored.id }, data: { lastUsedAt: now } });
}

export async function revokeApiKey(db: Db, prefix: string, now = new Date()): Promise<ApiKey> {
  const stored = await db.apiKey.findUnique({ where: { prefix } });
  if (!stored)
    throw new NotFoundError(
      `No API key starts with ${prefix}: list them with npm run apikey -- list.`,
      "ApiKey",
      prefix,
    );
  return db.apiKey.update({ where: { id: stored.id }, data: { revokedAt: stored.revokedAt ?? now } });
}

// One call, not createHash().update().digest(): a key is checked on every request, and the hash
// object's set-up cost more than hashing the 60 characters (issue 15: under `{ __typename }` load
// the three calls were 5.8% of the hub's busy time, crypto.hash is 3.3%).
function hashKey(key: string): string {
  return hash("sha256", key);
}

function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomAlphanumeric(length: number): string {
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps every character equally likely.
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}
