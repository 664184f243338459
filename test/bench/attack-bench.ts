// The attacks of issue 14, timed on PostgreSQL with the demo data: `nodes` with 10,000 IDs, a customer
// search just under the request body limit (the search's own length bound answers it), bodies of 1 MB
// and 10 MB (the body limit answers them, unread), twelve concurrent 400 KB searches beside a tiny query,
// 2,000 random keys from one address (the failed-key limit answers 429), and an ordinary search (with its plan). Each request is abandoned after
// ATTACK_TIMEOUT_MS (default 60 s), and the bench database's statement_timeout ends its statement then
// too, so that a run on unbounded code does not hold a backend for minutes. ATTACK_SKIP_10MB=1 leaves
// out the 10 MB search (on unbounded code it cost minutes of a backend's CPU and 2 GB).
//   npx tsx test/bench/attack-bench.ts            (TEST_POSTGRES_URL names the server, as for the tests)
import { randomUUID } from "node:crypto";
import pg from "pg";
import { createApiKey } from "../../src/auth/api-keys.ts";
import { fromPostgresUrl } from "../../src/db/database.ts";
import { applyMigrations } from "../../src/db/migrations.ts";
import { loadDemoData } from "../../src/demo/load-demo-data.ts";
import {
  type CustomerSearch,
  displayNameLookup,
  identityLookup,
  SEARCH_ID_LIMIT,
} from "../../src/domain/customers/search-customers.ts";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { createLogger } from "../../src/logger.ts";
import { createHubYoga } from "../../src/server/create-yoga.ts";

const adminUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const timeoutMs = Number(process.env.ATTACK_TIMEOUT_MS ?? 60_000);
const name = `cxhub_attack_bench_${process.pid}`;

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const url = new URL(adminUrl);
url.pathname = `/${name}`;
await admin(`CREATE DATABASE "${name}"`);
await admin(`ALTER DATABASE "${name}" SET statement_timeout = ${timeoutMs}`);
const database = fromPostgresUrl(url.toString());
try {
  await applyMigrations(database.adapterFactory);
  await loadDemoData(database.prisma);
  const customers = await database.prisma.customer.count();
  const { key } = await createApiKey(database.prisma, {
    principal: { name: "Bench" },
    name: "bench",
    role: "ADMIN",
    scopes: ["pii"],
  });
  const yoga = createHubYoga({ database, logger: createLogger("silent") });
  const attack = async (
    label: string,
    query: string,
    variables: Record<string, unknown>,
    as: string = key,
  ): Promise<{ status: number; ms: number }> => {
    const started = performance.now();
    try {
      const response = await yoga.fetch("http://bench/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${as}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await response.json()) as {
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      };
      const error = body.errors?.[0];
      const outcome = error
        ? `${error.extensions?.code ?? "no code"}: ${error.message.slice(0, 90)}`
        : "answered";
      const ms = performance.now() - started;
      if (label) console.log(`${label}: ${ms.toFixed(0)} ms, HTTP ${response.status}, ${outcome}`);
      return { status: response.status, ms };
    } catch (error) {
      const ms = performance.now() - started;
      console.log(`${label || "a request"}: gave up after ${ms.toFixed(0)} ms (${(error as Error).name})`);
      return { status: 0, ms };
    }
  };
  console.log(`PostgreSQL, demo data: ${customers} customers`);
  const ids = Array.from({ length: 10_000 }, () =>
    Buffer.from(`Customer:${randomUUID()}`).toString("base64"),
  );
  await attack("nodes, 10,000 IDs", "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", { ids });
  const search =
    "query ($s: String) { customers(filter: { search: $s }) { totalCount edges { node { id } } } }";
  await attack("search, ordinary ('ann')", search, { s: "ann" });
  // Within the 1 MiB body limit, so that the search's own bound is what refuses it.
  await attack("search, 1,000,000 characters", search, { s: "a".repeat(1_000_000) });
  await attack("body, 1 MB", search, { s: "a".repeat(1024 * 1024) });
  if (!process.env.ATTACK_SKIP_10MB) await attack("body, 10 MB", search, { s: "a".repeat(10 * 1024 * 1024) });
  // Twelve searches of 400 KB at once (they exhausted the pool before the bound), and meanwhile the
  // smallest query there is: how long it waits behind them.
  const flood = Array.from({ length: 12 }, () => attack("", search, { s: "b".repeat(400 * 1024) }));
  const viewer = await attack(
    "{ viewer { role } } during 12 concurrent 400 KB searches",
    "{ viewer { role } }",
    {},
  );
  const flooded = await Promise.all(flood);
  console.log(
    `  the 12 searches: ${flooded.filter((r) => r.status === 200).length} answered 200 (refused in the body), slowest ${Math.max(...flooded.map((r) => r.ms)).toFixed(0)} ms; viewer took ${viewer.ms.toFixed(0)} ms`,
  );
  // Guessing keys from one address: how many of 2,000 random keys are tried before the limit answers 429.
  const guessesStarted = performance.now();
  const statuses = new Map<number, number>();
  for (let guess = 0; guess < 2000; guess++) {
    const { status } = await attack(
      "",
      "{ viewer { role } }",
      {},
      `cxh_${randomUUID().slice(0, 12)}_${"x".repeat(43)}`,
    );
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  console.log(
    `2,000 random keys from one address: ${(performance.now() - guessesStarted).toFixed(0)} ms, ${[...statuses].map(([status, count]) => `${count} × HTTP ${status}`).join(", ")}`,
  );
  // The search's two lookups (search-customers.ts), as the planner runs them at the demo's size, where
  // reading a few thousand rows beats any index; test/domain/customers/search-customers.db.test.ts
  // shows it choosing the trigram indexes at 100,000 customers.
  const ann: CustomerSearch = { text: "ann", identityKinds: ["EXTERNAL_ID"], namesWithContactDetails: true };
  for (const lookup of [displayNameLookup(ann, SEARCH_ID_LIMIT), identityLookup(ann, SEARCH_ID_LIMIT)]) {
    const plan = await database.prisma.$queryRaw<Array<{ "QUERY PLAN": string }>>(
      Prisma.sql`EXPLAIN ANALYZE ${lookup}`,
    );
    console.log(plan.map((row) => row["QUERY PLAN"]).join("\n"));
  }
} finally {
  await database.close();
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
