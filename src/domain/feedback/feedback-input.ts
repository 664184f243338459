// The input of submitFeedback and the answer scale of each survey kind. Pure schemas, shared with
// the connector SDK.
import { z } from "zod";
import { Channel, FeedbackKind } from "../../generated/prisma/enums.ts";
import { customerReferenceSchema } from "../identities/identity-input.ts";
import { instantSchema, sentimentSchema } from "../interactions/interaction-input.ts";

/** The answer scale of each survey kind (the standard ones; a check constraint in SQL agrees). */
export const FEEDBACK_SCORE_RANGES: Record<FeedbackKind, { min: number; max: number; name: string }> = {
  NPS: { min: 0, max: 10, name: "An NPS score" },
  CSAT: { min: 1, max: 5, name: "A CSAT score" },
  CES: { min: 1, max: 7, name: "A CES score" },
};

export const submitFeedbackInputSchema = z
  .object({
    customer: customerReferenceSchema,
    source: z.string().trim().min(1, "Name the source that reports this answer.").max(200),
    externalId: z.string().trim().min(1, "Give the answer's id at its source.").max(500),
    kind: z.enum(FeedbackKind),
    score: z.number().int("A score is a whole number."),
    comment: z.string().max(10_000).optional(),
    /** The channel the survey was answered on. */
    channel: z.enum(Channel).optional(),
    /** What the answer is about: `checkout`, `support.ticket.closed`, … */
    touchpoint: z.string().trim().min(1).max(200).optional(),
    /** The interaction the survey followed, when known. */
    interactionId: z.uuid("interactionId must be an interaction id (a UUID).").optional(),
    sentiment: sentimentSchema.optional(),
    respondedAt: instantSchema,
  })
  .superRefine((answer, ctx) => {
    const range = FEEDBACK_SCORE_RANGES[answer.kind];
    if (answer.score < range.min || answer.score > range.max) {
      ctx.addIssue({
        code: "custom",
        path: ["score"],
        message: `${range.name} is a whole number from ${range.min} to ${range.max}; got ${answer.score}.`,
      });
    }
  });
export type SubmitFeedbackInput = z.input<typeof submitFeedbackInputSchema>;
