// Two server processes (src/main.ts, as `npm start` runs it) on one PostgreSQL database and one
// Redis: an interaction recorded through the first raises an alert that the account manager
// subscribed to the second receives exactly once. Both dispatchers race for the alert; Redis carries
// it between the processes. PostgreSQL only: an embedded data folder cannot be shared by two processes.
import { randomBytes } from "node:crypto";
import { print } from "graphql";
import { afterAll, describe, expect, inject, test } from "vitest";
import { encodeStreamCursor } from "../../src/alerts/stream-cursor.ts";
import { createApiKey } from "../../src/auth/api-keys.ts";
import { type Database, fromPostgresUrl } from "../../src/db/database.ts";
import { ChurnRiskAlertsDocument, RecordInteractionDocument } from "../generated/graphql/graphql.ts";
import { copyOfTemplate } from "../helpers/postgres-test-databases.ts";
import { type RunningHub, startHub } from "../helpers/run-hub.ts";
import { upsertCustomer } from "../helpers/writes.ts";
import { subscribeOverWebSocket } from "./helpers/live-hub.ts";

const onPostgres = inject("databaseKind") === "postgres";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(!onPostgres)("two server instances on PostgreSQL and Redis", () => {
  test("an alert raised through one instance reaches a subscriber of the other, exactly once", {
    timeout: 120_000,
  }, async () => {
    const copy = await copyOfTemplate("two");
    const url = copy.url;
    const database: Database = fromPostgresUrl(url);
    cleanups.push(() => copy.drop());
    cleanups.push(() => database.close());

    const admin = await createApiKey(database.prisma, {
      principal: { name: "Ops" },
      name: "ops",
      role: "ADMIN",
    });
    const manager = await createApiKey(database.prisma, {
      principal: { name: "Ana Souza", email: "ana@example.com" },
      name: "alerts page",
      role: "ACCOUNT_MANAGER",
    });
    const customers = [];
    for (const email of ["first@example.com", "second@example.com"]) {
      const { customer } = await upsertCustomer(database.prisma, {
        identities: [{ kind: "EMAIL", value: email }],
      });
      await database.prisma.customer.update({
        where: { id: customer.id },
        data: { ownerId: manager.principal.id },
      });
      customers.push(customer);
    }

    // A channel prefix of this run's own: other test runs share the machine's Redis.
    const env = {
      DATABASE_URL: url,
      REDIS_URL,
      CXHUB_REDIS_CHANNEL_PREFIX: `cxhub-test-${randomBytes(6).toString("hex")}:`,
      LOG_LEVEL: "warn",
    };
    const [first, second] = await Promise.all([startHub(env), startHub(env)]);
    cleanups.push(() => Promise.all([first, second].map((hub: RunningHub) => hub.stop())));

    const feed = await subscribeOverWebSocket(
      second.graphqlUrl.replace(/^http/, "ws"),
      manager.key,
      ChurnRiskAlertsDocument,
      { since: encodeStreamCursor(0n) },
    );
    cleanups.push(async () => feed.close());

    const complain = (customerId: string, externalId: string) =>
      fetch(first.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${admin.key}` },
        body: JSON.stringify({
          query: print(RecordInteractionDocument),
          variables: {
            input: {
              customer: { id: Buffer.from(`Customer:${customerId}`).toString("base64") },
              source: "mail",
              externalId,
              channel: "EMAIL",
              kind: "email.received",
              direction: "INBOUND",
              occurredAt: new Date(Date.now() - 60_000).toISOString(),
              summary: "Nobody answers and my order never came",
              sentiment: -0.9,
            },
          },
        }),
      }).then(
        (response) => response.json() as Promise<{ data?: { recordInteraction: { __typename: string } } }>,
      );

    const recorded = await complain(customers[0]?.id ?? "", "complaint-1");
    expect(recorded.data?.recordInteraction.__typename).toBe("RecordInteractionPayload");
    const alert = await feed.next(20_000);
    expect(alert.errors).toBeUndefined();
    expect(alert.data?.churnRiskAlerts.alert?.customer.id).toBe(
      Buffer.from(`Customer:${customers[0]?.id}`).toString("base64"),
    );

    // The next event is the second customer's alert: the first one did not come twice, although both
    // instances were woken to publish it.
    await complain(customers[1]?.id ?? "", "complaint-2");
    const next = await feed.next(20_000);
    expect(next.data?.churnRiskAlerts.alert?.customer.id).toBe(
      Buffer.from(`Customer:${customers[1]?.id}`).toString("base64"),
    );
    const stored = await database.prisma.alert.findMany({ orderBy: { streamPosition: "asc" } });
    expect(stored.map((row) => row.customerId)).toEqual(customers.map((customer) => customer.id));
    // A subscriber can hear of an alert before the transaction that marks it published commits:
    // the mark follows within moments.
    const started = performance.now();
    const published = () =>
      database.prisma.alert.count({ where: { publishedAt: { not: null } } }).then((count) => count === 2);
    while (!(await published())) {
      if (performance.now() - started > 10_000)
        throw new Error("The alerts were not marked published within 10 s.");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
});
