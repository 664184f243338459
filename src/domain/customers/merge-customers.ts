// Folding one customer into another when they turn out to be one person: a preview of what would move
// and which traits conflict, and the merge itself, in one transaction, recorded as a CustomerMerge.
// The merged customer's row stays, pointing at the survivor, so its id keeps resolving. The survivor's
// scores are the write pipeline's business (src/pipeline): a merge only moves facts.
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { parseStoredJson } from "../../db/stored-json.ts";
import { inTransaction, lockCustomers } from "../../db/transaction.ts";
import type { Customer, CustomerMerge, Prisma } from "../../generated/prisma/client.ts";
import { ConflictError, NotFoundError, parseInput } from "../errors.ts";
import { asJsonObject, jsonEqual } from "../json.ts";
import { asProfileVersions, latestProfileVersions } from "./customer-profiles.ts";

export const mergeCustomersInputSchema = z.object({
  survivorId: z.uuid("survivorId must be a customer id (a UUID)."),
  mergedId: z.uuid("mergedId must be a customer id (a UUID)."),
  reason: z.string().trim().min(1, "Say why these customers are one (a reason is recorded).").max(1000),
});
export type MergeCustomersInput = z.input<typeof mergeCustomersInputSchema>;

export const previewMergeInputSchema = mergeCustomersInputSchema.pick({ survivorId: true, mergedId: true });
export type PreviewMergeInput = z.input<typeof previewMergeInputSchema>;

/** A trait both customers have with different values; the survivor's value is kept. */
const jsonValue = z.json() as z.ZodType<Prisma.JsonValue>;
export const traitConflictSchema = z.object({
  key: z.string(),
  survivorValue: jsonValue,
  mergedValue: jsonValue,
  kept: z.literal("survivor"),
});
export type TraitConflict = z.infer<typeof traitConflictSchema>;

/** Both customers are in the same journey: the one further along (higher stage position) is kept. */
const journeyProgressConflictSchema = z.object({
  journeyId: z.string(),
  journeyKey: z.string(),
  kept: z.enum(["survivor", "merged"]),
  keptStage: z.string(),
  droppedStage: z.string(),
});
export type JourneyProgressConflict = z.infer<typeof journeyProgressConflictSchema>;

const count = z.number().int().min(0);

/** What a merge moves from the merged customer to the survivor; recorded as CustomerMerge.moved. */
export const mergeMovesSchema = z.object({
  identities: count,
  interactions: count,
  feedback: count,
  /** Journey progress rows of the merged customer that move (conflicts the merged one wins included). */
  journeyProgress: count,
  journeyProgressConflicts: z.array(journeyProgressConflictSchema),
  alerts: count,
  scoreHistory: count,
  /** Customers previously merged into the merged one, now pointing at the survivor. */
  repointedMerges: count,
});
export type MergeMoves = z.infer<typeof mergeMovesSchema>;

/** A stored merge record's JSON columns, read through their schemas. */
export function readMergeRecord(merge: CustomerMerge): {
  moves: MergeMoves;
  traitConflicts: TraitConflict[];
} {
  const where = {
    table: "CustomerMerge",
    rowId: merge.id,
    remedy: "Repair the row from the customers' facts, or ask for a new merge record.",
  };
  return {
    moves: parseStoredJson(mergeMovesSchema, merge.moved, { ...where, column: "moved" }),
    traitConflicts: parseStoredJson(z.array(traitConflictSchema), merge.traitConflicts, {
      ...where,
      column: "traitConflicts",
    }),
  };
}

export interface MergePreview {
  survivor: Customer;
  merged: Customer;
  moves: MergeMoves;
  traitConflicts: TraitConflict[];
}

export interface MergeResult {
  survivor: Customer;
  merge: CustomerMerge;
}

/** Says what merging `mergedId` into `survivorId` would move and which traits conflict; changes nothing. */
export async function previewMerge(db: Db, input: PreviewMergeInput): Promise<MergePreview> {
  const { survivorId, mergedId } = parseInput(previewMergeInputSchema, input, "The merge");
  const { survivor, merged } = await loadPair(db, survivorId, mergedId);
  const plan = await planMerge(db, survivor, merged);
  return { survivor, merged, moves: plan.moves, traitConflicts: plan.traitConflicts };
}

