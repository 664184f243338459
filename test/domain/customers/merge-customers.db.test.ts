import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { findLiveCustomer } from "../../../src/domain/customers/find-customer.ts";
import {
  mergeCustomers as mergeInTransaction,
  previewMerge,
} from "../../../src/domain/customers/merge-customers.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../../src/domain/errors.ts";
import { test } from "../../helpers/database.ts";
import { mergeCustomers } from "../../helpers/writes.ts";

const day = (n: number) => new Date(Date.UTC(2026, 0, n, 12));

async function aCustomer(
  db: Database,
  data: Parameters<Database["prisma"]["customer"]["create"]>[0]["data"] = {},
) {
  return db.prisma.customer.create({ data });
}

async function withFacts(db: Database, customerId: string, tag: string) {
  await db.prisma.identity.create({ data: { customerId, kind: "EMAIL", value: `${tag}@example.com` } });
  const interaction = await db.prisma.interaction.create({
    data: {
      customerId,
      source: "shop",
      externalId: `order-${tag}`,
      channel: "ECOMMERCE",
      kind: "order.placed",
      direction: "INBOUND",
      occurredAt: day(3),
    },
  });
  await db.prisma.feedback.create({
    data: {
      customerId,
      source: "survey",
      externalId: `nps-${tag}`,
      kind: "NPS",
      score: 9,
      respondedAt: day(4),
    },
  });
  const score = {
    churnRisk: 0.4,
    churnRiskLevel: "MEDIUM" as const,
    modelVersion: "test",
    computedAt: day(5),
  };
  await db.prisma.score.create({ data: { customerId, ...score } });
  await db.prisma.scoreHistory.create({ data: { customerId, ...score } });
  await db.prisma.alert.create({
    data: { customerId, level: "MEDIUM", score: 0.4, triggerKey: `alert-${tag}` },
  });
  return interaction;
}

async function aJourney(db: Database) {
  return db.prisma.journey.create({
    data: {
      key: "onboarding",
      name: "Onboarding",
      stages: {
        create: [
          { position: 0, key: "signed-up", name: "Signed up", enteredBy: ["account.created"] },
          { position: 1, key: "first-order", name: "First order", enteredBy: ["order.placed"] },
          { position: 2, key: "repeat", name: "Repeat buyer", enteredBy: ["order.placed"] },
        ],
      },
    },
    include: { stages: { orderBy: { position: "asc" } } },
  });
}

async function progressAt(
  db: Database,
  journey: Awaited<ReturnType<typeof aJourney>>,
  customerId: string,
  position: number,
) {
  const stage = journey.stages[position];
  if (!stage) throw new Error(`no stage at ${position}`);
  return db.prisma.journeyProgress.create({
    data: {
      journeyId: journey.id,
      customerId,
      currentStageId: stage.id,
      startedAt: day(1),
      stageEnteredAt: day(2),
    },
  });
}

describe("previewMerge", () => {
  test("lists what would move and which traits conflict, changing nothing", async ({ db }) => {
    const survivor = await aCustomer(db, { traits: { plan: "pro", locale: "en" } });
    const merged = await aCustomer(db, { traits: { plan: "free", locale: "en", company: "Acme" } });
    await withFacts(db, merged.id, "merged");
    const journey = await aJourney(db);
    await progressAt(db, journey, merged.id, 1);

    const preview = await previewMerge(db.prisma, { survivorId: survivor.id, mergedId: merged.id });

    expect(preview.moves).toEqual({
      identities: 1,
      interactions: 1,
      feedback: 1,
      journeyProgress: 1,
      journeyProgressConflicts: [],
      alerts: 1,
      scoreHistory: 1,
      repointedMerges: 0,
    });
    expect(preview.traitConflicts).toEqual([
      { key: "plan", survivorValue: "pro", mergedValue: "free", kept: "survivor" },
    ]);
    expect(
      (await db.prisma.customer.findUniqueOrThrow({ where: { id: merged.id } })).mergedIntoId,
    ).toBeNull();
    expect(await db.prisma.identity.count({ where: { customerId: merged.id } })).toBe(1);
    expect(await db.prisma.customerMerge.count()).toBe(0);
  });
});

