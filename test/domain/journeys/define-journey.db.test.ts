import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../../src/domain/errors.ts";
import { defineJourney, updateJourney } from "../../../src/domain/journeys/define-journey.ts";
import type { JourneyDefinitionInput } from "../../../src/domain/journeys/journey-input.ts";
import { test } from "../../helpers/database.ts";

const onboarding: JourneyDefinitionInput = {
  key: "onboarding",
  name: "Onboarding",
  description: "From sign-up to a first order",
  stages: [
    { key: "signed-up", name: "Signed up", enteredBy: ["account.created"] },
    { key: "trial", name: "Trial", enteredBy: ["trial.started"] },
    { key: "ordered", name: "Ordered", enteredBy: ["order.placed", "subscription.started"] },
  ],
};

const T0 = new Date("2026-02-01T09:00:00Z");
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

/** Puts a customer in `stageKey`, having come from `fromKey`, as advancing would have. */
async function aCustomerIn(db: Database, journeyId: string, stageKey: string, fromKey?: string) {
  const stages = await db.prisma.journeyStage.findMany({ where: { journeyId } });
  const stage = (key: string) => {
    const found = stages.find((candidate) => candidate.key === key);
    if (!found) throw new Error(`no stage ${key}`);
    return found;
  };
  const customer = await db.prisma.customer.create({ data: { displayName: "Ada" } });
  const progress = await db.prisma.journeyProgress.create({
    data: {
      journeyId,
      customerId: customer.id,
      currentStageId: stage(stageKey).id,
      startedAt: T0,
      stageEnteredAt: fromKey ? hours(1) : T0,
    },
  });
  await db.prisma.journeyTransition.create({
    data: { progressId: progress.id, toStageId: stage(fromKey ?? stageKey).id, occurredAt: T0 },
  });
  if (fromKey) {
    await db.prisma.journeyTransition.create({
      data: {
        progressId: progress.id,
        fromStageId: stage(fromKey).id,
        toStageId: stage(stageKey).id,
        occurredAt: hours(1),
      },
    });
  }
  return progress;
}

const validationIssue = async (promise: Promise<unknown>) => {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues[0];
};

