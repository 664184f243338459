// Saving, changing and deleting segments. Admins manage every segment; account managers create
// segments and change or delete the ones they created (src/domain/segments/manage-segments.ts).

import { ValidationError } from "../../domain/errors.ts";
import { createSegment, deleteSegment, updateSegment } from "../../domain/segments/manage-segments.ts";
import { SEGMENT_DESCRIPTION_MAX, SEGMENT_NAME_MAX } from "../../domain/segments/segment-definition.ts";
import type { Segment } from "../../generated/prisma/client.ts";
import { builder } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { bounded } from "../input-bounds.ts";
import { CustomerFilter, type CustomerFilterShape, domainCustomerFilter } from "./customer-queries.ts";
import { editorOf, SegmentNode } from "./segment.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";

const SEGMENT_EDITORS = { $any: { admin: true, accountManager: true } } as const;

const CreateSegmentInput = builder.inputType("CreateSegmentInput", {
  description: "A new segment: a name, what it stands for, and the filter that selects its members.",
  fields: (t) => ({
    name: t.string({
      required: true,
      description: `A name unique among segments, at most ${SEGMENT_NAME_MAX} characters.`,
      ...bounded({ maxLength: SEGMENT_NAME_MAX }),
    }),
    description: t.string({
      description: `What the segment stands for (its persona), at most ${SEGMENT_DESCRIPTION_MAX} characters.`,
      ...bounded({ maxLength: SEGMENT_DESCRIPTION_MAX }),
    }),
    definition: t.field({
      type: CustomerFilter,
      required: true,
      description: "The conditions its members meet, as the customers query takes them (without segmentId).",
    }),
  }),
});

const UpdateSegmentInput = builder.inputType("UpdateSegmentInput", {
  description:
    "Changes to a segment; omitted fields keep their value. A new definition replaces the old one whole.",
  fields: (t) => ({
    id: t.globalID({ required: true, description: "The segment to change." }),
    name: t.string({ description: "A new name.", ...bounded({ maxLength: SEGMENT_NAME_MAX }) }),
    description: t.string({
      description: "A new description.",
      ...bounded({ maxLength: SEGMENT_DESCRIPTION_MAX }),
    }),
    definition: t.field({ type: CustomerFilter, description: "The new conditions, replacing the old ones." }),
  }),
});

const DeleteSegmentInput = builder.inputType("DeleteSegmentInput", {
  description: "The segment to delete.",
  fields: (t) => ({ id: t.globalID({ required: true, description: "The segment's global ID." }) }),
});

const SegmentPayload = builder.objectRef<{ segment: Segment }>("SegmentPayload").implement({
  description: "A segment after a change.",
  fields: (t) => ({
    segment: t.field({
      type: SegmentNode,
      description: "The segment, as stored now.",
      resolve: (p) => p.segment,
    }),
  }),
});

const DeleteSegmentPayload = builder.objectRef<{ segment: Segment }>("DeleteSegmentPayload").implement({
  description: "A deleted segment.",
  fields: (t) => ({
    deletedSegmentId: t.globalID({
      description: "The ID the segment had.",
      resolve: (p) => ({ type: "Segment", id: p.segment.id }),
    }),
  }),
});

/** A definition as the domain stores it; a segment inside a segment is refused (it could loop). */
function definitionOf(filter: CustomerFilterShape) {
  if (filter.segmentId) {
    throw new ValidationError(
      "A segment's definition cannot name a segment: copy that segment's conditions instead.",
      [{ path: ["input", "definition", "segmentId"], message: "not allowed in a segment's definition" }],
    );
  }
  return domainCustomerFilter(filter, ["input", "definition"]);
}

builder.mutationFields((t) => ({
  createSegment: t.field({
    type: SegmentPayload,
    authScopes: SEGMENT_EDITORS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Saves a segment. Admins and account managers may; the creator (and any admin) may change or delete it later.",
    args: { input: t.arg({ type: CreateSegmentInput, required: true, description: "The segment." }) },
    resolve: async (_parent, { input }, context) => ({
      segment: await createSegment(
        context.prisma,
        editorOf(context),
        {
          name: input.name,
          ...(input.description != null && { description: input.description }),
          definition: definitionOf(input.definition),
        },
        context.clock(),
      ),
    }),
  }),
  updateSegment: t.field({
    type: SegmentPayload,
    authScopes: SEGMENT_EDITORS,
    errors: { types: MUTATION_ERRORS },
    description: "Changes a segment: an admin any segment, an account manager the ones they created.",
    args: { input: t.arg({ type: UpdateSegmentInput, required: true, description: "The changes." }) },
    resolve: async (_parent, { input }, context) => ({
      segment: await updateSegment(
        context.prisma,
        editorOf(context),
        expectGlobalId(input.id, "Segment", ["input", "id"]),
        {
          ...(input.name != null && { name: input.name }),
          ...(input.description != null && { description: input.description }),
          ...(input.definition != null && { definition: definitionOf(input.definition) }),
        },
        context.clock(),
      ),
    }),
  }),
  deleteSegment: t.field({
    type: DeleteSegmentPayload,
    authScopes: SEGMENT_EDITORS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Deletes a segment with its recorded counts: an admin any segment, an account manager the ones they created.",
    args: { input: t.arg({ type: DeleteSegmentInput, required: true, description: "Which segment." }) },
    resolve: async (_parent, { input }, context) => ({
      segment: await deleteSegment(
        context.prisma,
        editorOf(context),
        expectGlobalId(input.id, "Segment", ["input", "id"]),
      ),
    }),
  }),
}));
