// The customer list's commonest conditions as SQL, so that its count and its page's IDs can go
// straight to the driver (directSql) instead of through Prisma's client engine, which spent about
// 0.5 ms of CPU planning and mapping each of them (issue 15). Only the shapes the list builds for
// visibility, ownership, lifecycle stages, a search's matched IDs and score thresholds are read
// here; any other condition (a channel, a journey stage, a search too broad to list by ID) returns
// null and the caller asks Prisma, as before. Every value is a bound parameter.
import { Prisma } from "../../generated/prisma/client.ts";
import { isPlainObject, isStringList } from "./prisma-argument-shapes.ts";

type Fields = Record<string, unknown>;

/** `c` names the customer row. Null when any condition is not one of the shapes read here. */
export function customerWhereSql(conditions: Prisma.CustomerWhereInput[], c: string): Prisma.Sql | null {
  return allOf(conditions, (condition) => customerConditionSql(condition, Prisma.raw(`"${c}"`)));
}

/** `s` names the score row. Null when any condition is not one of the shapes read here. */
export function scoreWhereSql(conditions: Prisma.ScoreWhereInput[], s: string): Prisma.Sql | null {
  return allOf(conditions, (condition) => scoreConditionSql(condition, Prisma.raw(`"${s}"`)));
}

/** Every condition's SQL joined by AND (TRUE for none); null as soon as one has none. */
function allOf<Condition>(
  conditions: Condition[],
  toSql: (condition: Condition) => Prisma.Sql[] | null,
): Prisma.Sql | null {
  const and: Prisma.Sql[] = [];
  for (const condition of conditions) {
    const sql = toSql(condition);
    if (sql === null) return null;
    and.push(...sql);
  }
  return and.length ? Prisma.join(and, " AND ") : Prisma.sql`TRUE`;
}

function customerConditionSql(condition: Prisma.CustomerWhereInput, c: Prisma.Sql): Prisma.Sql[] | null {
  const and: Prisma.Sql[] = [];
  for (const [field, value] of Object.entries(condition as Fields)) {
    if (value === undefined) continue;
    switch (field) {
      case "mergedIntoId":
        if (value !== null) return null;
        and.push(Prisma.sql`${c}."mergedIntoId" IS NULL`);
        break;
      case "ownerId":
        if (typeof value === "string") and.push(Prisma.sql`${c}."ownerId" = ${value}::uuid`);
        else if (value === null) and.push(Prisma.sql`${c}."ownerId" IS NULL`);
        else if (isPlainObject(value) && Object.keys(value).length === 1 && value.not === null)
          and.push(Prisma.sql`${c}."ownerId" IS NOT NULL`);
        else return null;
        break;
      case "id":
        if (!isPlainObject(value) || Object.keys(value).length !== 1 || !isStringList(value.in)) return null;
        and.push(Prisma.sql`${c}."id" = ANY(${value.in}::uuid[])`);
        break;
      case "lifecycleStage":
        if (!isPlainObject(value) || Object.keys(value).length !== 1 || !isStringList(value.in)) return null;
        and.push(Prisma.sql`${c}."lifecycleStage"::text = ANY(${value.in}::text[])`);
        break;
      case "score": {
        if (!isPlainObject(value)) return null;
        const score = scoreConditionSql(value as Prisma.ScoreWhereInput, Prisma.raw(`"cws"`));
        if (score === null) return null;
        and.push(Prisma.sql`EXISTS (SELECT 1 FROM "Score" "cws"
          WHERE "cws"."customerId" = ${c}."id" AND ${score.length ? Prisma.join(score, " AND ") : Prisma.sql`TRUE`})`);
        break;
      }
      case "AND":
        if (!Array.isArray(value)) return null;
        for (const inner of value as Prisma.CustomerWhereInput[]) {
          const sql = customerConditionSql(inner, c);
          if (sql === null) return null;
          and.push(...sql);
        }
        break;
      default:
        return null;
    }
  }
  return and;
}

/** The comparisons the score thresholds use. */
const COMPARISONS: Record<string, string> = { gte: ">=", lte: "<=", gt: ">", lt: "<" };
/** The score's number columns, with the type their bound is compared as (so decimals stay exact). */
const SCORE_NUMBERS: Record<string, Prisma.Sql> = {
  churnRisk: Prisma.raw("float8"),
  clv: Prisma.raw("numeric"),
  valueAtRisk: Prisma.raw("numeric"),
};

function scoreConditionSql(condition: Prisma.ScoreWhereInput, s: Prisma.Sql): Prisma.Sql[] | null {
  const and: Prisma.Sql[] = [];
  for (const [field, value] of Object.entries(condition as Fields)) {
    if (value === undefined) continue;
    if (field === "churnRiskLevel") {
      if (!isPlainObject(value) || Object.keys(value).length !== 1 || !isStringList(value.in)) return null;
      // Sent as text[] and cast in SQL: PGlite encodes an array parameter only for the types it knew
      // when it opened, and on a new data folder the migrations create ChurnRiskLevel after that. The
      // column stays uncast, so the score indexes still serve the condition.
      and.push(Prisma.sql`${s}."churnRiskLevel" = ANY(${value.in}::text[]::"ChurnRiskLevel"[])`);
    } else if (Object.hasOwn(SCORE_NUMBERS, field)) {
      if (value === null) {
        and.push(Prisma.sql`${s}.${Prisma.raw(`"${field}"`)} IS NULL`);
        continue;
      }
      if (!isPlainObject(value)) return null;
      for (const [comparison, bound] of Object.entries(value)) {
        const operator = COMPARISONS[comparison];
        if (comparison === "not" && bound === null) {
          and.push(Prisma.sql`${s}.${Prisma.raw(`"${field}"`)} IS NOT NULL`);
          continue;
        }
        if (!operator || typeof bound !== "number") return null;
        and.push(
          Prisma.sql`${s}.${Prisma.raw(`"${field}"`)} ${Prisma.raw(operator)} ${bound}::${SCORE_NUMBERS[field]}`,
        );
      }
    } else return null;
  }
  return and;
}
