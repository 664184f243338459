// The shape of a journey definition — its key, name and ordered stages, each entered by interaction
// kinds — validated before anything is written, so that a journey in the database is always one a
// customer can actually move through.
import { z } from "zod";

/** Lower-case words joined by single hyphens: `onboarding`, `first-purchase`. */
export const slugSchema = z
  .string()
  .max(64, "must be at most 64 characters")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be a lower-case slug such as `first-purchase`");

/** An interaction kind as recorded on Interaction.kind (`order.placed`); matched exactly. */
export const interactionKindSchema = z
  .string()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters")
  .regex(/^\S+$/, "must not contain spaces (interaction kinds look like `order.placed`)");

export const journeyStageInputSchema = z.object({
  key: slugSchema,
  name: z.string().trim().min(1, "must not be empty").max(200),
  enteredBy: z
    .array(interactionKindSchema)
    .min(1, "needs at least one interaction kind that moves a customer into the stage"),
});

/**
 * The stages in order. Keys are unique (a stage keeps its identity, and customers' progress, by its
 * key), and an interaction kind enters one stage only: otherwise one interaction would have to move a
 * customer to two places at once.
 */
export const journeyStagesSchema = z
  .array(journeyStageInputSchema)
  .min(1, "a journey needs at least one stage")
  .max(30, "a journey has at most 30 stages")
  .superRefine((stages, context) => {
    const keys = new Map<string, number>();
    const kinds = new Map<string, string>();
    stages.forEach((stage, index) => {
      const earlier = keys.get(stage.key);
      if (earlier !== undefined) {
        context.addIssue({
          code: "custom",
          path: [index, "key"],
          message: `stage key "${stage.key}" is already used by stage ${earlier}; give each stage its own key`,
        });
      } else {
        keys.set(stage.key, index);
      }
      stage.enteredBy.forEach((kind, kindIndex) => {
        const owner = kinds.get(kind);
        if (owner !== undefined) {
          context.addIssue({
            code: "custom",
            path: [index, "enteredBy", kindIndex],
            message: `"${kind}" already enters stage "${owner}"; an interaction kind may enter only one stage of a journey`,
          });
        } else {
          kinds.set(kind, stage.key);
        }
      });
    });
  });

export const journeyDefinitionSchema = z.object({
  key: slugSchema,
  name: z.string().trim().min(1, "must not be empty").max(200),
  description: z.string().trim().max(2000).nullish(),
  active: z.boolean().default(true),
  stages: journeyStagesSchema,
});
export type JourneyDefinitionInput = z.input<typeof journeyDefinitionSchema>;
export type JourneyDefinition = z.output<typeof journeyDefinitionSchema>;

/**
 * A change to an existing journey (named by its key, which does not change). Omitted fields keep
 * their value; `description: null` clears it; `stages`, when given, is the complete new list.
 */
export const journeyUpdateSchema = z.object({
  name: z.string().trim().min(1, "must not be empty").max(200).optional(),
  description: z.string().trim().max(2000).nullish(),
  active: z.boolean().optional(),
  stages: journeyStagesSchema.optional(),
});
export type JourneyUpdateInput = z.input<typeof journeyUpdateSchema>;
export type JourneyUpdate = z.output<typeof journeyUpdateSchema>;