/**
 * Folds `mergedId` into `survivorId`: the survivor gets every fact of the merged customer, the merged
 * row points at the survivor, and a CustomerMerge records what moved. Runs in one transaction (inline
 * when `db` is already a transaction).
 */
export async function mergeCustomers(
  db: Db,
  input: MergeCustomersInput,
  { principalId, now }: { principalId?: string | undefined; now: Date },
): Promise<MergeResult> {
  const { survivorId, mergedId, reason } = parseInput(mergeCustomersInputSchema, input, "The merge");
  return inTransaction(db, async (tx) => {
    // Row locks make the "already merged" checks below hold until commit, when merges race.
    await lockCustomers(tx, [survivorId, mergedId]);
    const { survivor, merged } = await loadPair(tx, survivorId, mergedId);
    const mergedById = principalId ?? null;
    if (mergedById && !(await tx.principal.findUnique({ where: { id: mergedById }, select: { id: true } }))) {
      throw new NotFoundError(
        `No principal has the id ${mergedById}: merge as an existing principal.`,
        "Principal",
        mergedById,
      );
    }
    const plan = await planMerge(tx, survivor, merged);

    // Journey progress is unique per (journey, customer): drop the loser of each conflict before moving.
    if (plan.droppedProgressIds.length > 0) {
      await tx.journeyProgress.deleteMany({ where: { id: { in: plan.droppedProgressIds } } });
    }
    const moveTo = { where: { customerId: mergedId }, data: { customerId: survivorId } };
    const moved: MergeMoves = {
      identities: (await tx.identity.updateMany(moveTo)).count,
      interactions: (await tx.interaction.updateMany(moveTo)).count,
      feedback: (await tx.feedback.updateMany(moveTo)).count,
      journeyProgress: (await tx.journeyProgress.updateMany(moveTo)).count,
      journeyProgressConflicts: plan.moves.journeyProgressConflicts,
      alerts: (await tx.alert.updateMany(moveTo)).count,
      scoreHistory: (await tx.scoreHistory.updateMany(moveTo)).count,
      // No chains: whoever pointed at the merged customer now points at the survivor.
      repointedMerges: (
        await tx.customer.updateMany({
          where: { mergedIntoId: mergedId },
          data: { mergedIntoId: survivorId },
        })
      ).count,
    };
    // A score of the merged customer alone means nothing now; the survivor's is recomputed below.
    await tx.score.deleteMany({ where: { customerId: mergedId } });

    const updatedSurvivor = await tx.customer.update({
      where: { id: survivorId },
      data: {
        traits: plan.traits,
        displayName: survivor.displayName ?? merged.displayName,
        // Each source's latest version of the profile, so a replay stays stale after the merge.
        profileVersions: latestProfileVersions(
          asProfileVersions(survivor.profileVersions),
          asProfileVersions(merged.profileVersions),
        ),
        ownerId: survivor.ownerId ?? merged.ownerId,
        firstSeenAt: earliest(survivor.firstSeenAt, merged.firstSeenAt),
        lastSeenAt: latest(survivor.lastSeenAt, merged.lastSeenAt),
      },
    });
    await tx.customer.update({
      where: { id: mergedId },
      data: { mergedIntoId: survivorId, mergedAt: now },
    });
    const merge = await tx.customerMerge.create({
      data: {
        survivorId,
        mergedId,
        mergedById,
        reason,
        moved: mergeMovesSchema.parse(moved),
        traitConflicts: plan.traitConflicts,
      },
    });
    return { survivor: updatedSurvivor, merge };
  });
}

