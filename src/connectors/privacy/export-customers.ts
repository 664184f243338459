// A privacy export: everything the hub holds on the customers a request names, as one JSON document
// (profile, identities, interactions, survey answers, journeys, scores, merges), for an admin to
// fetch from the PrivacyRequest row and hand to the person.
//
// The one place personal data leaves the hub unmasked by design, so the rule is explicit: the export
// is the data subject's own data, for the subject, and is stored whole (masking it would defeat the
// right of access). It names only the customers the request resolved to, and only an admin whose
// key has the `pii` scope reads it (PrivacyRequest.export); everyone else sees the counts. An
// erasure of the same customers deletes it.
import type { Db } from "../../db/database.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

export interface CustomerExport {
  generatedAt: string;
  customers: Prisma.JsonObject[];
}

export async function exportCustomers(
  db: Db,
  customerIds: string[],
  now = new Date(),
): Promise<CustomerExport> {
  const rows = await db.customer.findMany({
    where: { id: { in: customerIds } },
    orderBy: { id: "asc" },
    include: {
      identities: { orderBy: [{ kind: "asc" }, { namespace: "asc" }, { value: "asc" }] },
      interactions: { orderBy: { occurredAt: "asc" } },
      feedback: { orderBy: { respondedAt: "asc" } },
      journeyProgress: { include: { journey: true, currentStage: true } },
      score: true,
      mergedFrom: { select: { id: true, mergedAt: true } },
    },
  });
  const customers = rows.map((row) =>
    plain({
      id: row.id,
      displayName: row.displayName,
      traits: row.traits,
      lifecycleStage: row.lifecycleStage,
      firstSeenAt: row.firstSeenAt,
      lastSeenAt: row.lastSeenAt,
      createdAt: row.createdAt,
      mergedFrom: row.mergedFrom,
      identities: row.identities.map(({ kind, namespace, value, source, createdAt, lastSeenAt }) => ({
        kind,
        namespace,
        value,
        source,
        createdAt,
        lastSeenAt,
      })),
      interactions: row.interactions.map(({ customerId: _c, amount, ...fields }) => ({
        ...fields,
        amount: amount?.toString() ?? null,
      })),
      feedback: row.feedback.map(({ customerId: _c, ...fields }) => fields),
      journeys: row.journeyProgress.map((progress) => ({
        journey: progress.journey.key,
        stage: progress.currentStage.key,
        startedAt: progress.startedAt,
        stageEnteredAt: progress.stageEnteredAt,
        completedAt: progress.completedAt,
      })),
      score: row.score
        ? {
            churnRisk: row.score.churnRisk,
            churnRiskLevel: row.score.churnRiskLevel,
            reasons: row.score.reasons,
            probabilityAlive: row.score.probabilityAlive,
            clv: row.score.clv?.toString() ?? null,
            currency: row.score.currency,
            health: row.score.health,
            computedAt: row.score.computedAt,
          }
        : null,
    }),
  );
  return { generatedAt: now.toISOString(), customers };
}

/** Dates as ISO strings and nothing JSON cannot hold. */
function plain(value: unknown): Prisma.JsonObject {
  return JSON.parse(JSON.stringify(value)) as Prisma.JsonObject;
}
