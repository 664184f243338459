// The customer list's filter as data: what the `customers(filter:)` argument and a saved segment
// both hold, validated here, and its conditions as Prisma `where`s (the list pages with them). Its
// SQL form, for the set-based analyses, is customer-filter-sql.ts; the two must select the same
// customers, and test/domain/segments checks that they do on one population.
import { z } from "zod";
import type { Prisma } from "../../generated/prisma/client.ts";
import { Channel, ChurnRiskLevel, IdentityKind, LifecycleStage } from "../../generated/prisma/enums.ts";

/** The longest search text: longer text names no customer, and costs the trigram index more. */
export const MAX_FILTER_SEARCH_LENGTH = 200;

const dateRange = z
  .object({ from: z.coerce.date().optional(), to: z.coerce.date().optional() })
  .strict()
  .refine((range) => !range.from || !range.to || range.from < range.to, {
    message: "from must be before to (to is exclusive)",
  });

const unitInterval = z.number().min(0, "lies between 0 and 1").max(1, "lies between 0 and 1");

export const journeyStageRefSchema = z
  .object({
    journeyKey: z.string().min(1, "names a journey by its key"),
    stageKey: z.string().min(1, "names a stage of that journey by its key"),
  })
  .strict();
export type JourneyStageRef = z.infer<typeof journeyStageRefSchema>;

/** Every condition must hold; an absent or empty one is no condition. */
export const customerFilterSchema = z
  .object({
    search: z.string().trim().max(MAX_FILTER_SEARCH_LENGTH).optional(),
    /** At least one interaction on this channel. */
    channel: z.enum(Channel).optional(),
    /** An interaction on any of these channels, or an identity that reaches one (CHANNEL_OF_IDENTITY). */
    channels: z.array(z.enum(Channel)).max(8).optional(),
    lifecycleStages: z.array(z.enum(LifecycleStage)).max(8).optional(),
    ownerId: z.uuid().optional(),
    unowned: z.boolean().optional(),
    firstSeen: dateRange.optional(),
    lastSeen: dateRange.optional(),
    churnRiskLevels: z.array(z.enum(ChurnRiskLevel)).max(4).optional(),
    minChurnRisk: unitInterval.optional(),
    maxChurnRisk: unitInterval.optional(),
    minLifetimeValue: z.number().min(0, "a lifetime value is 0 or more").optional(),
    maxLifetimeValue: z.number().min(0, "a lifetime value is 0 or more").optional(),
    /** Customers whose current stage, in its journey, is any of these. */
    journeyStages: z.array(journeyStageRefSchema).max(30).optional(),
  })
  .strict()
  .superRefine((filter, context) => {
    const inverted = (min: number | undefined, max: number | undefined, path: string) => {
      if (min !== undefined && max !== undefined && min > max)
        context.addIssue({ code: "custom", path: [path], message: `is below the minimum (${min})` });
    };
    inverted(filter.minChurnRisk, filter.maxChurnRisk, "maxChurnRisk");
    inverted(filter.minLifetimeValue, filter.maxLifetimeValue, "maxLifetimeValue");
  });
export type CustomerFilterInput = z.input<typeof customerFilterSchema>;
export type CustomerFilter = z.output<typeof customerFilterSchema>;

/**
 * The channel an identity reaches a customer on: an email address the EMAIL channel, a phone the
 * PHONE channel, a social handle SOCIAL, a shop's customer id ECOMMERCE. An external id names a
 * record in some system, not a channel.
 */
export const CHANNEL_OF_IDENTITY: Partial<Record<IdentityKind, Channel>> = {
  [IdentityKind.EMAIL]: Channel.EMAIL,
  [IdentityKind.PHONE]: Channel.PHONE,
  [IdentityKind.SOCIAL_HANDLE]: Channel.SOCIAL,
  [IdentityKind.SHOP_CUSTOMER_ID]: Channel.ECOMMERCE,
};

/** The identity kinds that reach a customer on any of these channels. */
export function identityKindsReaching(channels: readonly Channel[]): IdentityKind[] {
  return (Object.entries(CHANNEL_OF_IDENTITY) as Array<[IdentityKind, Channel]>)
    .filter(([, channel]) => channels.includes(channel))
    .map(([kind]) => kind);
}

/** A filter's conditions, split so that a list ordered by a score column reads the score's index. */
export interface CustomerConditions {
  customer: Prisma.CustomerWhereInput[];
  score: Prisma.ScoreWhereInput[];
}

/**
 * The filter as Prisma conditions. The search is the caller's (`search(text)`): who may find a
 * customer by what depends on who asks, and the list answers it through a per-request loader.
 */
export async function customerFilterConditions(
  filter: CustomerFilter,
  search: (text: string) => Promise<Prisma.CustomerWhereInput>,
): Promise<CustomerConditions> {
  const and: Prisma.CustomerWhereInput[] = [];
  if (filter.search) and.push(await search(filter.search));
  if (filter.channel) and.push({ interactions: { some: { channel: filter.channel } } });
  if (filter.channels?.length) {
    const kinds = identityKindsReaching(filter.channels);
    and.push({
      OR: [
        { interactions: { some: { channel: { in: filter.channels } } } },
        ...(kinds.length ? [{ identities: { some: { kind: { in: kinds } } } }] : []),
      ],
    });
  }
  if (filter.lifecycleStages?.length) and.push({ lifecycleStage: { in: filter.lifecycleStages } });
  if (filter.ownerId) and.push({ ownerId: filter.ownerId });
  if (filter.unowned != null) and.push({ ownerId: filter.unowned ? null : { not: null } });
  if (isBounded(filter.firstSeen)) and.push({ firstSeenAt: rangeWhere(filter.firstSeen) });
  if (isBounded(filter.lastSeen)) and.push({ lastSeenAt: rangeWhere(filter.lastSeen) });
  if (filter.journeyStages?.length) {
    and.push({
      journeyProgress: {
        some: {
          OR: filter.journeyStages.map((stage) => ({
            journey: { key: stage.journeyKey },
            currentStage: { key: stage.stageKey },
          })),
        },
      },
    });
  }
  const score: Prisma.ScoreWhereInput[] = [];
  if (filter.churnRiskLevels?.length) score.push({ churnRiskLevel: { in: filter.churnRiskLevels } });
  if (filter.minChurnRisk != null) score.push({ churnRisk: { gte: filter.minChurnRisk } });
  if (filter.maxChurnRisk != null) score.push({ churnRisk: { lte: filter.maxChurnRisk } });
  if (filter.minLifetimeValue != null) score.push({ clv: { gte: filter.minLifetimeValue } });
  if (filter.maxLifetimeValue != null) score.push({ clv: { lte: filter.maxLifetimeValue } });
  return { customer: and, score };
}

type DateRange = { from?: Date | undefined; to?: Date | undefined };

/** Whether a range bounds anything: an open range is no condition (and keeps customers never seen). */
export function isBounded(range: DateRange | undefined): range is DateRange {
  return Boolean(range?.from || range?.to);
}

function rangeWhere(range: DateRange) {
  return { ...(range.from && { gte: range.from }), ...(range.to && { lt: range.to }) };
}

/** Both halves as one condition on the customer (for counts and plain finds). */
export function conditionsWhere(conditions: CustomerConditions): Prisma.CustomerWhereInput {
  return { AND: [...conditions.customer, ...conditions.score.map((score) => ({ score }))] };
}
