// The key the bench sends: an ADMIN key with the `pii` scope, created through the product's own
// createApiKey in the bench database. Keys of earlier runs are deleted first so they do not pile up.
import { createApiKey } from "../../src/auth/api-keys.ts";
import { fromPostgresUrl } from "../../src/db/database.ts";

const KEY_NAME = "npm run bench";

export async function createBenchApiKey(databaseUrl: string): Promise<string> {
  const database = fromPostgresUrl(databaseUrl);
  try {
    await database.prisma.apiKey.deleteMany({ where: { name: KEY_NAME } });
    const { key } = await createApiKey(database.prisma, {
      principal: { name: "Bench runner", email: "bench-runner@bench.cxhub.example" },
      name: KEY_NAME,
      role: "ADMIN",
      scopes: ["pii"],
    });
    return key;
  } finally {
    await database.close();
  }
}
