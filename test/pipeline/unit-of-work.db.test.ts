// The write pipeline's unit of work on a real database: the customers a write touched are rescored
// as of the unit's clock and their alerts decided before the commit, all or nothing; merged-away
// customers are not scored; a unit that lost a race is redone whole, and one that keeps losing says
// so with a ConflictError.
import { describe, expect } from "vitest";
import { eraseCustomers } from "../../src/connectors/privacy/erase-customers.ts";
import { ConflictError, LostRaceError } from "../../src/domain/errors.ts";
import { type RecordInput, storeRecords } from "../../src/domain/records/store-records.ts";
import { runUnitOfWork } from "../../src/pipeline/unit-of-work.ts";
import { writeRecords } from "../../src/pipeline/write-records.ts";
import { databaseKind, test } from "../helpers/database.ts";
import { mergeCustomers, writesAt } from "../helpers/writes.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const writes = writesAt(NOW);

/** A detractor answer: lifts a customer with no purchases from the neutral 50% into HIGH. */
const detractor = (email: string, externalId = `nps-${email}`): RecordInput => ({
  type: "feedback",
  input: {
    customer: { identities: [{ kind: "EMAIL", value: email }] },
    source: "survey",
    externalId,
    kind: "NPS",
    score: 0,
    respondedAt: new Date(NOW.getTime() - 60_000),
  },
});

