import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { NotFoundError, ValidationError } from "../../../src/domain/errors.ts";
import { advanceJourneys } from "../../../src/domain/journeys/advance-journeys.ts";
import { defineJourney } from "../../../src/domain/journeys/define-journey.ts";
import { test } from "../../helpers/database.ts";

const T0 = new Date("2026-03-01T10:00:00Z");
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

async function purchaseJourney(db: Database, overrides: { key?: string; active?: boolean } = {}) {
  return defineJourney(db.prisma, {
    key: overrides.key ?? "purchase",
    name: "Purchase",
    active: overrides.active ?? true,
    stages: [
      { key: "visited", name: "Visited", enteredBy: ["web.visit"] },
      { key: "carted", name: "Carted", enteredBy: ["cart.created"] },
      { key: "ordered", name: "Ordered", enteredBy: ["order.placed"] },
      { key: "repeated", name: "Repeated", enteredBy: ["order.repeat"] },
    ],
  });
}

/** Records an interaction as ingest would, then advances journeys with it. */
async function happen(db: Database, customerId: string, kind: string, occurredAt: Date) {
  const interaction = await db.prisma.interaction.create({
    data: {
      customerId,
      source: "shop",
      externalId: randomUUID(),
      channel: "ECOMMERCE",
      kind,
      direction: "INBOUND",
      occurredAt,
    },
  });
  const moves = await advanceJourneys(db.prisma, {
    customerId,
    interactionId: interaction.id,
    kind,
    occurredAt,
  });
  return { interaction, moves };
}

async function progressOf(db: Database, customerId: string, journeyKey = "purchase") {
  return db.prisma.journeyProgress.findFirst({
    where: { customerId, journey: { key: journeyKey } },
    include: {
      currentStage: true,
      transitions: { orderBy: { occurredAt: "asc" }, include: { fromStage: true, toStage: true } },
    },
  });
}

const path = (progress: Awaited<ReturnType<typeof progressOf>>) =>
  progress?.transitions.map((t) => `${t.fromStage?.key ?? "∅"}→${t.toStage.key}`);

