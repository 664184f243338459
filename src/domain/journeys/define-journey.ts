// Creating and changing journey definitions. Stages keep their identity by key, so renaming,
// reordering or re-wiring a stage never loses the customers in it or the history of how they got
// there; removing a stage someone is in is refused rather than silently dropping their progress.
import type { Db } from "../../db/database.ts";
import { inTransaction } from "../../db/transaction.ts";
import type { Journey, JourneyStage } from "../../generated/prisma/client.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { ConflictError, NotFoundError, parseInput } from "../errors.ts";
import {
  type JourneyDefinitionInput,
  type JourneyUpdate,
  type JourneyUpdateInput,
  journeyDefinitionSchema,
  journeyUpdateSchema,
  slugSchema,
} from "./journey-input.ts";
import { placeCustomersFromHistory } from "./place-from-history.ts";

export type JourneyWithStages = Journey & { stages: JourneyStage[] };

/** Positions are 0..29, so adding this moves every stage clear of every new position. */
const OUT_OF_THE_WAY = 1000;

const withStages = { stages: { orderBy: { position: "asc" } } } as const;

/**
 * Creates a journey with its stages in the given order and, when it is active, places the customers
 * whose history already took them into it (place-from-history.ts), in the same transaction.
 */
export async function defineJourney(db: Db, input: JourneyDefinitionInput): Promise<JourneyWithStages> {
  const definition = parseInput(journeyDefinitionSchema, input, "The journey definition");
  const taken = () =>
    new ConflictError(
      `A journey with the key "${definition.key}" already exists; use updateJourney to change it, or choose another key.`,
    );
  if (await db.journey.findUnique({ where: { key: definition.key }, select: { id: true } })) throw taken();
  try {
    // The journey never exists without its stages, nor (active) without the customers already in it.
    return await inTransaction(db, async (tx) => {
      const journey = await tx.journey.create({
        data: {
          key: definition.key,
          name: definition.name,
          description: definition.description ?? null,
          active: definition.active,
          stages: {
            create: definition.stages.map((stage, position) => ({
              position,
              key: stage.key,
              name: stage.name,
              enteredBy: stage.enteredBy,
            })),
          },
        },
        include: withStages,
      });
      if (journey.active) await placeCustomersFromHistory(tx, journey.id);
      return journey;
    });
  } catch (error) {
    // Another caller defined the same key between our check and our insert.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw taken();
    throw error;
  }
}

/**
 * Changes the journey named `key`. Omitted fields keep their value; `stages`, when given, is the full
 * new list: stages are matched to the existing ones by key (kept, renamed, moved, re-wired), new keys
 * are added, and missing keys are removed — unless customers are in them.
 */
export async function updateJourney(
  db: Db,
  key: string,
  input: JourneyUpdateInput,
): Promise<JourneyWithStages> {
  const journeyKey = parseInput(slugSchema, key, "The journey key");
  const update = parseInput(journeyUpdateSchema, input, "The journey update");
  return inTransaction(db, async (tx) => {
    // Lock the journey so that two updates of it run one after the other, never interleaved.
    const [locked] = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT "id" FROM "Journey" WHERE "key" = ${journeyKey} FOR UPDATE`;
    if (!locked) {
      throw new NotFoundError(
        `No journey has the key "${journeyKey}"; check the key, or create the journey with defineJourney.`,
        "Journey",
        journeyKey,
      );
    }
    if (update.stages) await replaceStages(tx, locked.id, update.stages);
    return tx.journey.update({
      where: { id: locked.id },
      data: {
        ...(update.name !== undefined && { name: update.name }),
        ...(update.description !== undefined && { description: update.description }),
        ...(update.active !== undefined && { active: update.active }),
      },
      include: withStages,
    });
  });
}

type StageInput = NonNullable<JourneyUpdate["stages"]>[number];

async function replaceStages(tx: Prisma.TransactionClient, journeyId: string, stages: StageInput[]) {
  const existing = await tx.journeyStage.findMany({ where: { journeyId } });
  const wanted = new Set(stages.map((stage) => stage.key));
  const removed = existing.filter((stage) => !wanted.has(stage.key));

  if (removed.length > 0) {
    // Locking the stages first makes a concurrent move into one of them wait for us (its foreign key
    // check needs the row), so the count below cannot go stale before the delete.
    await tx.$queryRaw`
      SELECT "id" FROM "JourneyStage"
       WHERE "id" IN (${Prisma.join(removed.map((stage) => Prisma.sql`${stage.id}::uuid`))})
       FOR UPDATE`;
    const occupied = await tx.journeyProgress.groupBy({
      by: ["currentStageId"],
      where: { currentStageId: { in: removed.map((stage) => stage.id) } },
      _count: { _all: true },
    });
    if (occupied.length > 0) {
      const described = occupied.map((group) => {
        const stage = removed.find((candidate) => candidate.id === group.currentStageId);
        const n = group._count._all;
        return `"${stage?.key}" has ${n} customer${n === 1 ? "" : "s"}`;
      });
      throw new ConflictError(
        `Cannot remove a stage customers are in: ${described.join(", ")}; keep the stage, or move those customers to another stage first.`,
      );
    }
    // Transitions into or out of a removed stage go with it (the foreign keys cascade).
    await tx.journeyStage.deleteMany({ where: { id: { in: removed.map((stage) => stage.id) } } });
  }

  // (journeyId, position) is unique and checked row by row, so swapping two stages in place would
  // collide halfway; shifting every stage out of the way first makes any new order reachable.
  await tx.journeyStage.updateMany({
    where: { journeyId },
    data: { position: { increment: OUT_OF_THE_WAY } },
  });
  const byKey = new Map(existing.map((stage) => [stage.key, stage]));
  for (const [position, stage] of stages.entries()) {
    const data = { position, name: stage.name, enteredBy: stage.enteredBy };
    const current = byKey.get(stage.key);
    if (current) await tx.journeyStage.update({ where: { id: current.id }, data });
    else await tx.journeyStage.create({ data: { ...data, journeyId, key: stage.key } });
  }
  await realignCompletion(tx, journeyId);
}

/**
 * Keeps "completed" meaning "in the last stage" after the order changed: customers in a stage that
 * is no longer last are no longer complete, and customers now in the last stage completed when they
 * entered it.
 */
async function realignCompletion(tx: Prisma.TransactionClient, journeyId: string) {
  await tx.$executeRaw`
    UPDATE "JourneyProgress" p
       SET "completedAt" = CASE WHEN p."currentStageId" = last."id" THEN p."stageEnteredAt" END,
           "updatedAt" = now()
      FROM (SELECT "id" FROM "JourneyStage" WHERE "journeyId" = ${journeyId}::uuid
             ORDER BY "position" DESC LIMIT 1) AS last
     WHERE p."journeyId" = ${journeyId}::uuid
       AND (p."completedAt" IS NULL) = (p."currentStageId" = last."id")`;
}
