// Moves a customer through journeys when an interaction is recorded: into the stage that the
// interaction's kind enters, in every active journey that has one — forward only, once per
// interaction, with a transition written for every move.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { inTransaction } from "../../db/transaction.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { NotFoundError, parseInput, ValidationError } from "../errors.ts";
import { interactionKindSchema } from "./journey-input.ts";

export const advanceJourneysSchema = z.object({
  customerId: z.uuid(),
  interactionId: z.uuid(),
  kind: interactionKindSchema,
  occurredAt: z.date(),
});
export type AdvanceJourneysInput = z.input<typeof advanceJourneysSchema>;
type Event = z.output<typeof advanceJourneysSchema>;

/** One move a customer made: into a journey (fromStageKey null) or on to a later stage. */
export interface JourneyMove {
  transitionId: string;
  progressId: string;
  journeyId: string;
  journeyKey: string;
  fromStageKey: string | null;
  toStageKey: string;
  interactionId: string;
  occurredAt: Date;
  /** The move reached the journey's last stage. */
  completed: boolean;
}

interface TargetStage {
  id: string;
  key: string;
  position: number;
  journey: { id: string; key: string; stages: Array<{ position: number }> };
}

/**
 * Applies one recorded interaction to the customer's journeys and returns the moves it caused.
 * Recording the same interaction again changes nothing and returns no moves.
 */
export async function advanceJourneys(db: Db, input: AdvanceJourneysInput): Promise<JourneyMove[]> {
  const event = parseInput(advanceJourneysSchema, input, "The interaction to advance journeys with");
  // Definitions guarantee one stage per kind per journey, so this is at most one stage per journey.
  const targets: TargetStage[] = await db.journeyStage.findMany({
    where: { enteredBy: { has: event.kind }, journey: { active: true } },
    select: {
      id: true,
      key: true,
      position: true,
      journey: {
        select: {
          id: true,
          key: true,
          stages: { select: { position: true }, orderBy: { position: "desc" }, take: 1 },
        },
      },
    },
    orderBy: { journey: { key: "asc" } },
  });
  if (targets.length === 0) return [];
  await assertInteractionMatches(db, event);

  return inTransaction(db, async (tx) => {
    const moves: JourneyMove[] = [];
    for (const target of targets) {
      const move = await advanceOne(tx, event, target);
      if (move) moves.push(move);
    }
    return moves;
  });
}

async function advanceOne(tx: Prisma.TransactionClient, event: Event, target: TargetStage) {
  const lastPosition = target.journey.stages[0]?.position ?? target.position;
  const completedAt = target.position >= lastPosition ? event.occurredAt : null;

  // Start the journey unless the customer already has progress in it. ON CONFLICT DO NOTHING (skipDuplicates)
  // makes a concurrent start of the same customer wait and then fall through to the "move" path.
  const [started] = await tx.journeyProgress.createManyAndReturn({
    data: [
      {
        journeyId: target.journey.id,
        customerId: event.customerId,
        currentStageId: target.id,
        startedAt: event.occurredAt,
        stageEnteredAt: event.occurredAt,
        completedAt,
      },
    ],
    skipDuplicates: true,
    select: { id: true },
  });
  if (started) return recordTransition(tx, event, target, started.id, null, completedAt !== null);

  // Lock the customer's progress so that two interactions processed at once move them one at a time.
  const [progress] = await tx.$queryRaw<
    Array<{ id: string; stageKey: string; stagePosition: number; stageId: string; stageEnteredAt: Date }>
  >`
    SELECT p."id", p."currentStageId" AS "stageId", p."stageEnteredAt",
           s."key" AS "stageKey", s."position" AS "stagePosition"
      FROM "JourneyProgress" p
      JOIN "JourneyStage" s ON s."id" = p."currentStageId"
     WHERE p."journeyId" = ${target.journey.id}::uuid AND p."customerId" = ${event.customerId}::uuid
       FOR UPDATE OF p`;
  if (!progress) throw new Error(`Progress of customer ${event.customerId} vanished while advancing it.`);

  // Forward only, and never on the strength of something that happened before the current stage began.
  if (target.position <= progress.stagePosition) return null;
  if (event.occurredAt.getTime() < progress.stageEnteredAt.getTime()) return null;
  // An interaction moves a customer at most once, even if the journey was reordered since.
  const seen = await tx.journeyTransition.count({
    where: { progressId: progress.id, interactionId: event.interactionId },
  });
  if (seen > 0) return null;

  await tx.journeyProgress.update({
    where: { id: progress.id },
    data: { currentStageId: target.id, stageEnteredAt: event.occurredAt, completedAt },
  });
  return recordTransition(
    tx,
    event,
    target,
    progress.id,
    { id: progress.stageId, key: progress.stageKey },
    completedAt !== null,
  );
}

async function recordTransition(
  tx: Prisma.TransactionClient,
  event: Event,
  target: TargetStage,
  progressId: string,
  from: { id: string; key: string } | null,
  completed: boolean,
): Promise<JourneyMove> {
  const transition = await tx.journeyTransition.create({
    data: {
      progressId,
      fromStageId: from?.id ?? null,
      toStageId: target.id,
      interactionId: event.interactionId,
      occurredAt: event.occurredAt,
    },
  });
  return {
    transitionId: transition.id,
    progressId,
    journeyId: target.journey.id,
    journeyKey: target.journey.key,
    fromStageKey: from?.key ?? null,
    toStageKey: target.key,
    interactionId: event.interactionId,
    occurredAt: transition.occurredAt,
    completed,
  };
}

/** A move names its interaction, so the interaction must exist and be this customer's. */
async function assertInteractionMatches(db: Db, event: Event) {
  const interaction = await db.interaction.findUnique({
    where: { id: event.interactionId },
    select: { customerId: true, kind: true },
  });
  if (!interaction) {
    throw new NotFoundError(
      `Interaction ${event.interactionId} does not exist; record the interaction before advancing journeys with it.`,
      "Interaction",
      event.interactionId,
    );
  }
  if (interaction.customerId !== event.customerId) {
    throw new ValidationError(
      `Interaction ${event.interactionId} belongs to customer ${interaction.customerId}, not ${event.customerId}; pass the interaction's own customer.`,
      [{ path: ["customerId"], message: "is not the interaction's customer" }],
    );
  }
  if (interaction.kind !== event.kind) {
    throw new ValidationError(
      `Interaction ${event.interactionId} is a "${interaction.kind}", not a "${event.kind}"; pass the interaction's own kind.`,
      [{ path: ["kind"], message: "is not the interaction's kind" }],
    );
  }
}
