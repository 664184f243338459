// The keys the bench sends, created through the product's own createApiKey in the bench database:
// an ADMIN key with the `pii` scope for most scenarios, and an ACCOUNT_MANAGER key (without `pii`)
// of the owner with the most customers, for their at-risk list. Keys of earlier runs are deleted
// first so they do not pile up.
import { createApiKey } from "../../src/auth/api-keys.ts";
import { fromPostgresUrl } from "../../src/db/database.ts";

const KEY_NAME = "npm run bench";
const ACCOUNT_MANAGER_KEY_NAME = "npm run bench (account manager)";

export interface BenchKeys {
  admin: string;
  accountManager: string;
  /** The account manager's principal ID (raw, not global). */
  accountManagerId: string;
}

export async function createBenchApiKeys(databaseUrl: string): Promise<BenchKeys> {
  const database = fromPostgresUrl(databaseUrl);
  try {
    await database.prisma.apiKey.deleteMany({
      where: { name: { in: [KEY_NAME, ACCOUNT_MANAGER_KEY_NAME] } },
    });
    const { key } = await createApiKey(database.prisma, {
      principal: { name: "Bench runner", email: "bench-runner@bench.cxhub.example" },
      name: KEY_NAME,
      role: "ADMIN",
      scopes: ["pii"],
    });
    const [busiest] = await database.prisma.customer.groupBy({
      by: ["ownerId"],
      where: { ownerId: { not: null } },
      _count: { _all: true },
      orderBy: [{ _count: { ownerId: "desc" } }, { ownerId: "asc" }],
      take: 1,
    });
    if (!busiest?.ownerId) throw new Error("The bench database has no owned customers.");
    const accountManager = await createApiKey(database.prisma, {
      principal: { id: busiest.ownerId },
      name: ACCOUNT_MANAGER_KEY_NAME,
      role: "ACCOUNT_MANAGER",
      scopes: [],
    });
    return { admin: key, accountManager: accountManager.key, accountManagerId: busiest.ownerId };
  } finally {
    await database.close();
  }
}
