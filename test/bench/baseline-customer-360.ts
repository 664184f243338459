// The baseline's customer 360 view in one statement: the profile (a merged-away id followed to its
// survivor), owner, identities, the last five survey answers with their count, journeys, and the first
// timeline page merging interactions and survey answers newest first, shaped like the Customer360 answer.
import type pg from "pg";
import { currencyMinorUnits } from "../../src/domain/money.ts";
import type { Customer360Query } from "../generated/graphql/graphql.ts";
import {
  BadRequest,
  type BaselineViewer,
  globalId,
  iso,
  maskIdentity,
  pageSize,
  refuseUnsupported,
  UUID,
  viewerOwner,
} from "./baseline-shared.ts";

const CUSTOMER_360_SQL = `
  SELECT c.id, c."displayName", c."lifecycleStage", c.traits,
         ${iso(`c."firstSeenAt"`)} AS "firstSeenAt", ${iso(`c."lastSeenAt"`)} AS "lastSeenAt",
         ${iso(`c."createdAt"`)} AS "createdAt",
         o.id AS "ownerId", o.name AS "ownerName",
         (SELECT json_agg(json_build_object('kind', i.kind, 'namespace', i.namespace, 'value', i.value,
                                            'lastSeenAt', ${iso(`i."lastSeenAt"`)}) ORDER BY i.kind, i.value)
            FROM "Identity" i WHERE i."customerId" = c.id) AS identities,
         (SELECT count(*)::int FROM "Feedback" f WHERE f."customerId" = c.id) AS "feedbackCount",
         (SELECT json_agg(json_build_object('id', f.id, 'measure', f.kind, 'score', f.score, 'comment', f.comment,
                                            'respondedAt', ${iso(`f."respondedAt"`)}) ORDER BY f."respondedAt" DESC, f.id DESC)
            FROM (SELECT * FROM "Feedback" f WHERE f."customerId" = c.id
                   ORDER BY f."respondedAt" DESC, f.id DESC LIMIT 5) f) AS feedback,
         (SELECT json_agg(json_build_object(
                   'journeyKey', j.key, 'journeyName', j.name,
                   'currentStage', json_build_object('key', s.key, 'name', s.name),
                   'stageEnteredAt', ${iso(`jp."stageEnteredAt"`)},
                   'timeInStageSeconds', CASE WHEN jp."completedAt" IS NOT NULL THEN 0
                     ELSE greatest(0, floor(extract(epoch FROM clock_timestamp() - jp."stageEnteredAt")))::int END,
                   'completedAt', ${iso(`jp."completedAt"`)},
                   'transitions', (SELECT coalesce(json_agg(json_build_object(
                                       'fromStageKey', fs.key, 'toStageKey', ts.key,
                                       'occurredAt', ${iso(`t."occurredAt"`)}) ORDER BY t."occurredAt", t.id), '[]')
                                     FROM "JourneyTransition" t
                                     LEFT JOIN "JourneyStage" fs ON fs.id = t."fromStageId"
                                     JOIN "JourneyStage" ts ON ts.id = t."toStageId"
                                    WHERE t."progressId" = jp.id)) ORDER BY j.key)
            FROM "JourneyProgress" jp
            JOIN "Journey" j ON j.id = jp."journeyId"
            JOIN "JourneyStage" s ON s.id = jp."currentStageId"
           WHERE jp."customerId" = c.id) AS journeys,
         -- Newest first across both tables: each side's newest $3 rows, merged, cut to $3.
         (SELECT json_agg(e.entry ORDER BY e.at DESC, e.id DESC) FROM (
            SELECT * FROM (
              (SELECT x.id, x."occurredAt" AS at, json_build_object('__typename', 'Interaction', 'id', x.id,
                        'channel', x.channel, 'kind', x.kind, 'direction', x.direction, 'summary', x.summary,
                        'body', x.body, 'sentiment', x.sentiment, 'amount', trim_scale(x.amount)::text,
                        'currency', x.currency, 'at', ${iso(`x."occurredAt"`)}) AS entry
                 FROM "Interaction" x WHERE x."customerId" = c.id
                ORDER BY x."occurredAt" DESC, x.id DESC LIMIT $3)
              UNION ALL
              (SELECT f.id, f."respondedAt", json_build_object('__typename', 'Feedback', 'id', f.id,
                        'kind', f.kind, 'score', f.score, 'comment', f.comment,
                        'at', ${iso(`f."respondedAt"`)})
                 FROM "Feedback" f WHERE f."customerId" = c.id
                ORDER BY f."respondedAt" DESC, f.id DESC LIMIT $3)
            ) u ORDER BY u.at DESC, u.id DESC LIMIT $3) e) AS timeline
    FROM "Customer" c
    LEFT JOIN "Principal" o ON o.id = c."ownerId"
   -- A merged-away id resolves to its survivor (merges re-point, so one hop is all there is).
   WHERE c.id = (SELECT coalesce(m."mergedIntoId", m.id) FROM "Customer" m WHERE m.id = $1::uuid)
     AND ($2::uuid IS NULL OR c."ownerId" = $2::uuid)`;

