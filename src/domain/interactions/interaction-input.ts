// The input of recordInteraction. Its field rules are the SDK's (src/sdk/record-fields.ts), which
// connector records are validated with too; here they take the hub's upper-case enums and name the
// customer and the source, which a connector's records get from the hub.
import { z } from "zod";
import { Channel, Direction } from "../../generated/prisma/enums.ts";
import { interactionFields } from "../../sdk/record-fields.ts";
import type { Channel as SdkChannel, Direction as SdkDirection } from "../../sdk/vocabulary.ts";
import { customerReferenceSchema } from "../identities/identity-input.ts";
import type { SameSet } from "../same-set.ts";

// The SDK's channels and directions are the database enums in lower case, both ways: these fail to
// type-check when a value is added to one and not the other.
true satisfies SameSet<Uppercase<SdkChannel>, Channel>;
true satisfies SameSet<Uppercase<SdkDirection>, Direction>;

export const recordInteractionInputSchema = z.object({
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
});
export type RecordInteractionInput = z.input<typeof recordInteractionInputSchema>;
