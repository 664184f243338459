// The baseline's at-risk list in one statement: an owner's live customers whose score is at one of the
// asked levels, by churn risk (ties by ID), with the total and each score's lifetime value, value at
// risk and reasons, shaped like the AtRiskCustomers answer. An account manager sees only their own.
import type pg from "pg";
import { maskFreeText } from "../../src/auth/mask.ts";
import { formatAmount } from "../../src/domain/money.ts";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { shownProbability } from "../../src/graph/probability.ts";
import type { ChurnReason, ChurnReasonValues } from "../../src/scoring/churn-factors.ts";
import { explainReasons } from "../../src/scoring/churn-reasons.ts";
import type { AtRiskCustomersQuery } from "../generated/graphql/graphql.ts";
import {
  BadRequest,
  type BaselineViewer,
  globalId,
  pageSize,
  refuseUnsupported,
  UUID,
  viewerOwner,
} from "./baseline-shared.ts";

const LEVELS = new Set(["LOW", "MEDIUM", "HIGH", "CRITICAL"]);

// The page walks the scores' churn-risk index ("churnRisk" DESC, "customerId" DESC), checking each
// customer's owner and level, until it has a page; the total counts every match. $2 is the viewer's
// own ID for an account manager, $4 the asked owner.
const MATCHES = `
  FROM "Score" s JOIN "Customer" c ON c.id = s."customerId"
 WHERE c."mergedIntoId" IS NULL AND s."churnRiskLevel"::text = ANY($3::text[])
   AND ($2::uuid IS NULL OR c."ownerId" = $2::uuid) AND ($4::uuid IS NULL OR c."ownerId" = $4::uuid)`;

const AT_RISK_SQL = `
  SELECT (SELECT count(*)::int ${MATCHES}) AS total, p.*
    FROM (SELECT 1) one
    LEFT JOIN (
      SELECT c.id, c."displayName", s."churnRisk", s."churnRiskLevel", s.clv::text AS clv,
             s."valueAtRisk"::text AS "valueAtRisk", s.currency, s.reasons,
             s."computedAt", row_number() OVER (ORDER BY s."churnRisk" DESC, s."customerId" DESC) AS position
        ${MATCHES}
       ORDER BY s."churnRisk" DESC, s."customerId" DESC
       LIMIT $1
    ) p ON TRUE
   ORDER BY p.position`;

interface AtRiskRow {
  total: number;
  id: string | null;
  displayName: string | null;
  churnRisk: number;
  churnRiskLevel: string;
  clv: string | null;
  valueAtRisk: string | null;
  currency: string | null;
  /** Values since reasons are stored as values; sentences in rows written before that. */
  reasons: Array<ChurnReasonValues | ChurnReason>;
  computedAt: Date;
}

type AtRiskNode = AtRiskCustomersQuery["customers"]["edges"][number]["node"];

const money = (amount: string | null, currency: string | null) =>
  amount !== null && currency !== null
    ? { amount: formatAmount(new Prisma.Decimal(amount), currency), currency }
    : null;

export async function atRiskCustomers(
  pool: pg.Pool,
  viewer: BaselineViewer,
  variables: Record<string, unknown>,
): Promise<AtRiskCustomersQuery> {
  refuseUnsupported(variables, ["after"]);
  const {
    levels = ["HIGH", "CRITICAL"],
    orderBy = "CHURN_RISK",
    direction = "DESC",
  } = variables as {
    levels?: string[];
    orderBy?: string;
    direction?: string;
  };
  if (orderBy !== "CHURN_RISK" || direction !== "DESC")
    throw new BadRequest("The baseline's at-risk list is ordered by churn risk, highest first, only.");
  if (!Array.isArray(levels) || !levels.every((level) => LEVELS.has(level)))
    throw new BadRequest("levels must be churn-risk levels.");
  const first = pageSize(variables.first, 20);
  const ownerId = ownerOf(variables.ownerId);
  const { rows } = await pool.query<AtRiskRow>(AT_RISK_SQL, [
    first + 1,
    viewerOwner(viewer),
    levels,
    ownerId,
  ]);
  const found = rows.filter((row): row is AtRiskRow & { id: string } => row.id !== null);
  const edges = found.slice(0, first).map((row) => ({
    node: {
      id: globalId("Customer", row.id),
      displayName: viewer.pii ? row.displayName : maskFreeText(row.displayName),
      score: {
        churnRisk: shownProbability(row.churnRisk),
        churnRiskLevel: row.churnRiskLevel as NonNullable<AtRiskNode["score"]>["churnRiskLevel"],
        lifetimeValue: money(row.clv, row.currency),
        valueAtRisk: money(row.valueAtRisk, row.currency),
        // Sentences are built when read, as of now, as the hub builds them (the same pure function).
        reasons: row.reasons.map((reason) => ({
          factor: reason.factor as NonNullable<AtRiskNode["score"]>["reasons"][number]["factor"],
          weight: shownProbability(reason.weight),
          explanation:
            "explanation" in reason
              ? reason.explanation
              : (explainReasons([reason], { now: new Date(), computedAt: row.computedAt })[0]
                  ?.explanation as string),
        })),
      },
    },
  }));
  const last = found.slice(0, first).at(-1);
  return {
    customers: {
      totalCount: rows[0]?.total ?? 0,
      pageInfo: {
        hasNextPage: found.length > first,
        endCursor: last ? Buffer.from(`GPC:S:${last.id}`).toString("base64") : null,
      },
      edges,
    },
  };
}

/** The owner filter's global Principal ID as a raw ID; none when not given. */
function ownerOf(ownerId: unknown): string | null {
  if (ownerId == null) return null;
  const [typename, id] = Buffer.from(String(ownerId), "base64").toString("utf8").split(":");
  if (typename !== "Principal" || !id || !UUID.test(id))
    throw new BadRequest("ownerId is not a Principal ID.");
  return id;
}
