// Where one customer stands in each journey they have started: the stage they are in, since when,
// whether they finished, and the path that brought them there.
import type { Db } from "../../db/database.ts";

export interface JourneyProgressView {
  journeyKey: string;
  journeyName: string;
  /** Whether the journey still moves customers (an inactive one keeps their progress). */
  journeyActive: boolean;
  currentStage: { key: string; name: string; position: number };
  startedAt: Date;
  stageEnteredAt: Date;
  /** Whole seconds from stageEnteredAt to `now`; 0 once the journey is completed (time stops there). */
  timeInStageSeconds: number;
  completedAt: Date | null;
  /** Oldest first; `fromStageKey` is null for the move into the journey. */
  transitions: Array<{
    fromStageKey: string | null;
    toStageKey: string;
    occurredAt: Date;
    interactionId: string | null;
  }>;
}

/**
 * The progress in every journey a customer has started, ordered by journey key, for a customer the
 * caller has read (the Customer.journeys field): an empty answer means "has started no journey", and
 * nothing asks again whether the customer exists (most customers, in no journey, would pay a second
 * statement on every Customer360 page: issue 15).
 */
export async function journeyProgressOf(db: Db, id: string, now: Date): Promise<JourneyProgressView[]> {
  const rows = await db.journeyProgress.findMany({
    where: { customerId: id },
    orderBy: { journey: { key: "asc" } },
    include: {
      journey: { select: { key: true, name: true, active: true } },
      currentStage: { select: { key: true, name: true, position: true } },
      transitions: {
        // The id breaks ties between moves made at the same instant; it is a UUIDv7, so ordered by creation.
        orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
        select: {
          occurredAt: true,
          interactionId: true,
          fromStage: { select: { key: true } },
          toStage: { select: { key: true } },
        },
      },
    },
  });
  return rows.map((row) => ({
    journeyKey: row.journey.key,
    journeyName: row.journey.name,
    journeyActive: row.journey.active,
    currentStage: row.currentStage,
    startedAt: row.startedAt,
    stageEnteredAt: row.stageEnteredAt,
    timeInStageSeconds: row.completedAt
      ? 0
      : Math.max(0, Math.floor((now.getTime() - row.stageEnteredAt.getTime()) / 1000)),
    completedAt: row.completedAt,
    transitions: row.transitions.map((transition) => ({
      fromStageKey: transition.fromStage?.key ?? null,
      toStageKey: transition.toStage.key,
      occurredAt: transition.occurredAt,
      interactionId: transition.interactionId,
    })),
  }));
}
