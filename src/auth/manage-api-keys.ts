// Managing keys and principals while the hub runs (the GraphQL admin API and the CLI use it): give a
// principal a key, list keys and principals, revoke a key. Creating and checking one key is
// api-keys.ts; this module adds the rules an admin needs around it.
import type { Db } from "../db/database.ts";
import { ConflictError, NotFoundError, ValidationError } from "../domain/errors.ts";
import type { ApiKey, Principal, Prisma } from "../generated/prisma/client.ts";
import { type CreateApiKeyInput, type CreatedApiKey, createApiKey, type Scope } from "./api-keys.ts";

/** Where a key stands now: only ACTIVE keys authenticate. */
export type ApiKeyStatus = "ACTIVE" | "REVOKED" | "EXPIRED";

export function apiKeyStatus(key: Pick<ApiKey, "revokedAt" | "expiresAt">, now: Date): ApiKeyStatus {
  if (key.revokedAt && key.revokedAt <= now) return "REVOKED";
  if (key.expiresAt && key.expiresAt <= now) return "EXPIRED";
  return "ACTIVE";
}

/** The keys that authenticate at `now`, as a condition for lists and counts. */
export function activeApiKeys(now: Date): Prisma.ApiKeyWhereInput {
  return {
    AND: [
      { OR: [{ revokedAt: null }, { revokedAt: { gt: now } }] },
      { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    ],
  };
}

/** A new principal was asked for with an email an existing one has: the caller should name that one. */
export class EmailTakenError extends ConflictError {
  readonly holder: Principal;
  constructor(holder: Principal) {
    super(
      `${holder.name} already has the email ${holder.email}: give the key to them by their principal ID.`,
    );
    this.holder = holder;
  }
}

export interface IssueApiKeyInput {
  /** Who gets the key: an existing principal, or a new one. */
  principal: { id: string } | { name: string; email?: string | null | undefined };
  name: string;
  role: CreateApiKeyInput["role"];
  scopes?: Scope[] | undefined;
  expiresAt?: Date | null | undefined;
}

/**
 * Creates a key for an existing principal or for a new one. A new principal whose email already
 * belongs to someone is refused rather than silently merged into them: giving an existing person a
 * key is done by their id, so an admin never hands a stranger's identity to a typo.
 */
export async function issueApiKey(db: Db, input: IssueApiKeyInput, now: Date): Promise<CreatedApiKey> {
  if (input.expiresAt && input.expiresAt <= now) {
    throw new ValidationError(
      "expiresAt is in the past: give a future time, or none for a key that never expires.",
      [{ path: ["expiresAt"], message: "must be in the future" }],
    );
  }
  const who = input.principal;
  if ("id" in who) {
    const exists = await db.principal.findUnique({ where: { id: who.id }, select: { id: true } });
    if (!exists)
      throw new NotFoundError(
        "No principal has that ID: list them with the principals query, or create one by giving newPrincipal instead.",
        "Principal",
        who.id,
      );
  } else if (who.email) {
    const holder = await db.principal.findUnique({ where: { email: who.email.trim().toLowerCase() } });
    if (holder) throw new EmailTakenError(holder);
  }
  return createApiKey(db, {
    principal:
      "id" in who
        ? { id: who.id }
        : { name: who.name, ...(who.email ? { email: who.email.trim().toLowerCase() } : {}) },
    name: input.name,
    role: input.role,
    scopes: input.scopes ?? [],
    ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
  });
}

/**
 * Revokes a key at once: every request checks its key against the database, so the next one with it
 * is refused (and an open WebSocket is closed at its next check). Revoking a revoked key changes
 * nothing. The last active admin key is kept, so that the hub is never left without anyone who can
 * manage it over the API.
 */
export async function revokeApiKeyById(db: Db, id: string, now: Date): Promise<ApiKey> {
  const key = await db.apiKey.findUnique({ where: { id } });
  if (!key)
    throw new NotFoundError("No API key has that ID: list them with the apiKeys query.", "ApiKey", id);
  if (apiKeyStatus(key, now) === "REVOKED") return key;
  if (key.role === "ADMIN" && apiKeyStatus(key, now) === "ACTIVE") {
    const otherAdmins = await db.apiKey.count({
      where: { ...activeApiKeys(now), role: "ADMIN", id: { not: key.id } },
    });
    if (otherAdmins === 0)
      throw new ConflictError(
        `${key.prefix} is the last active admin key: create another admin key first (createApiKey with role ADMIN), then revoke this one.`,
      );
  }
  return db.apiKey.update({ where: { id: key.id }, data: { revokedAt: now } });
}

/** How many live customers each principal owns, for the principals whose ids are given. */
export async function ownedCustomerCounts(
  db: Db,
  principalIds: readonly string[],
): Promise<Map<string, number>> {
  const groups = await db.customer.groupBy({
    by: ["ownerId"],
    where: { ownerId: { in: [...principalIds] }, mergedIntoId: null },
    _count: { _all: true },
  });
  return new Map(groups.map((group) => [group.ownerId as string, group._count._all]));
}

export type { CreatedApiKey, Principal };
