// The customer filter (customer-filter.ts) as one SQL predicate over `"Customer"` under an alias,
// for the analyses that compute over a set of customers in one statement (a segment's persona, the
// feedback metrics of a segment, the daily membership counts). Every value is a bound parameter.
// It selects exactly the customers customerFilterConditions does.
import { Prisma } from "../../generated/prisma/client.ts";
import { type CustomerFilter, identityKindsReaching, isBounded } from "./customer-filter.ts";
import { type CustomerSearch, customerSearchSql } from "./search-customers.ts";

/** `alias` names the customer row: the predicate reads `alias."id"`, `alias."ownerId"`, … */
export function customerFilterSql(
  filter: CustomerFilter,
  alias: string,
  search: Omit<CustomerSearch, "text">,
): Prisma.Sql {
  const c = Prisma.raw(`"${alias}"`);
  const and: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (filter.search) and.push(customerSearchSql({ ...search, text: filter.search }, alias));
  if (filter.channel) {
    and.push(Prisma.sql`EXISTS (SELECT 1 FROM "Interaction" fi
      WHERE fi."customerId" = ${c}."id" AND fi."channel" = ${filter.channel}::"Channel")`);
  }
  if (filter.channels?.length) {
    const kinds = identityKindsReaching(filter.channels);
    and.push(Prisma.sql`(EXISTS (SELECT 1 FROM "Interaction" fi
      WHERE fi."customerId" = ${c}."id" AND fi."channel"::text = ANY(${filter.channels}::text[]))
      OR EXISTS (SELECT 1 FROM "Identity" fd
      WHERE fd."customerId" = ${c}."id" AND fd."kind"::text = ANY(${kinds}::text[])))`);
  }
  if (filter.lifecycleStages?.length) {
    and.push(Prisma.sql`${c}."lifecycleStage"::text = ANY(${filter.lifecycleStages}::text[])`);
  }
  if (filter.ownerId) and.push(Prisma.sql`${c}."ownerId" = ${filter.ownerId}::uuid`);
  if (filter.unowned != null) {
    and.push(filter.unowned ? Prisma.sql`${c}."ownerId" IS NULL` : Prisma.sql`${c}."ownerId" IS NOT NULL`);
  }
  if (isBounded(filter.firstSeen)) and.push(rangeSql(Prisma.sql`${c}."firstSeenAt"`, filter.firstSeen));
  if (isBounded(filter.lastSeen)) and.push(rangeSql(Prisma.sql`${c}."lastSeenAt"`, filter.lastSeen));
  if (filter.journeyStages?.length) {
    const stages = filter.journeyStages.map(
      (stage) => Prisma.sql`(fj."key" = ${stage.journeyKey} AND fs."key" = ${stage.stageKey})`,
    );
    and.push(Prisma.sql`EXISTS (SELECT 1 FROM "JourneyProgress" fp
      JOIN "Journey" fj ON fj."id" = fp."journeyId"
      JOIN "JourneyStage" fs ON fs."id" = fp."currentStageId"
      WHERE fp."customerId" = ${c}."id" AND (${Prisma.join(stages, " OR ")}))`);
  }
  const score: Prisma.Sql[] = [];
  if (filter.churnRiskLevels?.length) {
    // Cast to the enum, not the column to text: the planner then reads the column's statistics
    // instead of guessing 1%, and a large segment is hashed rather than probed a member at a time.
    score.push(Prisma.sql`fsc."churnRiskLevel" = ANY(${filter.churnRiskLevels}::"ChurnRiskLevel"[])`);
  }
  if (filter.minChurnRisk != null) score.push(Prisma.sql`fsc."churnRisk" >= ${filter.minChurnRisk}`);
  if (filter.maxChurnRisk != null) score.push(Prisma.sql`fsc."churnRisk" <= ${filter.maxChurnRisk}`);
  if (filter.minLifetimeValue != null) score.push(Prisma.sql`fsc."clv" >= ${filter.minLifetimeValue}`);
  if (filter.maxLifetimeValue != null) score.push(Prisma.sql`fsc."clv" <= ${filter.maxLifetimeValue}`);
  if (score.length > 0) {
    and.push(Prisma.sql`EXISTS (SELECT 1 FROM "Score" fsc
      WHERE fsc."customerId" = ${c}."id" AND ${Prisma.join(score, " AND ")})`);
  }
  return Prisma.sql`(${Prisma.join(and, " AND ")})`;
}

function rangeSql(column: Prisma.Sql, range: { from?: Date | undefined; to?: Date | undefined }) {
  // ISO strings keep their "Z": the driver adapters send a bare Date without a zone.
  const bounds: Prisma.Sql[] = [];
  if (range.from) bounds.push(Prisma.sql`${column} >= ${range.from.toISOString()}::timestamptz`);
  if (range.to) bounds.push(Prisma.sql`${column} < ${range.to.toISOString()}::timestamptz`);
  return Prisma.join(bounds, " AND ");
}
