// The input of recordInteraction. Its field rules are the SDK's (src/sdk/record-fields.ts), which
// connector records are validated with too; here they take the hub's upper-case enums and name the
// customer and the source, which a connector's records get from the hub. Parsing also scores what a
// customer wrote when the caller gave no sentiment (see below).
import { z } from "zod";
import { Channel, Direction } from "../../generated/prisma/enums.ts";
import { interactionFields } from "../../sdk/record-fields.ts";
import { scoreSentiment } from "../../sdk/sentiment.ts";
import type { Channel as SdkChannel, Direction as SdkDirection } from "../../sdk/vocabulary.ts";
import { customerReferenceSchema } from "../identities/identity-input.ts";
import type { SameSet } from "../same-set.ts";

// The SDK's channels and directions are the database enums in lower case, both ways: these fail to
// type-check when a value is added to one and not the other.
true satisfies SameSet<Uppercase<SdkChannel>, Channel>;
true satisfies SameSet<Uppercase<SdkDirection>, Direction>;

const interactionInputSchema = z.object({
  customer: customerReferenceSchema,
  /** The connector instance or API client reporting it. */
  source: z.string().trim().min(1, "Name the source that reports this interaction.").max(200),
  /** Its id at the source; with the source, what makes a repeat recognizable. */
  externalId: interactionFields.externalId,
  channel: z.enum(Channel),
  kind: interactionFields.kind,
  direction: z.enum(Direction),
  occurredAt: interactionFields.occurredAt,
  summary: interactionFields.summary,
  body: interactionFields.body,
  amount: interactionFields.amount,
  sentiment: interactionFields.sentiment,
  conversationId: interactionFields.conversationId,
  metadata: interactionFields.metadata,
  /** The source's own version of the fact: an older version than the stored one is skipped as stale. */
  sourceUpdatedAt: interactionFields.sourceUpdatedAt,
});

/**
 * The interaction input. When it carries no sentiment and is the customer's own text (INBOUND, with a
 * body that has words), the hub scores the body on its one scale (src/sdk/sentiment.ts), so a plugin
 * may give either a score or just the text. A sentiment given is kept as given; outbound text (the
 * business's own words) is not the customer's mood and gets none. The score depends on the body
 * alone, so the same input parsed twice, or a re-sync of a stored fact, yields the same value and
 * compares as unchanged.
 */
export const recordInteractionInputSchema = interactionInputSchema.transform(withCustomerSentiment);

/**
 * The rule above, on an input that is valid already: a connector's record, validated by the SDK's
 * schemas (src/connectors/ingest/to-domain.ts), gets it without being parsed a second time.
 */
export function withCustomerSentiment<
  T extends { sentiment?: number | undefined; direction: Direction; body?: string | undefined },
>(input: T): T {
  return input.sentiment === undefined && input.direction === "INBOUND" && input.body
    ? { ...input, sentiment: scoreSentiment(input.body) }
    : input;
}
export type RecordInteractionInput = z.input<typeof recordInteractionInputSchema>;
