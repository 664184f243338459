// Loads the demo dataset (see demo-dataset.ts) into a database, once: a second call finds it loaded
// and changes nothing. Writes happen in one transaction, so an interrupted load leaves no half dataset.
import type { PrismaClient } from "../db/database.ts";
import { readCdnowSample } from "./cdnow.ts";
import { ACCOUNT_MANAGERS, buildDemoDataset, DEMO_SOURCE } from "./demo-dataset.ts";
import { defineDemoJourneys } from "./demo-journeys.ts";

// Rows per createMany. Prisma's driver adapters keep their last 100 debug calls with their arguments
// (for error reports, even with DEBUG off), and each call here holds a whole statement: its SQL, a
// parameter per value and a type per parameter, about 16 MB at 2,000 rows. At 100 rows the demo held
// about 100 MB less, and loaded no slower into the embedded database.
const BATCH = 100;

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
  await prisma.$transaction(
    async (tx) => {
      await tx.principal.createMany({ data: dataset.principals });
      for (const rows of chunks(dataset.customers)) await tx.customer.createMany({ data: rows });
      for (const rows of chunks(dataset.identities)) await tx.identity.createMany({ data: rows });
      for (const rows of chunks(dataset.interactions)) await tx.interaction.createMany({ data: rows });
      for (const rows of chunks(dataset.feedback)) await tx.feedback.createMany({ data: rows });
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

function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let start = 0; start < rows.length; start += BATCH) yield rows.slice(start, start + BATCH);
}

function zeroCounts(): DemoLoadReport["counts"] {
  return { customers: 0, identities: 0, interactions: 0, feedback: 0, accountManagers: 0 };
}