type Customer360 = NonNullable<Customer360Query["customer"]>;

interface TimelineJson {
  __typename: "Interaction" | "Feedback";
  id: string;
  at: string;
  kind: string;
  channel?: string;
  direction?: string;
  summary?: string | null;
  body?: string | null;
  sentiment?: number | null;
  amount?: string | null;
  currency?: string | null;
  score?: number;
  comment?: string | null;
}

/** The profile's own columns as the page reads them (timestamps as strings); the peer's mapping shares it. */
export interface CustomerProfileColumns {
  displayName: string | null;
  lifecycleStage: string;
  traits: Record<string, unknown>;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  createdAt: string;
}

interface CustomerRow extends CustomerProfileColumns {
  id: string;
  ownerId: string | null;
  ownerName: string | null;
  identities: Customer360["identities"] | null;
  feedbackCount: number;
  feedback: Array<Customer360["feedback"]["edges"][number]["node"]> | null;
  journeys: Customer360["journeys"] | null;
  timeline: TimelineJson[] | null;
}

export async function customer360(
  pool: pg.Pool,
  viewer: BaselineViewer,
  variables: Record<string, unknown>,
): Promise<Customer360Query> {
  refuseUnsupported(variables, ["identity", "timelineAfter"]);
  const id = customerIdOf(variables.id);
  const first = pageSize(variables.timelineFirst, 20);
  const { rows } = await pool.query<CustomerRow>(CUSTOMER_360_SQL, [id, viewerOwner(viewer), first + 1]);
  const row = rows[0];
  if (!row) return { customer: null };
  const entries = row.timeline ?? [];
  const edges = entries.slice(0, first).map((entry) => ({
    cursor: Buffer.from(`${entry.at}|${entry.id}`).toString("base64url"),
    node: timelineNode(viewer, entry),
  }));
  return {
    customer: {
      id: globalId("Customer", row.id),
      displayName: row.displayName,
      lifecycleStage: row.lifecycleStage as Customer360["lifecycleStage"],
      traits: row.traits,
      firstSeenAt: row.firstSeenAt,
      lastSeenAt: row.lastSeenAt,
      createdAt: row.createdAt,
      owner:
        row.ownerId && row.ownerName ? { id: globalId("Principal", row.ownerId), name: row.ownerName } : null,
      identities: (row.identities ?? []).map((identity) => maskIdentity(viewer, identity)),
      feedback: {
        totalCount: row.feedbackCount,
        edges: (row.feedback ?? []).map((node) => ({
          node: { ...node, id: globalId("Feedback", node.id), comment: viewer.pii ? node.comment : null },
        })),
      },
      journeys: row.journeys ?? [],
      timeline: {
        pageInfo: { hasNextPage: entries.length > first, endCursor: edges.at(-1)?.cursor ?? null },
        edges,
      } as Customer360["timeline"],
    },
  };
}

function customerIdOf(value: unknown): string {
  const [typename, id] = typeof value === "string" ? Buffer.from(value, "base64").toString().split(":") : [];
  if (typename !== "Customer" || !id || !UUID.test(id))
    throw new BadRequest("id is not the ID of a Customer.");
  return id;
}

function timelineNode(viewer: BaselineViewer, entry: TimelineJson) {
  if (entry.__typename === "Feedback") {
    return {
      __typename: "Feedback" as const,
      id: globalId("Feedback", entry.id),
      measure: entry.kind,
      score: entry.score,
      comment: viewer.pii ? (entry.comment ?? null) : null,
      respondedAt: entry.at,
    };
  }
  return {
    __typename: "Interaction" as const,
    id: globalId("Interaction", entry.id),
    channel: entry.channel,
    kind: entry.kind,
    direction: entry.direction,
    occurredAt: entry.at,
    summary: entry.summary ?? null,
    body: viewer.pii ? (entry.body ?? null) : null,
    sentiment: entry.sentiment ?? null,
    amount:
      entry.amount != null && entry.currency != null
        ? { amount: withMinorUnits(entry.amount, entry.currency), currency: entry.currency }
        : null,
  };
}

/** "11.7" USD → "11.70": at least the currency's usual decimals, never fewer than were stored. */
export function withMinorUnits(amount: string, currency: string): string {
  const [whole, fraction = ""] = amount.split(".");
  const digits = Math.max(currencyMinorUnits(currency), fraction.length);
  return digits === 0 ? (whole ?? amount) : `${whole}.${fraction.padEnd(digits, "0")}`;
}