describe("a unit of work", () => {
  test("rescores the customers its writes touched as of its clock, and decides their alerts", async ({
    db,
  }) => {
    const owner = await db.prisma.principal.create({ data: { name: "Ana Souza", email: "ana@hub.example" } });
    const first = await writeRecords(db.prisma, writes, [
      { type: "customer", input: { identities: [{ kind: "EMAIL", value: "bea@example.com" }] } },
    ]);
    const customerId = first.value.records[0]?.customerId as string;
    await db.prisma.customer.update({ where: { id: customerId }, data: { ownerId: owner.id } });
    expect(first.rescoredCustomerIds).toEqual([customerId]);

    const result = await writeRecords(db.prisma, writes, [detractor("bea@example.com")]);
    expect(result.rescoredCustomerIds).toEqual([customerId]);
    expect(result.alerts).toEqual([expect.objectContaining({ customerId, level: "HIGH" })]);
    const score = await db.prisma.score.findUniqueOrThrow({ where: { customerId } });
    expect(score.computedAt).toEqual(NOW);
    expect(score.churnRiskLevel).toBe("HIGH");
    const alert = await db.prisma.alert.findFirstOrThrow({ where: { customerId } });
    expect(alert).toMatchObject({ ownerId: owner.id, level: "HIGH", previousLevel: "MEDIUM" });
  });

  test("commits nothing when its work fails after writing: no fact, no score, no alert", async ({ db }) => {
    await expect(
      runUnitOfWork(db.prisma, writes, async (unit) => {
        const stored = await storeRecords(unit.tx, [detractor("cy@example.com")], { now: unit.now });
        unit.touch(stored.touched);
        throw new Error("the caller's next step fails");
      }),
    ).rejects.toThrow("the caller's next step fails");
    expect(await db.prisma.customer.count()).toBe(0);
    expect(await db.prisma.feedback.count()).toBe(0);
    expect(await db.prisma.score.count()).toBe(0);
    expect(await db.prisma.alert.count()).toBe(0);
  });

  test("scores the survivor of a merge, not the customer merged away", async ({ db }) => {
    const [a, b] = await Promise.all(
      ["dee@example.com", "dee.old@example.com"].map(async (email) => {
        const { value } = await writeRecords(db.prisma, writes, [
          { type: "customer", input: { identities: [{ kind: "EMAIL", value: email }] } },
        ]);
        return value.records[0]?.customerId as string;
      }),
    );
    const merged = await writeRecords(db.prisma, writes, [
      {
        type: "customer",
        input: {
          identities: [
            { kind: "EMAIL", value: "dee@example.com" },
            { kind: "EMAIL", value: "dee.old@example.com" },
          ],
        },
      },
    ]);
    const [stored] = merged.value.records;
    const survivor = stored?.customerId as string;
    expect([a, b]).toContain(survivor);
    expect(stored?.mergedCustomerIds).toEqual([a, b].filter((id) => id !== survivor));
    expect(merged.rescoredCustomerIds).toEqual([survivor]);
    expect(await db.prisma.score.findMany({ select: { customerId: true } })).toEqual([
      { customerId: survivor },
    ]);
    // A merge asked for by an admin is a unit of work too: the survivor is rescored at once.
    const other = await writeRecords(db.prisma, writes, [
      { type: "customer", input: { identities: [{ kind: "EMAIL", value: "eli@example.com" }] } },
    ]);
    const eli = other.value.records[0]?.customerId as string;
    const { survivor: kept } = await mergeCustomers(
      db.prisma,
      { survivorId: survivor, mergedId: eli, reason: "same person" },
      {},
      { clock: () => NOW },
    );
    expect(kept.id).toBe(survivor);
    expect(await db.prisma.score.count({ where: { customerId: eli } })).toBe(0);
  });

  test("that lost a race is redone whole, and its first attempt leaves nothing behind", async ({ db }) => {
    let attempts = 0;
    const result = await runUnitOfWork(db.prisma, writes, async (unit) => {
      attempts++;
      const stored = await storeRecords(unit.tx, [detractor("fay@example.com")], { now: unit.now });
      unit.touch(stored.touched);
      if (attempts === 1) throw new LostRaceError("a concurrent writer got there first");
      return stored.records[0]?.outcome;
    });
    expect(attempts).toBe(2);
    expect(result.value).toBe("created");
    expect(await db.prisma.customer.count()).toBe(1);
    expect(await db.prisma.feedback.count()).toBe(1);
  });

  test("that keeps losing races says so, with nothing stored", async ({ db }) => {
    let attempts = 0;
    const unit = runUnitOfWork(db.prisma, writes, async ({ tx, now }) => {
      attempts++;
      await storeRecords(tx, [detractor("gus@example.com")], { now });
      throw new LostRaceError("a concurrent writer got there first");
    });
    await expect(unit).rejects.toBeInstanceOf(ConflictError);
    await expect(unit).rejects.toThrow(/retry it/);
    expect(attempts).toBe(8);
    expect(await db.prisma.customer.count()).toBe(0);
  });

  // Two connections at once: PostgreSQL only (the embedded database runs one transaction at a time).
  // With a new identity beside the erased one, the check runs in the statement that attaches it.
  const hal = { kind: "EMAIL", value: "hal@example.com" } as const;
  const halsAccount = { kind: "SHOP_CUSTOMER_ID", namespace: "shop.example", value: "7" } as const;
  for (const [named, identities] of [
    ["an identity", [hal]],
    ["an identity and a new one", [hal, halsAccount]],
  ] as const) {
    test.skipIf(databaseKind !== "postgres")(
      `that read ${named} of a customer being erased does not bring the erased customer back`,
      async ({ db }) => {
        const { value } = await writeRecords(db.prisma, writes, [
          { type: "customer", input: { identities: [hal] } },
        ]);
        const erased = value.records[0]?.customerId as string;
        let release: () => void = () => {};
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        // The erasure locks the customer and deletes its identities, then waits before committing.
        const erasure = db.prisma.$transaction(async (tx) => {
          await eraseCustomers(tx, { customerIds: [erased] });
          await held;
        });
        await new Promise((resolve) => setTimeout(resolve, 200));
        // Reads hal@ → the customer being erased, then waits for its lock until the erasure commits.
        const write = writeRecords(db.prisma, writes, [
          {
            type: "interaction",
            input: {
              customer: { identities: [...identities] },
              source: "mail",
              externalId: "hal-1",
              channel: "EMAIL",
              kind: "email.received",
              direction: "INBOUND",
              occurredAt: new Date(NOW.getTime() - 60_000),
              body: "Hello again",
            },
          },
        ]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        release();
        await erasure;
        const { value: stored } = await write;
        const customerId = stored.records[0]?.customerId;
        expect(customerId).not.toBe(erased);
        expect(await db.prisma.identity.count({ where: { customerId: erased } })).toBe(0);
        expect(await db.prisma.interaction.count({ where: { customerId: erased } })).toBe(0);
        for (const identity of identities) {
          expect(
            await db.prisma.identity.findFirstOrThrow({ where: { value: identity.value } }),
          ).toMatchObject({
            customerId,
          });
        }
      },
    );
  }
});