async function loadPair(db: Db, survivorId: string, mergedId: string) {
  if (survivorId === mergedId) {
    throw new ConflictError(`Cannot merge customer ${survivorId} into itself: give two different customers.`);
  }
  const rows = await db.customer.findMany({ where: { id: { in: [survivorId, mergedId] } } });
  const survivor = rows.find((row) => row.id === survivorId);
  const merged = rows.find((row) => row.id === mergedId);
  for (const [role, id, row] of [
    ["survivor", survivorId, survivor],
    ["customer to merge", mergedId, merged],
  ] as const) {
    if (!row)
      throw new NotFoundError(`No customer has the id ${id} (the ${role}): check the id.`, "Customer", id);
    if (row.mergedIntoId) {
      throw new ConflictError(
        `Customer ${id} (the ${role}) was already merged into customer ${row.mergedIntoId}: use ${row.mergedIntoId} instead.`,
      );
    }
  }
  return { survivor: survivor as Customer, merged: merged as Customer };
}

interface MergePlan {
  moves: MergeMoves;
  traitConflicts: TraitConflict[];
  traits: Prisma.InputJsonObject;
  droppedProgressIds: string[];
}

async function planMerge(db: Db, survivor: Customer, merged: Customer): Promise<MergePlan> {
  const of = { where: { customerId: merged.id } };
  const [identities, interactions, feedback, alerts, scoreHistory, repointedMerges] = await Promise.all([
    db.identity.count(of),
    db.interaction.count(of),
    db.feedback.count(of),
    db.alert.count(of),
    db.scoreHistory.count(of),
    db.customer.count({ where: { mergedIntoId: merged.id } }),
  ]);
  const progress = await db.journeyProgress.findMany({
    where: { customerId: { in: [survivor.id, merged.id] } },
    include: { currentStage: { select: { key: true, position: true } }, journey: { select: { key: true } } },
    orderBy: { journeyId: "asc" },
  });
  const survivorByJourney = new Map(
    progress.filter((row) => row.customerId === survivor.id).map((row) => [row.journeyId, row]),
  );
  const mergedProgress = progress.filter((row) => row.customerId === merged.id);
  const conflicts: JourneyProgressConflict[] = [];
  const droppedProgressIds: string[] = [];
  for (const theirs of mergedProgress) {
    const ours = survivorByJourney.get(theirs.journeyId);
    if (!ours) continue;
    // Further along wins; on a tie the survivor's progress stays, as with traits.
    const keepMerged = theirs.currentStage.position > ours.currentStage.position;
    const [kept, dropped] = keepMerged ? [theirs, ours] : [ours, theirs];
    droppedProgressIds.push(dropped.id);
    conflicts.push({
      journeyId: theirs.journeyId,
      journeyKey: theirs.journey.key,
      kept: keepMerged ? "merged" : "survivor",
      keptStage: kept.currentStage.key,
      droppedStage: dropped.currentStage.key,
    });
  }
  const { traits, traitConflicts } = mergeTraits(survivor.traits, merged.traits);
  return {
    moves: {
      identities,
      interactions,
      feedback,
      journeyProgress: mergedProgress.length - conflicts.filter((c) => c.kept === "survivor").length,
      journeyProgressConflicts: conflicts,
      alerts,
      scoreHistory,
      repointedMerges,
    },
    traitConflicts,
    traits,
    droppedProgressIds,
  };
}

/** Shallow merge: every key of both, the survivor's value where both have the key. */
function mergeTraits(survivorTraits: Prisma.JsonValue, mergedTraits: Prisma.JsonValue) {
  const ours = asJsonObject(survivorTraits);
  const theirs = asJsonObject(mergedTraits);
  const traitConflicts: TraitConflict[] = [];
  for (const [key, mergedValue] of Object.entries(theirs)) {
    if (key in ours && !jsonEqual(ours[key] ?? null, mergedValue ?? null)) {
      traitConflicts.push({
        key,
        survivorValue: ours[key] ?? null,
        mergedValue: mergedValue ?? null,
        kept: "survivor",
      });
    }
  }
  traitConflicts.sort((a, b) => a.key.localeCompare(b.key));
  return { traits: { ...theirs, ...ours } as Prisma.InputJsonObject, traitConflicts };
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a <= b ? a : b;
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a >= b ? a : b;
}
