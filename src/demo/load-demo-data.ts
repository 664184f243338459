// Loads the demo dataset (see demo-dataset.ts) into a database, once: a second call finds it loaded
// and changes nothing. Writes happen in one transaction, so an interrupted load leaves no half dataset.
// The rows go in as JSON documents (insert-json-rows.ts), not through createMany: the demo is
// `npm run demo`'s first minute, and createMany's per-value work made it the process's memory peak.
import type { PrismaClient } from "../db/database.ts";
import { insertJsonRows } from "../db/insert-json-rows.ts";
import { runTransaction, transactionSql } from "../db/transaction-sql.ts";
import { uuidv7 } from "../db/uuid-v7.ts";
import { readCdnowSample } from "./cdnow.ts";
import { ACCOUNT_MANAGERS, buildDemoDataset, DEMO_SOURCE } from "./demo-dataset.ts";
import { defineDemoJourneys } from "./demo-journeys.ts";

export interface DemoLoadReport {
  alreadyLoaded: boolean;
  counts: {
    customers: number;
    identities: number;
    interactions: number;
    feedback: number;
    accountManagers: number;
  };
  summary: string;
}

export async function loadDemoData(
  prisma: PrismaClient,
  options: { now?: Date } = {},
): Promise<DemoLoadReport> {
  const existing = await prisma.interaction.count({ where: { source: DEMO_SOURCE }, take: 1 });
  if (existing > 0 || (await prisma.principal.count({ where: { email: ACCOUNT_MANAGERS[0]?.email } })) > 0) {
    return { alreadyLoaded: true, counts: zeroCounts(), summary: "already loaded" };
  }
  const dataset = buildDemoDataset(await readCdnowSample(), options);
  const loadedAt = options.now ?? new Date();
  await runTransaction(
    prisma,
    async (tx) => {
      const sql = transactionSql(tx);
      // The values Prisma's client would have filled in: uuid(7) ids and the customers' updatedAt.
      await insertJsonRows(sql, "Principal", dataset.principals.map(withId));
      await insertJsonRows(
        sql,
        "Customer",
        dataset.customers.map((row) => ({ updatedAt: loadedAt, ...withId(row) })),
      );
      await insertJsonRows(sql, "Identity", dataset.identities.map(withId));
      await insertJsonRows(sql, "Interaction", dataset.interactions.map(withId));
      await insertJsonRows(sql, "Feedback", dataset.feedback.map(withId));
    },
    { timeout: 300_000, maxWait: 10_000 },
  );
  // Planner statistics for the rows just loaded: what autovacuum would do, and the embedded database
  // has no autovacuum.
  await prisma.$executeRaw`ANALYZE`;
  const journeys = await defineDemoJourneys(prisma);
  const counts = {
    customers: dataset.customers.length,
    identities: dataset.identities.length,
    interactions: dataset.interactions.length,
    feedback: dataset.feedback.length,
    accountManagers: dataset.principals.length,
  };
  return {
    alreadyLoaded: false,
    counts,
    summary: `${counts.customers} customers with ${counts.identities} identities, ${counts.interactions} interactions and ${counts.feedback} survey answers, owned by ${counts.accountManagers} account managers; journeys ${journeys.join(" and ")}`,
  };
}

function withId<Row extends { id?: string }>(row: Row): Row & { id: string } {
  return { ...row, id: row.id ?? uuidv7() };
}

function zeroCounts(): DemoLoadReport["counts"] {
  return { customers: 0, identities: 0, interactions: 0, feedback: 0, accountManagers: 0 };
}
