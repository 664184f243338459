import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { NotFoundError, ValidationError } from "../../../src/domain/errors.ts";
import { type CustomerClaim, resolveCustomers } from "../../../src/domain/identities/resolve-customers.ts";
import { countingStatements } from "../../helpers/counted-statements.ts";
import { databaseKind, test } from "../../helpers/database.ts";
import { recordInteraction, resolveCustomer } from "../../helpers/writes.ts";

describe("resolveCustomer", () => {
  test("creates a customer for identities nobody has, with the identities normalized", async ({ db }) => {
    const result = await resolveCustomer(
      db.prisma,
      [
        { kind: "EMAIL", value: " Ana@Example.COM" },
        { kind: "PHONE", value: "+1 (415) 555-0123" },
      ],
      { source: "shop" },
    );
    expect(result.created).toBe(true);
    expect(result.mergedCustomerIds).toEqual([]);
    const identities = await db.prisma.identity.findMany({ orderBy: { kind: "asc" } });
    expect(
      identities.map(({ kind, value, source, customerId }) => ({ kind, value, source, customerId })),
    ).toEqual([
      { kind: "EMAIL", value: "ana@example.com", source: "shop", customerId: result.customer.id },
      { kind: "PHONE", value: "+14155550123", source: "shop", customerId: result.customer.id },
    ]);
  });

  test("finds the customer of a known identity and attaches the identities it did not have", async ({
    db,
  }) => {
    const first = await resolveCustomer(db.prisma, [{ kind: "EMAIL", value: "ana@example.com" }]);
    const again = await resolveCustomer(db.prisma, [
      { kind: "EMAIL", value: "ANA@example.com" },
      { kind: "SOCIAL_HANDLE", namespace: "x", value: "@ana" },
    ]);
    expect(again.created).toBe(false);
    expect(again.customer.id).toBe(first.customer.id);
    expect(await db.prisma.customer.count()).toBe(1);
    expect(await db.prisma.identity.count({ where: { customerId: first.customer.id } })).toBe(2);
  });

  test("merges every customer the identities name into the oldest, recording why", async ({ db }) => {
    const oldest = await resolveCustomer(db.prisma, [{ kind: "EMAIL", value: "ana@example.com" }]);
    const middle = await resolveCustomer(db.prisma, [{ kind: "PHONE", value: "+14155550123" }]);
    const newest = await resolveCustomer(db.prisma, [
      { kind: "SOCIAL_HANDLE", namespace: "x", value: "ana" },
    ]);

    const result = await resolveCustomer(db.prisma, [
      { kind: "SOCIAL_HANDLE", namespace: "x", value: "ana" },
      { kind: "PHONE", value: "+1 415 555 0123" },
      { kind: "EMAIL", value: "ana@example.com" },
      { kind: "EXTERNAL_ID", namespace: "crm", value: "C-1" },
    ]);

    expect(result.created).toBe(false);
    expect(result.customer.id).toBe(oldest.customer.id);
    expect(result.mergedCustomerIds.toSorted()).toEqual([middle.customer.id, newest.customer.id].toSorted());
    expect(await db.prisma.identity.count({ where: { customerId: oldest.customer.id } })).toBe(4);
    const merges = await db.prisma.customerMerge.findMany({ orderBy: { reason: "asc" } });
    expect(merges.map(({ survivorId, mergedId, reason }) => ({ survivorId, mergedId, reason }))).toEqual([
      {
        survivorId: oldest.customer.id,
        mergedId: middle.customer.id,
        reason: "identity resolution: PHONE +14155550123 is shared",
      },
      {
        survivorId: oldest.customer.id,
        mergedId: newest.customer.id,
        reason: "identity resolution: SOCIAL_HANDLE x:ana is shared",
      },
    ]);
  });

  test("follows a merged customer's pointer when an identity still names it", async ({ db }) => {
    const survivor = await db.prisma.customer.create({ data: {} });
    const merged = await db.prisma.customer.create({
      data: { mergedIntoId: survivor.id, mergedAt: new Date("2026-06-15T12:00:00Z") },
    });
    await db.prisma.identity.create({
      data: { customerId: merged.id, kind: "EMAIL", value: "old@example.com" },
    });

    const result = await resolveCustomer(db.prisma, [{ kind: "EMAIL", value: "old@example.com" }]);

    expect(result.customer.id).toBe(survivor.id);
    const identity = await db.prisma.identity.findFirstOrThrow({ where: { value: "old@example.com" } });
    expect(identity.customerId).toBe(survivor.id);
  });

  test("moves an identity's last-seen time forward only, with the facts that carry it", async ({ db }) => {
    const later = new Date("2026-03-01T00:00:00Z");
    const message = (externalId: string, occurredAt: Date) =>
      recordInteraction(db.prisma, {
        customer: { identities: [{ kind: "EMAIL", value: "ana@example.com" }] },
        source: "mail",
        externalId,
        channel: "EMAIL",
        kind: "email.received",
        direction: "INBOUND",
        occurredAt,
      });
    await message("m-1", later);
    await message("m-2", new Date("2026-01-01T00:00:00Z"));
    expect((await db.prisma.identity.findFirstOrThrow()).lastSeenAt).toEqual(later);
    await message("m-3", new Date("2026-04-01T00:00:00Z"));
    expect((await db.prisma.identity.findFirstOrThrow()).lastSeenAt).toEqual(
      new Date("2026-04-01T00:00:00Z"),
    );
  });

  test("resolves the same new identities from concurrent calls to one customer", async ({ db }) => {
    const identities = [
      { kind: "EMAIL" as const, value: "race@example.com" },
      { kind: "PHONE" as const, value: "+442079460958" },
    ];
    const results = await Promise.all([
      resolveCustomer(db.prisma, identities),
      resolveCustomer(db.prisma, identities.toReversed()),
      resolveCustomer(db.prisma, [identities[0] as (typeof identities)[0]]),
    ]);
    expect(new Set(results.map((result) => result.customer.id)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await db.prisma.customer.count()).toBe(1);
    expect(await db.prisma.identity.count()).toBe(2);
  });

  // Each resolution is a unit of work: one that lost a race, or that PostgreSQL picked as a deadlock's
  // victim, is redone whole; none may end in an error or in two customers for one person.
  test.skipIf(databaseKind !== "postgres")(
    "resolutions racing over overlapping identities settle without deadlocks, one customer per person",
    async ({ db }) => {
      for (let round = 0; round < 30; round++) {
        const email = { kind: "EMAIL" as const, value: `race${round}@example.com` };
        const phone = { kind: "PHONE" as const, value: `+4420794609${String(round).padStart(2, "0")}` };
        const desk = { kind: "EXTERNAL_ID" as const, namespace: "desk", value: `c${round}` };
        const sets = [[email, phone], [phone, email], [email], [phone], [email, desk], [desk, phone], [desk]];
        const results = await Promise.all(sets.map((identities) => resolveCustomer(db.prisma, identities)));
        const live = await db.prisma.customer.findMany({
          where: { mergedIntoId: null, identities: { some: { value: email.value } } },
          include: { identities: true },
        });
        expect(live).toHaveLength(1);
        expect(live[0]?.identities).toHaveLength(3);
        expect(results.filter((result) => result.created).length).toBeGreaterThanOrEqual(1);
      }
    },
  );

  test("refuses invalid identities with the path of each", async ({ db }) => {
    await expect(
      resolveCustomer(db.prisma, [
        { kind: "EMAIL", value: "ana@example.com" },
        { kind: "PHONE", value: "4155550123" },
      ]),
    ).rejects.toSatisfy(
      (error) => error instanceof ValidationError && error.issues[0]?.path.join(".") === "identities.1.value",
    );
    await expect(resolveCustomer(db.prisma, [])).rejects.toBeInstanceOf(ValidationError);
    expect(await db.prisma.customer.count()).toBe(0);
  });
});

describe("resolveCustomers, for claims naming their customer by id", () => {
  const byId = (customerId: string) => ({ customerId, identities: [], keys: [], source: null, factAt: null });
  /** The resolution, and how many statements it sent. */
  async function resolved(db: Database, claims: CustomerClaim[]) {
    let statements = 0;
    const resolution = await db.prisma.$transaction((tx) => {
      const counted = countingStatements(tx);
      return resolveCustomers(counted.tx, claims, { now: new Date() }).finally(() => {
        statements = counted.count();
      });
    });
    return { resolution, statements };
  }

  test("a live customer is found and locked in one statement", async ({ db }) => {
    const customer = await db.prisma.customer.create({ data: { displayName: "Ana" } });
    const { resolution, statements } = await resolved(db, [byId(customer.id), byId(customer.id)]);
    expect(resolution.claims).toEqual([
      { customerId: customer.id, created: false, identitiesKnown: true, mergedCustomerIds: [], stale: false },
      { customerId: customer.id, created: false, identitiesKnown: true, mergedCustomerIds: [], stale: false },
    ]);
    expect(resolution.createdCustomerIds.size).toBe(0);
    expect(statements).toBe(1);
  });

  test("a merged-away customer's id resolves to the survivor; an unknown id or one that is not a UUID is not found", async ({
    db,
  }) => {
    const survivor = await db.prisma.customer.create({ data: { displayName: "Ana" } });
    const merged = await db.prisma.customer.create({
      data: { displayName: "Ana (old)", mergedIntoId: survivor.id },
    });
    const { resolution } = await resolved(db, [byId(merged.id)]);
    expect(resolution.claims.map((claim) => claim.customerId)).toEqual([survivor.id]);
    await expect(resolved(db, [byId("01900000-0000-7000-8000-000000000000")])).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(resolved(db, [byId("not-a-uuid")])).rejects.toBeInstanceOf(NotFoundError);
  });
});