describe("defining journeys", () => {
  test("creates a journey with its stages in the given order, active by default", async ({ db }) => {
    const journey = await defineJourney(db.prisma, onboarding);
    expect(journey).toMatchObject({ key: "onboarding", name: "Onboarding", active: true });
    expect(journey.stages.map((stage) => [stage.position, stage.key, stage.enteredBy])).toEqual([
      [0, "signed-up", ["account.created"]],
      [1, "trial", ["trial.started"]],
      [2, "ordered", ["order.placed", "subscription.started"]],
    ]);
  });

  test("refuses a key that exists, pointing at updateJourney", async ({ db }) => {
    await defineJourney(db.prisma, onboarding);
    const error = await defineJourney(db.prisma, { ...onboarding, name: "Again" }).catch((caught) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(/"onboarding" already exists; use updateJourney/);
    expect(await db.prisma.journey.count()).toBe(1);
  });

  test("refuses malformed definitions with the path of the problem", async ({ db }) => {
    const stage = (key: string, enteredBy: string[]) => ({ key, name: key, enteredBy });
    expect(
      await validationIssue(defineJourney(db.prisma, { ...onboarding, key: "On Boarding" })),
    ).toMatchObject({
      path: ["key"],
    });
    expect(
      await validationIssue(
        defineJourney(db.prisma, { ...onboarding, stages: [stage("a", ["x.one"]), stage("a", ["x.two"])] }),
      ),
    ).toEqual({ path: ["stages", 1, "key"], message: expect.stringMatching(/already used by stage 0/) });
    expect(
      await validationIssue(
        defineJourney(db.prisma, {
          ...onboarding,
          stages: [stage("a", ["x.one"]), stage("b", ["x.two", "x.one"])],
        }),
      ),
    ).toEqual({
      path: ["stages", 1, "enteredBy", 1],
      message: expect.stringMatching(
        /"x.one" already enters stage "a"; an interaction kind may enter only one stage/,
      ),
    });
    expect(
      await validationIssue(defineJourney(db.prisma, { ...onboarding, stages: [stage("a", [])] })),
    ).toMatchObject({ path: ["stages", 0, "enteredBy"] });
    expect(await validationIssue(defineJourney(db.prisma, { ...onboarding, stages: [] }))).toMatchObject({
      path: ["stages"],
    });
    const many = Array.from({ length: 31 }, (_, i) => stage(`s${i}`, [`kind.${i}`]));
    expect(await validationIssue(defineJourney(db.prisma, { ...onboarding, stages: many }))).toMatchObject({
      path: ["stages"],
      message: "a journey has at most 30 stages",
    });
    expect(await db.prisma.journey.count()).toBe(0);
  });
});

describe("updating journeys", () => {
  test("says so when no journey has the key", async ({ db }) => {
    await expect(updateJourney(db.prisma, "nope", { name: "Nope" })).rejects.toBeInstanceOf(NotFoundError);
  });

  test("changes name, description and active flag without touching the stages", async ({ db }) => {
    const before = await defineJourney(db.prisma, onboarding);
    const after = await updateJourney(db.prisma, "onboarding", {
      name: "Welcome",
      description: null,
      active: false,
    });
    expect(after).toMatchObject({ name: "Welcome", description: null, active: false });
    expect(after.stages).toEqual(before.stages);
  });

  test("renames, reorders, rewires and adds stages while customers keep their place and history", async ({
    db,
  }) => {
    const journey = await defineJourney(db.prisma, onboarding);
    const progress = await aCustomerIn(db, journey.id, "trial", "signed-up");
    const idOf = new Map(journey.stages.map((stage) => [stage.key, stage.id]));

    // Fully reversed, so every kept stage takes a position another one holds now.
    const updated = await updateJourney(db.prisma, "onboarding", {
      stages: [
        { key: "ordered", name: "Ordered", enteredBy: ["order.placed"] },
        { key: "upsold", name: "Upsold", enteredBy: ["subscription.started"] },
        { key: "trial", name: "Trying it out", enteredBy: ["trial.started", "demo.booked"] },
        { key: "signed-up", name: "Signed up", enteredBy: ["account.created"] },
      ],
    });

    expect(updated.stages.map((stage) => [stage.position, stage.key, stage.name, stage.enteredBy])).toEqual([
      [0, "ordered", "Ordered", ["order.placed"]],
      [1, "upsold", "Upsold", ["subscription.started"]],
      [2, "trial", "Trying it out", ["trial.started", "demo.booked"]],
      [3, "signed-up", "Signed up", ["account.created"]],
    ]);
    for (const key of ["ordered", "trial", "signed-up"]) {
      expect(updated.stages.find((stage) => stage.key === key)?.id).toBe(idOf.get(key));
    }
    const kept = await db.prisma.journeyProgress.findUniqueOrThrow({
      where: { id: progress.id },
      include: { transitions: true },
    });
    expect(kept.currentStageId).toBe(idOf.get("trial"));
    expect(kept.transitions).toHaveLength(2);
  });

  test("refuses to remove a stage customers are in, naming it and how many", async ({ db }) => {
    const journey = await defineJourney(db.prisma, onboarding);
    await aCustomerIn(db, journey.id, "trial", "signed-up");
    await aCustomerIn(db, journey.id, "trial");
    const withoutTrial = onboarding.stages.filter((stage) => stage.key !== "trial");

    const error = await updateJourney(db.prisma, "onboarding", {
      name: "Shorter",
      stages: withoutTrial,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe(
      'Cannot remove a stage customers are in: "trial" has 2 customers; keep the stage, or move those customers to another stage first.',
    );
    const unchanged = await db.prisma.journey.findUniqueOrThrow({
      where: { key: "onboarding" },
      include: { stages: { orderBy: { position: "asc" } } },
    });
    expect(unchanged.name).toBe("Onboarding");
    expect(unchanged.stages.map((stage) => stage.key)).toEqual(["signed-up", "trial", "ordered"]);
    expect(await db.prisma.journeyProgress.count()).toBe(2);
  });

  test("removes a stage no one is in, closing the gap in positions", async ({ db }) => {
    const journey = await defineJourney(db.prisma, onboarding);
    await aCustomerIn(db, journey.id, "ordered", "signed-up");
    const updated = await updateJourney(db.prisma, "onboarding", {
      stages: onboarding.stages.filter((stage) => stage.key !== "trial"),
    });
    expect(updated.stages.map((stage) => [stage.position, stage.key])).toEqual([
      [0, "signed-up"],
      [1, "ordered"],
    ]);
    expect(await db.prisma.journeyProgress.count()).toBe(1);
  });

  test("keeps 'completed' meaning 'in the last stage' when the order changes", async ({ db }) => {
    const journey = await defineJourney(db.prisma, onboarding);
    const finished = await aCustomerIn(db, journey.id, "ordered", "signed-up");
    await db.prisma.journeyProgress.update({ where: { id: finished.id }, data: { completedAt: hours(1) } });
    const trying = await aCustomerIn(db, journey.id, "trial", "signed-up");

    const extra = { key: "loyal", name: "Loyal", enteredBy: ["order.repeat"] };
    await updateJourney(db.prisma, "onboarding", { stages: [...onboarding.stages, extra] });
    const afterAppend = await db.prisma.journeyProgress.findUniqueOrThrow({ where: { id: finished.id } });
    expect(afterAppend.completedAt).toBeNull();

    const [signedUp, trial, ordered] = onboarding.stages;
    if (!signedUp || !trial || !ordered) throw new Error("fixture has three stages");
    await updateJourney(db.prisma, "onboarding", { stages: [signedUp, ordered, extra, trial] });
    const nowLast = await db.prisma.journeyProgress.findUniqueOrThrow({ where: { id: trying.id } });
    expect(nowLast.completedAt?.toISOString()).toBe(hours(1).toISOString());
  });

  test("runs inside the caller's transaction and rolls back with it", async ({ db }) => {
    await defineJourney(db.prisma, onboarding);
    await expect(
      db.prisma.$transaction(async (tx) => {
        const renamed = await updateJourney(tx, "onboarding", {
          name: "Renamed",
          stages: [...onboarding.stages].reverse(),
        });
        expect(renamed.stages[0]?.key).toBe("ordered");
        throw new Error("the caller changed its mind");
      }),
    ).rejects.toThrow("the caller changed its mind");
    const journey = await db.prisma.journey.findUniqueOrThrow({
      where: { key: "onboarding" },
      include: { stages: { orderBy: { position: "asc" } } },
    });
    expect([journey.name, ...journey.stages.map((stage) => stage.key)]).toEqual([
      "Onboarding",
      "signed-up",
      "trial",
      "ordered",
    ]);
  });

  test("refuses an update whose stages repeat an interaction kind", async ({ db }) => {
    await defineJourney(db.prisma, onboarding);
    const error = await updateJourney(db.prisma, "onboarding", {
      stages: [
        { key: "a", name: "A", enteredBy: ["order.placed"] },
        { key: "b", name: "B", enteredBy: ["order.placed"] },
      ],
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toEqual(["stages", 1, "enteredBy", 0]);
  });
});