describe("mergeCustomers", () => {
  test("gives the survivor every fact of the merged customer and records the merge", async ({ db }) => {
    const principal = await db.prisma.principal.create({ data: { name: "Grace" } });
    const owner = await db.prisma.principal.create({ data: { name: "Owner" } });
    const survivor = await aCustomer(db, {
      traits: { plan: "pro" },
      firstSeenAt: day(10),
      lastSeenAt: day(12),
    });
    const merged = await aCustomer(db, {
      displayName: "Ana",
      traits: { plan: "free", company: "Acme" },
      ownerId: owner.id,
      firstSeenAt: day(2),
      lastSeenAt: day(11),
    });
    await withFacts(db, survivor.id, "survivor");
    await withFacts(db, merged.id, "merged");

    const { survivor: after, merge } = await mergeCustomers(
      db.prisma,
      { survivorId: survivor.id, mergedId: merged.id, reason: "same person, confirmed by phone" },
      { principalId: principal.id },
    );

    expect(after).toMatchObject({
      traits: { plan: "pro", company: "Acme" },
      displayName: "Ana",
      ownerId: owner.id,
      firstSeenAt: day(2),
      lastSeenAt: day(12),
    });
    // Two of each: the survivor's own and the merged customer's, moved over; the score history has a
    // third entry, the survivor's rescore on the merged facts.
    const expected = { identity: 2, interaction: 2, feedback: 2, alert: 2, scoreHistory: 3 };
    for (const [model, count] of Object.entries(expected)) {
      // biome-ignore lint/suspicious/noExplicitAny: the same count call on each model
      const delegate = db.prisma[model as keyof typeof expected] as any;
      expect(await delegate.count({ where: { customerId: survivor.id } }), model).toBe(count);
      expect(await delegate.count({ where: { customerId: merged.id } }), model).toBe(0);
    }
    expect(await db.prisma.score.findUnique({ where: { customerId: merged.id } })).toBeNull();
    // Recomputed on the merged facts (no purchase model is fitted here), not the survivor's old score.
    expect(await db.prisma.score.findUnique({ where: { customerId: survivor.id } })).toMatchObject({
      modelVersion: "churn-v2/no-purchase-model",
    });
    const mergedRow = await db.prisma.customer.findUniqueOrThrow({ where: { id: merged.id } });
    expect(mergedRow.mergedIntoId).toBe(survivor.id);
    expect(mergedRow.mergedAt).toBeInstanceOf(Date);
    expect(merge).toMatchObject({
      survivorId: survivor.id,
      mergedId: merged.id,
      mergedById: principal.id,
      reason: "same person, confirmed by phone",
      moved: { identities: 1, interactions: 1, feedback: 1, alerts: 1, scoreHistory: 1, journeyProgress: 0 },
      traitConflicts: [{ key: "plan", survivorValue: "pro", mergedValue: "free", kept: "survivor" }],
    });
  });

  test("keeps the further journey progress when both customers are in the same journey", async ({ db }) => {
    const journey = await aJourney(db);
    const survivor = await aCustomer(db);
    const merged = await aCustomer(db);
    await progressAt(db, journey, survivor.id, 0);
    const further = await progressAt(db, journey, merged.id, 2);

    const { merge } = await mergeCustomers(db.prisma, {
      survivorId: survivor.id,
      mergedId: merged.id,
      reason: "test",
    });

    const progress = await db.prisma.journeyProgress.findMany();
    expect(progress.map(({ id, customerId }) => ({ id, customerId }))).toEqual([
      { id: further.id, customerId: survivor.id },
    ]);
    expect(merge.moved).toMatchObject({
      journeyProgress: 1,
      journeyProgressConflicts: [
        {
          journeyId: journey.id,
          journeyKey: "onboarding",
          kept: "merged",
          keptStage: "repeat",
          droppedStage: "signed-up",
        },
      ],
    });
  });

  test("drops the merged customer's journey progress when the survivor is further along", async ({ db }) => {
    const journey = await aJourney(db);
    const survivor = await aCustomer(db);
    const merged = await aCustomer(db);
    const further = await progressAt(db, journey, survivor.id, 1);
    await progressAt(db, journey, merged.id, 0);

    const { merge } = await mergeCustomers(db.prisma, {
      survivorId: survivor.id,
      mergedId: merged.id,
      reason: "test",
    });

    expect((await db.prisma.journeyProgress.findMany()).map((row) => row.id)).toEqual([further.id]);
    expect(merge.moved).toMatchObject({
      journeyProgress: 0,
      journeyProgressConflicts: [{ kept: "survivor" }],
    });
  });

  test("keeps merged ids resolvable, re-pointing earlier merges so that there are no chains", async ({
    db,
  }) => {
    const a = await aCustomer(db);
    const b = await aCustomer(db);
    const c = await aCustomer(db);
    await mergeCustomers(db.prisma, { survivorId: b.id, mergedId: c.id, reason: "c is b" });

    const { merge } = await mergeCustomers(db.prisma, { survivorId: a.id, mergedId: b.id, reason: "b is a" });

    expect((await db.prisma.customer.findUniqueOrThrow({ where: { id: c.id } })).mergedIntoId).toBe(a.id);
    expect((merge.moved as { repointedMerges: number }).repointedMerges).toBe(1);
    expect((await findLiveCustomer(db.prisma, b.id))?.id).toBe(a.id);
    expect((await findLiveCustomer(db.prisma, c.id))?.id).toBe(a.id);
  });

  test("refuses to merge into an already-merged customer, naming its survivor", async ({ db }) => {
    const survivor = await aCustomer(db);
    const gone = await aCustomer(db);
    const other = await aCustomer(db);
    await mergeCustomers(db.prisma, { survivorId: survivor.id, mergedId: gone.id, reason: "test" });

    const attempt = mergeCustomers(db.prisma, { survivorId: gone.id, mergedId: other.id, reason: "test" });

    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toThrow(
      `was already merged into customer ${survivor.id}: use ${survivor.id} instead`,
    );
    await expect(
      mergeCustomers(db.prisma, { survivorId: other.id, mergedId: gone.id, reason: "test" }),
    ).rejects.toThrow(`use ${survivor.id} instead`);
    expect((await db.prisma.customer.findUniqueOrThrow({ where: { id: other.id } })).mergedIntoId).toBeNull();
  });

  test("keeps each source's later profile version when merging", async ({ db }) => {
    const survivor = await db.prisma.customer.create({
      data: { profileVersions: { shop: "2026-03-06T09:00:00.000Z", crm: "2026-03-01T00:00:00.000Z" } },
    });
    const merged = await db.prisma.customer.create({
      data: { profileVersions: { shop: "2026-03-06T09:05:00.000Z", desk: "2026-02-01T00:00:00.000Z" } },
    });

    await mergeCustomers(db.prisma, { survivorId: survivor.id, mergedId: merged.id, reason: "same person" });

    const after = await db.prisma.customer.findUniqueOrThrow({ where: { id: survivor.id } });
    expect(after.profileVersions).toEqual({
      shop: "2026-03-06T09:05:00.000Z",
      crm: "2026-03-01T00:00:00.000Z",
      desk: "2026-02-01T00:00:00.000Z",
    });
  });

  test("refuses to merge a customer into itself", async ({ db }) => {
    const customer = await aCustomer(db);
    await expect(
      mergeCustomers(db.prisma, { survivorId: customer.id, mergedId: customer.id, reason: "test" }),
    ).rejects.toThrow(ConflictError);
  });

  test("says which id is unknown", async ({ db }) => {
    const customer = await aCustomer(db);
    const unknown = "0190d5a4-8f6b-7c3e-9a1d-2b4c6e8f0a12";
    await expect(
      mergeCustomers(db.prisma, { survivorId: customer.id, mergedId: unknown, reason: "test" }),
    ).rejects.toSatisfy((error) => error instanceof NotFoundError && error.id === unknown);
    await expect(previewMerge(db.prisma, { survivorId: unknown, mergedId: customer.id })).rejects.toThrow(
      `No customer has the id ${unknown} (the survivor)`,
    );
  });

  test("requires a reason and real ids", async ({ db }) => {
    await expect(
      mergeCustomers(db.prisma, {
        survivorId: "nope",
        mergedId: "0190d5a4-8f6b-7c3e-9a1d-2b4c6e8f0a12",
        reason: " ",
      }),
    ).rejects.toSatisfy(
      (error) =>
        error instanceof ValidationError &&
        error.issues.map((issue) => issue.path.join(".")).join(",") === "survivorId,reason",
    );
  });

  test("runs inside a caller's transaction, which can still roll it back", async ({ db }) => {
    const survivor = await aCustomer(db);
    const merged = await aCustomer(db);
    await expect(
      db.prisma.$transaction(async (tx) => {
        await mergeInTransaction(
          tx,
          { survivorId: survivor.id, mergedId: merged.id, reason: "test" },
          { now: day(20) },
        );
        expect(await tx.customerMerge.count()).toBe(1);
        throw new Error("caller changed its mind");
      }),
    ).rejects.toThrow("caller changed its mind");
    expect(await db.prisma.customerMerge.count()).toBe(0);
    expect(
      (await db.prisma.customer.findUniqueOrThrow({ where: { id: merged.id } })).mergedIntoId,
    ).toBeNull();
  });
});
