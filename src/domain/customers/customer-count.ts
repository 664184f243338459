// How many customers meet the list's conditions. Two counts are read from tallies that triggers keep
// (prisma/schema.prisma), so that they cost the same at any number of customers (issue 15): every live
// customer (the unfiltered list of a viewer who sees them all, CustomerTally) and the at-risk list's,
// an owner's (or everyone's) live customers at some churn risk levels (ChurnRiskTally). Any other
// condition counts the customers that meet it, which an index narrows.
import type { Db } from "../../db/database.ts";
import { directSql } from "../../db/direct-sql.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { ChurnRiskLevel } from "../../generated/prisma/enums.ts";
import { customerWhereSql } from "./customer-where-sql.ts";
import { isPlainObject, isStringList } from "./prisma-argument-shapes.ts";

/** The live customers' count: the sum of the tally's slots (none yet on an empty database). */
const LIVE_CUSTOMERS_SQL = Prisma.sql`(SELECT COALESCE(sum("live"), 0)::int FROM "CustomerTally")`;

/**
 * The at-risk list's count: the churn risk tally's slots of its levels (and owner). The levels go as
 * text[], cast in SQL: PGlite encodes an array parameter only for the types it knew when it started.
 */
function churnRiskCountSql({ ownerId, levels }: ChurnRiskCount): Prisma.Sql {
  const owner = ownerId === null ? Prisma.empty : Prisma.sql` AND "ownerKey" = ${ownerId}::uuid`;
  return Prisma.sql`(SELECT COALESCE(sum("customers"), 0)::int FROM "ChurnRiskTally"
    WHERE "level" = ANY(${levels}::text[]::"ChurnRiskLevel"[])${owner})`;
}

/**
 * An SQL expression (one int) of how many customers meet `where`, the customer row named `c` in it;
 * null when customer-where-sql.ts cannot read a condition.
 */
export function customerCountSql(where: Prisma.CustomerWhereInput[]): Prisma.Sql | null {
  if (isEveryLiveCustomer(where)) return LIVE_CUSTOMERS_SQL;
  const atRisk = liveByChurnRiskLevel(where);
  if (atRisk) return churnRiskCountSql(atRisk);
  const condition = customerWhereSql(where, "c");
  return condition && Prisma.sql`(SELECT count(*)::int FROM "Customer" c WHERE ${condition})`;
}

/** How many customers meet `where`: in SQL where customerCountSql reads it, through Prisma otherwise. */
export async function countCustomers(db: Db, where: Prisma.CustomerWhereInput[]): Promise<number> {
  const count = customerCountSql(where);
  if (count === null) return db.customer.count({ where: { AND: where } });
  const statement = Prisma.sql`SELECT ${count} AS "count"`;
  const [row] = await directSql(db).query<{ count: number }>(statement.text, statement.values);
  return row?.count ?? 0;
}

/**
 * Whether `where` says "live" and nothing else: `{ mergedIntoId: null }` at least once, with only
 * empty conditions (a viewer who sees every customer) and ANDs of the same beside it.
 */
export function isEveryLiveCustomer(where: Prisma.CustomerWhereInput[]): boolean {
  return readLiveConditions(where, { owner: false, levels: false }) !== null;
}

/**
 * Whether `where` says "live", and at most that the customers are one principal's (`{ ownerId }`, an
 * account manager's view or an owner filter): the unfiltered list of any viewer.
 */
export function isLiveOfOneOwnerAtMost(where: Prisma.CustomerWhereInput[]): boolean {
  return readLiveConditions(where, { owner: true, levels: false }) !== null;
}

/** The at-risk list's conditions: live customers at some churn risk levels, of one owner or of all. */
export interface ChurnRiskCount {
  /** The owner whose customers count; null for every owner's and nobody's. */
  ownerId: string | null;
  levels: ChurnRiskLevel[];
}

/**
 * `where` read as the at-risk list's conditions: "live", one principal's customers at most, and their
 * score's level among some (`{ score: { churnRiskLevel: { in } } }`, the filter's churnRiskLevels,
 * intersected when given twice); null for any other condition or when no level is named.
 */
export function liveByChurnRiskLevel(where: Prisma.CustomerWhereInput[]): ChurnRiskCount | null {
  const read = readLiveConditions(where, { owner: true, levels: true });
  if (read === null || read.levels === null) return null;
  return { ownerId: read.ownerId, levels: [...read.levels] };
}

const CHURN_RISK_LEVELS = new Set<string>(Object.values(ChurnRiskLevel));

/** `{ churnRiskLevel: { in: [levels] } }` and nothing else: its levels, or null. */
function churnRiskLevelsOf(score: unknown): Set<ChurnRiskLevel> | null {
  if (!isPlainObject(score) || Object.keys(score).length !== 1 || !isPlainObject(score.churnRiskLevel)) {
    return null;
  }
  const level = score.churnRiskLevel;
  if (Object.keys(level).length !== 1 || !isStringList(level.in)) return null;
  if (!level.in.every((name) => CHURN_RISK_LEVELS.has(name))) return null;
  return new Set(level.in as ChurnRiskLevel[]);
}

/**
 * `where` read as "live" and, where `allow` says, one owner at most and churn risk levels; null when
 * it says anything else or not "live".
 */
function readLiveConditions(
  where: Prisma.CustomerWhereInput[],
  allow: { owner: boolean; levels: boolean },
): { ownerId: string | null; levels: Set<ChurnRiskLevel> | null } | null {
  let live = false;
  const owners = new Set<string>();
  let levels: Set<ChurnRiskLevel> | null = null;
  const check = (conditions: unknown[]): boolean =>
    conditions.every((condition) => {
      if (!isPlainObject(condition)) return false;
      return Object.entries(condition).every(([field, value]) => {
        if (value === undefined) return true;
        if (field === "mergedIntoId" && value === null) {
          live = true;
          return true;
        }
        if (allow.owner && field === "ownerId" && typeof value === "string") {
          owners.add(value);
          return true;
        }
        if (allow.levels && field === "score") {
          const named = churnRiskLevelsOf(value);
          if (named === null) return false;
          levels = levels === null ? named : new Set([...levels].filter((level) => named.has(level)));
          return true;
        }
        return field === "AND" && Array.isArray(value) && check(value);
      });
    });
  if (!check(where) || !live || owners.size > 1) return null;
  return { ownerId: owners.values().next().value ?? null, levels };
}
