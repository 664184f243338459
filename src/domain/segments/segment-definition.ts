// What a segment is made of: a name, a description and a customer filter (the one the customer list
// takes), validated here, stored as JSON and read back through the same schema.
//
// A segment's members are the same set for every reader, narrowed only by who may see which
// customers: so its `search` is evaluated as for a caller without the `pii` scope (display names that
// are not contact details, and handles, shop ids and external ids, never emails or phones), or an
// admin's saved segment would let an account manager without the scope find customers by email.
import { z } from "zod";
import { PERSONAL_IDENTITY_KINDS } from "../../auth/personal-data.ts";
import type { Db } from "../../db/database.ts";
import { IdentityKind } from "../../generated/prisma/enums.ts";
import { type CustomerFilter, customerFilterSchema } from "../customers/customer-filter.ts";
import type { CustomerSearch } from "../customers/search-customers.ts";
import { parseInput, ValidationError } from "../errors.ts";

export const SEGMENT_NAME_MAX = 120;
export const SEGMENT_DESCRIPTION_MAX = 2000;

export const segmentInputSchema = z
  .object({
    name: z.string().trim().min(1, "a segment needs a name").max(SEGMENT_NAME_MAX),
    description: z.string().trim().max(SEGMENT_DESCRIPTION_MAX).default(""),
    definition: customerFilterSchema,
  })
  .strict();
export type SegmentInput = z.input<typeof segmentInputSchema>;

export const segmentChangesSchema = segmentInputSchema.partial();
export type SegmentChanges = z.input<typeof segmentChangesSchema>;

/** How a segment's search matches, whoever reads it (see the top of this module). */
export const SEGMENT_SEARCH: Omit<CustomerSearch, "text"> = {
  identityKinds: Object.values(IdentityKind).filter((kind) => !PERSONAL_IDENTITY_KINDS.includes(kind)),
  namesWithContactDetails: false,
};

/** A stored definition, parsed: dates back to Dates. A row that no longer parses is a bug, said loudly. */
export function segmentFilter(segment: { id: string; definition: unknown }): CustomerFilter {
  const parsed = customerFilterSchema.safeParse(segment.definition);
  if (!parsed.success) {
    throw new Error(
      `Segment ${segment.id} holds a definition that no longer validates: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}

/** The definition as stored: JSON, dates as ISO 8601 strings. */
export function storedDefinition(filter: CustomerFilter): object {
  return JSON.parse(JSON.stringify(filter)) as object;
}

/** Parses a definition and checks what it names exists (the journey stages), so a typo is refused now. */
export async function validDefinition(db: Db, input: unknown, path: string[]): Promise<CustomerFilter> {
  const filter = parseInput(customerFilterSchema, input, "The segment's definition");
  const stages = filter.journeyStages ?? [];
  if (stages.length === 0) return filter;
  const found = await db.journeyStage.findMany({
    where: { OR: stages.map((stage) => ({ key: stage.stageKey, journey: { key: stage.journeyKey } })) },
    select: { key: true, journey: { select: { key: true } } },
  });
  const known = new Set(found.map((stage) => `${stage.journey.key}\u0000${stage.key}`));
  const issues = stages.flatMap((stage, index) =>
    known.has(`${stage.journeyKey}\u0000${stage.stageKey}`)
      ? []
      : [
          {
            path: [...path, "journeyStages", index],
            message: `journey "${stage.journeyKey}" has no stage "${stage.stageKey}"`,
          },
        ],
  );
  if (issues.length > 0) {
    throw new ValidationError(
      `The segment names a journey stage that does not exist (${issues[0]?.message}): list the journeys and their stage keys with the journeys query.`,
      issues,
    );
  }
  return filter;
}
