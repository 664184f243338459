// Creating, changing and deleting segments, and who may. Admins manage every segment; account
// managers create segments and change or delete the ones they created (a colleague's saved view is
// theirs to keep); every reader sees every segment's definition, and its members only among the
// customers they may see.
import type { Db } from "../../db/database.ts";
import { isUniqueViolation } from "../../db/database-errors.ts";
import { inTransaction } from "../../db/transaction.ts";
import type { Segment } from "../../generated/prisma/client.ts";
import { ConflictError, ForbiddenError, parseInput } from "../errors.ts";
import {
  type SegmentChanges,
  type SegmentInput,
  segmentChangesSchema,
  segmentInputSchema,
  storedDefinition,
  validDefinition,
} from "./segment-definition.ts";
import { baselineSegmentMembers } from "./segment-entries.ts";
import { findSegment } from "./segment-members.ts";

/** Who is changing segments: their principal, and whether they may change anyone's (an admin). */
export interface SegmentEditor {
  principalId: string;
  mayEditAny: boolean;
}

/** Saves a segment; its members now are its baseline (they did not enter it, it was drawn round them). */
export async function createSegment(
  db: Db,
  editor: SegmentEditor,
  input: SegmentInput,
  now: Date,
): Promise<Segment> {
  const parsed = parseInput(segmentInputSchema, input, "The segment");
  const definition = await validDefinition(db, parsed.definition, ["definition"]);
  return renamed(parsed.name, () =>
    inTransaction(db, async (tx) => {
      const segment = await tx.segment.create({
        data: {
          name: parsed.name,
          description: parsed.description,
          definition: storedDefinition(definition),
          createdById: editor.principalId,
        },
      });
      await baselineSegmentMembers(tx, segment, now);
      return segment;
    }),
  );
}

export async function updateSegment(
  db: Db,
  editor: SegmentEditor,
  id: string,
  changes: SegmentChanges,
  now: Date,
): Promise<Segment> {
  const parsed = parseInput(segmentChangesSchema, changes, "The segment's changes");
  await editableSegment(db, editor, id);
  const definition =
    parsed.definition === undefined
      ? undefined
      : await validDefinition(db, parsed.definition, ["definition"]);
  return renamed(parsed.name ?? "", () =>
    inTransaction(db, async (tx) => {
      const segment = await tx.segment.update({
        where: { id },
        data: {
          ...(parsed.name !== undefined && { name: parsed.name }),
          ...(parsed.description !== undefined && { description: parsed.description }),
          ...(definition !== undefined && { definition: storedDefinition(definition) }),
        },
      });
      // A new definition draws a new circle: its members now are its baseline, not entries.
      if (definition !== undefined) await baselineSegmentMembers(tx, segment, now);
      return segment;
    }),
  );
}

export async function deleteSegment(db: Db, editor: SegmentEditor, id: string): Promise<Segment> {
  const segment = await editableSegment(db, editor, id);
  await db.segment.delete({ where: { id } });
  return segment;
}

async function editableSegment(db: Db, editor: SegmentEditor, id: string): Promise<Segment> {
  const segment = await findSegment(db, id);
  if (!mayEditSegment(editor, segment)) {
    throw new ForbiddenError(
      `Segment "${segment.name}" was created by someone else: account managers change only the segments they created. Save your own copy with createSegment, or ask an admin.`,
    );
  }
  return segment;
}

/** Whether the editor may change or delete the segment: an admin any, others the ones they created. */
export function mayEditSegment(editor: SegmentEditor, segment: { createdById: string | null }): boolean {
  return editor.mayEditAny || segment.createdById === editor.principalId;
}

/** Names are unique, so that a list of segments reads unambiguously. */
async function renamed<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(
        `A segment named "${name}" exists already: choose another name, or change that one.`,
      );
    }
    throw error;
  }
}
