// The input of submitFeedback. Its field rules and the answer scale of each survey kind are the
// SDK's (src/sdk/record-fields.ts, src/sdk/vocabulary.ts), which connector records are validated
// with too; here they take the hub's upper-case enums and name the customer, the source and the
// interaction the survey followed.
import { z } from "zod";
import { Channel, FeedbackKind } from "../../generated/prisma/enums.ts";
import { feedbackFields } from "../../sdk/record-fields.ts";
import { feedbackScoreProblem, type FeedbackKind as SdkFeedbackKind } from "../../sdk/vocabulary.ts";
import { customerReferenceSchema } from "../identities/identity-input.ts";
import type { SameSet } from "../same-set.ts";

// The SDK's survey kinds are the database enum in lower case, both ways: this fails to type-check
// when a kind is added to one and not the other.
true satisfies SameSet<Uppercase<SdkFeedbackKind>, FeedbackKind>;

export const submitFeedbackInputSchema = z
  .object({
    customer: customerReferenceSchema,
    source: z.string().trim().min(1, "Name the source that reports this answer.").max(200),
    externalId: feedbackFields.externalId,
    kind: z.enum(FeedbackKind),
    score: feedbackFields.score,
    comment: feedbackFields.comment,
    /** The channel the survey was answered on. */
    channel: z.enum(Channel).optional(),
    touchpoint: feedbackFields.touchpoint,
    /** The interaction the survey followed, when known. */
    interactionId: z.uuid("interactionId must be an interaction id (a UUID).").optional(),
    sentiment: feedbackFields.sentiment,
    respondedAt: feedbackFields.respondedAt,
    /** The source's own version of the answer: an older version than the stored one is skipped as stale. */
    sourceUpdatedAt: feedbackFields.sourceUpdatedAt,
  })
  .superRefine((answer, ctx) => {
    const problem = feedbackScoreProblem(answer.kind.toLowerCase() as SdkFeedbackKind, answer.score);
    if (problem) ctx.addIssue({ code: "custom", path: ["score"], message: problem });
  });
export type SubmitFeedbackInput = z.input<typeof submitFeedbackInputSchema>;
