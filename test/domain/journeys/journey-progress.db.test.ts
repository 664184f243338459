import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { advanceJourneys } from "../../../src/domain/journeys/advance-journeys.ts";
import { defineJourney } from "../../../src/domain/journeys/define-journey.ts";
import { journeyProgressOf } from "../../../src/domain/journeys/journey-progress.ts";
import { test } from "../../helpers/database.ts";

const T0 = new Date("2026-04-01T08:00:00Z");
const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);

async function journeys(db: Database) {
  await defineJourney(db.prisma, {
    key: "purchase",
    name: "Purchase",
    stages: [
      { key: "visited", name: "Visited", enteredBy: ["web.visit"] },
      { key: "carted", name: "Carted", enteredBy: ["cart.created"] },
      { key: "ordered", name: "Ordered", enteredBy: ["order.placed"] },
    ],
  });
  await defineJourney(db.prisma, {
    key: "activation",
    name: "Activation",
    stages: [
      { key: "signed-up", name: "Signed up", enteredBy: ["account.created"] },
      { key: "active", name: "Active", enteredBy: ["order.placed"] },
    ],
  });
}

async function happen(db: Database, customerId: string, kind: string, occurredAt: Date) {
  const interaction = await db.prisma.interaction.create({
    data: {
      customerId,
      source: "app",
      externalId: randomUUID(),
      channel: "WEB",
      kind,
      direction: "INBOUND",
      occurredAt,
    },
  });
  await advanceJourneys(db.prisma, { customerId, interactionId: interaction.id, kind, occurredAt });
  return interaction.id;
}

describe("a customer's journey progress", () => {
  test("shows each journey's stage, time in it and path, oldest move first", async ({ db }) => {
    await journeys(db);
    const customer = await db.prisma.customer.create({ data: {} });
    const visit = await happen(db, customer.id, "web.visit", at(0));
    const cart = await happen(db, customer.id, "cart.created", at(2));
    await happen(db, customer.id, "account.created", at(1));

    const progress = await journeyProgressOf(db.prisma, customer.id, at(5.5));
    expect(progress).toEqual([
      {
        journeyKey: "activation",
        journeyName: "Activation",
        journeyActive: true,
        currentStage: { key: "signed-up", name: "Signed up", position: 0 },
        startedAt: at(1),
        stageEnteredAt: at(1),
        timeInStageSeconds: 4.5 * 3600,
        completedAt: null,
        transitions: [
          {
            fromStageKey: null,
            toStageKey: "signed-up",
            occurredAt: at(1),
            interactionId: expect.any(String),
          },
        ],
      },
      {
        journeyKey: "purchase",
        journeyName: "Purchase",
        journeyActive: true,
        currentStage: { key: "carted", name: "Carted", position: 1 },
        startedAt: at(0),
        stageEnteredAt: at(2),
        timeInStageSeconds: 3.5 * 3600,
        completedAt: null,
        transitions: [
          { fromStageKey: null, toStageKey: "visited", occurredAt: at(0), interactionId: visit },
          { fromStageKey: "visited", toStageKey: "carted", occurredAt: at(2), interactionId: cart },
        ],
      },
    ]);
  });

  test("stops the clock once a journey is completed", async ({ db }) => {
    await journeys(db);
    const customer = await db.prisma.customer.create({ data: {} });
    await happen(db, customer.id, "account.created", at(0));
    await happen(db, customer.id, "order.placed", at(3));

    const [activation, purchase] = await journeyProgressOf(db.prisma, customer.id, at(100));
    expect(activation).toMatchObject({ completedAt: at(3), timeInStageSeconds: 0 });
    expect(activation?.transitions.map((t) => [t.fromStageKey, t.toStageKey])).toEqual([
      [null, "signed-up"],
      ["signed-up", "active"],
    ]);
    // Started straight in the last stage: complete from the first move.
    expect(purchase).toMatchObject({ startedAt: at(3), completedAt: at(3), timeInStageSeconds: 0 });
  });

  test("counts whole seconds and never a negative time", async ({ db }) => {
    await journeys(db);
    const customer = await db.prisma.customer.create({ data: {} });
    await happen(db, customer.id, "web.visit", at(0));
    const [early] = await journeyProgressOf(db.prisma, customer.id, new Date(T0.getTime() - 60_000));
    expect(early?.timeInStageSeconds).toBe(0);
    const [later] = await journeyProgressOf(db.prisma, customer.id, new Date(T0.getTime() + 90_999));
    expect(later?.timeInStageSeconds).toBe(90);
  });

  test("is empty for a customer in no journey, read without asking again whether they exist", async ({
    db,
  }) => {
    const customer = await db.prisma.customer.create({ data: {} });
    expect(await journeyProgressOf(db.prisma, customer.id, at(1))).toEqual([]);
    // The caller has just read the customer: an id of no one is answered the same, in one statement.
    expect(await journeyProgressOf(db.prisma, randomUUID(), at(1))).toEqual([]);
  });
});