describe("advancing journeys", () => {
  test("starts a customer in the stage their first interaction enters, from nowhere", async ({ db }) => {
    await purchaseJourney(db);
    const customer = await db.prisma.customer.create({ data: {} });
    const { interaction, moves } = await happen(db, customer.id, "cart.created", hours(1));
    expect(moves).toEqual([
      expect.objectContaining({
        journeyKey: "purchase",
        fromStageKey: null,
        toStageKey: "carted",
        interactionId: interaction.id,
        occurredAt: hours(1),
        completed: false,
      }),
    ]);
    const progress = await progressOf(db, customer.id);
    expect(progress).toMatchObject({ startedAt: hours(1), stageEnteredAt: hours(1), completedAt: null });
    expect(progress?.currentStage.key).toBe("carted");
    expect(progress?.transitions[0]).toMatchObject({ fromStageId: null, interactionId: interaction.id });
  });

  test("moves forward, skipping stages, and records each move", async ({ db }) => {
    await purchaseJourney(db);
    const customer = await db.prisma.customer.create({ data: {} });
    await happen(db, customer.id, "web.visit", hours(0));
    const { moves } = await happen(db, customer.id, "order.placed", hours(2));
    expect(moves.map((move) => [move.fromStageKey, move.toStageKey])).toEqual([["visited", "ordered"]]);
    const progress = await progressOf(db, customer.id);
    expect(progress).toMatchObject({ startedAt: hours(0), stageEnteredAt: hours(2), completedAt: null });
    expect(path(progress)).toEqual(["∅→visited", "visited→ordered"]);
  });

  test("never moves a customer backwards", async ({ db }) => {
    await purchaseJourney(db);
    const customer = await db.prisma.customer.create({ data: {} });
    await happen(db, customer.id, "order.placed", hours(0));
    expect((await happen(db, customer.id, "cart.created", hours(1))).moves).toEqual([]);
    expect((await happen(db, customer.id, "web.visit", hours(2))).moves).toEqual([]);
    const progress = await progressOf(db, customer.id);
    expect(progress?.currentStage.key).toBe("ordered");
    expect(progress?.stageEnteredAt).toEqual(hours(0));
    expect(path(progress)).toEqual(["∅→ordered"]);
  });

  test("does not move a customer on an interaction older than their current stage", async ({ db }) => {
    await purchaseJourney(db);
    const customer = await db.prisma.customer.create({ data: {} });
    await happen(db, customer.id, "cart.created", hours(5));
    // A late-arriving order from before the cart: it cannot have followed the cart.
    expect((await happen(db, customer.id, "order.placed", hours(4))).moves).toEqual([]);
    expect((await progressOf(db, customer.id))?.currentStage.key).toBe("carted");
    // At the same instant it may.
    expect((await happen(db, customer.id, "order.placed", hours(5))).moves).toHaveLength(1);
  });

  test("completes the journey on reaching the last stage", async ({ db }) => {
    await purchaseJourney(db);
    const customer = await db.prisma.customer.create({ data: {} });
    await happen(db, customer.id, "order.placed", hours(0));
    const { moves } = await happen(db, customer.id, "order.repeat", hours(30));
    expect(moves).toEqual([expect.objectContaining({ toStageKey: "repeated", completed: true })]);
    expect(await progressOf(db, customer.id)).toMatchObject({
      completedAt: hours(30),
      stageEnteredAt: hours(30),
    });

    const direct = await db.prisma.customer.create({ data: {} });
    await happen(db, direct.id, "order.repeat", hours(1));
    expect(await progressOf(db, direct.id)).toMatchObject({ startedAt: hours(1), completedAt: hours(1) });
  });

  test("changes nothing when the same interaction is applied twice", async ({ db }) => {
    await purchaseJourney(db);
    const customer = await db.prisma.customer.create({ data: {} });
    const first = await happen(db, customer.id, "web.visit", hours(0));
    const second = await happen(db, customer.id, "cart.created", hours(1));
    const before = await progressOf(db, customer.id);

    for (const { interaction } of [first, second, second]) {
      const again = await advanceJourneys(db.prisma, {
        customerId: customer.id,
        interactionId: interaction.id,
        kind: interaction.kind,
        occurredAt: interaction.occurredAt,
      });
      expect(again).toEqual([]);
    }
    const after = await progressOf(db, customer.id);
    expect(after?.updatedAt).toEqual(before?.updatedAt);
    expect(path(after)).toEqual(["∅→visited", "visited→carted"]);
  });

  test("does not move a customer twice on one interaction after the journey is reordered", async ({ db }) => {
    await purchaseJourney(db);
    const customer = await db.prisma.customer.create({ data: {} });
    const visit = await happen(db, customer.id, "web.visit", hours(0));
    await happen(db, customer.id, "cart.created", hours(1));
    // Now "visited" comes after "carted"; replaying the visit must not count it as a new move.
    await db.prisma.journeyStage.updateMany({ where: { key: "visited" }, data: { position: 10 } });
    const again = await advanceJourneys(db.prisma, {
      customerId: customer.id,
      interactionId: visit.interaction.id,
      kind: "web.visit",
      occurredAt: hours(0),
    });
    expect(again).toEqual([]);
    expect((await progressOf(db, customer.id))?.currentStage.key).toBe("carted");
  });

  test("applies two interactions arriving at once one after the other", async ({ db }) => {
    await purchaseJourney(db);
    const customer = await db.prisma.customer.create({ data: {} });
    const record = (kind: string, occurredAt: Date) =>
      db.prisma.interaction.create({
        data: {
          customerId: customer.id,
          source: "shop",
          externalId: randomUUID(),
          channel: "WEB",
          kind,
          direction: "INBOUND",
          occurredAt,
        },
      });
    const visit = await record("web.visit", hours(0));
    const order = await record("order.placed", hours(1));
    await Promise.all(
      [visit, order].map((interaction) =>
        advanceJourneys(db.prisma, {
          customerId: customer.id,
          interactionId: interaction.id,
          kind: interaction.kind,
          occurredAt: interaction.occurredAt,
        }),
      ),
    );
    // Whichever ran first, the customer ends in the furthest stage with one progress row and a
    // consistent path (the visit is either their start or, arriving second, a step back that is ignored).
    expect(await db.prisma.journeyProgress.count()).toBe(1);
    const progress = await progressOf(db, customer.id);
    expect(progress?.currentStage.key).toBe("ordered");
    expect([["∅→visited", "visited→ordered"], ["∅→ordered"]]).toContainEqual(path(progress));
  });

  test("advances every active journey the kind enters, and leaves inactive ones alone", async ({ db }) => {
    await purchaseJourney(db);
    await purchaseJourney(db, { key: "retired", active: false });
    await defineJourney(db.prisma, {
      key: "loyalty",
      name: "Loyalty",
      stages: [
        { key: "first-order", name: "First order", enteredBy: ["order.placed"] },
        { key: "member", name: "Member", enteredBy: ["loyalty.joined"] },
      ],
    });
    const customer = await db.prisma.customer.create({ data: {} });
    const { moves } = await happen(db, customer.id, "order.placed", hours(0));
    expect(moves.map((move) => [move.journeyKey, move.toStageKey])).toEqual([
      ["loyalty", "first-order"],
      ["purchase", "ordered"],
    ]);
    expect(await progressOf(db, customer.id, "retired")).toBeNull();
  });

  test("does nothing for a kind that enters no stage", async ({ db }) => {
    await purchaseJourney(db);
    const customer = await db.prisma.customer.create({ data: {} });
    expect((await happen(db, customer.id, "email.received", hours(0))).moves).toEqual([]);
    expect(await db.prisma.journeyProgress.count()).toBe(0);
  });

  test("refuses an interaction that does not exist or is another customer's", async ({ db }) => {
    await purchaseJourney(db);
    const customer = await db.prisma.customer.create({ data: {} });
    const other = await db.prisma.customer.create({ data: {} });
    const event = { customerId: customer.id, kind: "web.visit", occurredAt: hours(0) };
    await expect(
      advanceJourneys(db.prisma, { ...event, interactionId: randomUUID() }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const { interaction } = await happen(db, other.id, "web.visit", hours(0));
    const error = await advanceJourneys(db.prisma, { ...event, interactionId: interaction.id }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toEqual(["customerId"]);
    expect(await progressOf(db, customer.id)).toBeNull();
  });

  test("runs inside the caller's transaction and rolls back with it", async ({ db }) => {
    await purchaseJourney(db);
    const customer = await db.prisma.customer.create({ data: {} });
    await expect(
      db.prisma.$transaction(async (tx) => {
        const interaction = await tx.interaction.create({
          data: {
            customerId: customer.id,
            source: "shop",
            externalId: "1",
            channel: "WEB",
            kind: "web.visit",
            direction: "INBOUND",
            occurredAt: hours(0),
          },
        });
        const moves = await advanceJourneys(tx, {
          customerId: customer.id,
          interactionId: interaction.id,
          kind: "web.visit",
          occurredAt: hours(0),
        });
        expect(moves).toHaveLength(1);
        throw new Error("the caller changed its mind");
      }),
    ).rejects.toThrow("the caller changed its mind");
    expect(await db.prisma.journeyProgress.count()).toBe(0);
  });
});
