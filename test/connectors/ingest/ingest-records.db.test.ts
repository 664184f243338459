// A batch ends exactly as the same records one by one. There is one write path (storeRecords in one
// unit of work of the pipeline), so this checks its promise to store records as if one after another:
// the same records go into two fresh databases, as one batch (with merges, corrections, repeats and a
// deletion inside it) and one record per batch. Everything the hub keeps is then compared: customers
// and their identities (how new identities group included), facts, journey progress, merges, scores,
// and the counts.
import { describe, expect } from "vitest";
import {
  commitIngest,
  emptyCounts,
  type IngestCounts,
  type IngestItem,
} from "../../../src/connectors/ingest/ingest-records.ts";
import type { Database } from "../../../src/db/database.ts";
import { defineJourney } from "../../../src/domain/journeys/define-journey.ts";
import { storeRecords } from "../../../src/domain/records/store-records.ts";
import type { PrismaClient } from "../../../src/generated/prisma/client.ts";
import { type ConnectorRecordInput, identity, record, validateRecord } from "../../../src/sdk/records.ts";
import { createTestDatabase, test } from "../../helpers/database.ts";
import { writes } from "../../helpers/writes.ts";
import { installTemplate } from "../helpers/hub.ts";

/** The pipeline's clock, standing still: both databases are written and scored as of this moment. */
const NOW = new Date("2026-06-15T12:00:00Z");
const ANA = identity.email("ana@example.com");
const ANA_DESK = identity.external("tinydesk", "c_1");
const BEA = identity.email("bea@example.com");
const BEA_OLD = identity.email("bea.old@example.com");
const DEE = identity.email("dee@example.com");
const CY = identity.email("cy@example.com");
const EVE = identity.email("eve@example.com");

const items = (records: ConnectorRecordInput[]) =>
  records.map((value): IngestItem => {
    const result = validateRecord(value);
    if (!result.success) throw new Error(result.reason);
    return { type: "record", record: result.data, payload: value };
  });

const order = (externalId: string, identities: ConnectorRecordInput["identities"], overrides: object = {}) =>
  record.interaction({
    externalId,
    identities: identities ?? [],
    channel: "ecommerce",
    kind: "order.placed",
    direction: "inbound",
    occurredAt: "2026-03-01T10:00:00Z",
    summary: `Order ${externalId}`,
    amount: { amount: "19.90", currency: "USD" },
    ...overrides,
  });

/** What both databases hold before the compared batch: Ana, Bea and Bea's old address as two customers. */
const SEED: ConnectorRecordInput[] = [
  record.customer({ identities: [ANA, ANA_DESK], displayName: "Ana", traits: { plan: "pro" } }),
  record.customer({ identities: [BEA] }),
  record.customer({ identities: [BEA_OLD] }),
  order("o-1", [ANA], { occurredAt: "2026-01-05T09:00:00Z" }),
  order("o-2", [BEA], { occurredAt: "2026-01-06T09:00:00Z" }),
  order("o-6", [CY], { occurredAt: "2026-01-08T09:00:00Z" }),
  record.feedback({
    externalId: "nps-1",
    identities: [BEA],
    kind: "nps",
    score: 4,
    respondedAt: "2026-01-07T09:00:00Z",
  }),
];

/** The compared batch: every outcome and path the set-based ingest has. */
const BATCH: ConnectorRecordInput[] = [
  record.customer({ identities: [ANA], displayName: "Ana" }), // unchanged
  record.customer({ identities: [ANA, identity.phone("+14155550123")] }), // updated: a new identity
  order("o-1", [ANA], { occurredAt: "2026-01-05T09:00:00Z" }), // unchanged
  order("o-2", [ANA], { occurredAt: "2026-01-06T09:00:00Z", summary: "Order o-2, corrected" }), // moved to Ana
  order("o-6", [ANA], { occurredAt: "2026-01-08T09:00:00Z" }), // Cy's only order was Ana's: Cy is rescored
  order("o-3", [DEE], { occurredAt: "2026-02-01T09:00:00Z" }), // a new customer, into the journey
  record.feedback({
    externalId: "csat-1",
    identities: [DEE],
    kind: "csat",
    score: 2,
    respondedAt: "2026-02-02T09:00:00Z",
    interactionExternalId: "o-3",
  }),
  record.customer({
    identities: [DEE, identity.external("tinydesk", "c_4")],
    displayName: "Dee",
    lifecycleStage: "customer",
  }),
  order("o-4", [BEA, BEA_OLD], { occurredAt: "2026-02-03T09:00:00Z" }), // Bea's two customers are one: a merge
  record.feedback({
    externalId: "nps-1",
    identities: [BEA],
    kind: "nps",
    score: 4,
    respondedAt: "2026-01-07T09:00:00Z",
  }),
  record.deletion({ entity: "interaction", externalId: "o-1" }),
  order("o-5", [ANA_DESK], { occurredAt: "2026-02-04T09:00:00Z" }),
  order("o-5", [ANA_DESK], { occurredAt: "2026-02-04T09:00:00Z", summary: "Order o-5, corrected" }),
  // An answer about an order that comes after it: one by one it finds no order to link, so neither may a batch.
  record.feedback({
    externalId: "csat-2",
    identities: [EVE],
    kind: "csat",
    score: 5,
    respondedAt: "2026-02-05T09:00:00Z",
    interactionExternalId: "o-7",
  }),
  order("o-7", [EVE], { occurredAt: "2026-02-05T08:00:00Z" }),
];

async function ingest(db: PrismaClient, connectorId: string, batch: IngestItem[]): Promise<IngestCounts> {
  const origin = { connectorId, source: "tinydesk", channel: "support" as const, stream: "test" };
  return (await commitIngest(db, writes({ clock: () => new Date(NOW) }), origin, batch)).counts;
}

async function prepare(database: Database) {
  const connector = await installTemplate(database.prisma);
  for (const item of items(SEED)) await ingest(database.prisma, connector.id, [item]);
  await defineJourney(database.prisma, {
    key: "purchase",
    name: "Purchase",
    stages: [{ key: "ordered", name: "Ordered", enteredBy: ["order.placed"] }],
  });
  return connector.id;
}

/** A moment written by "now" (a profile record's identities) is the clock's; facts keep their own. */
const moment = (at: Date | null) =>
  at === null ? null : at.getTime() === NOW.getTime() ? "now" : at.toISOString();

/** Everything the hub keeps about the batch's people, with customers named by their identities. */
async function snapshot(db: PrismaClient) {
  const identities = await db.identity.findMany({
    orderBy: [{ kind: "asc" }, { namespace: "asc" }, { value: "asc" }],
  });
  const name = new Map<string, string>();
  for (const row of identities) {
    const label = `${row.kind}:${row.namespace}:${row.value}`;
    name.set(row.customerId, name.has(row.customerId) ? `${name.get(row.customerId)} + ${label}` : label);
  }
  const who = (id: string | null) => (id === null ? null : (name.get(id) ?? `nameless ${id}`));
  const customers = await db.customer.findMany({
    include: { score: true, journeyProgress: { include: { currentStage: true, transitions: true } } },
  });
  const interactions = await db.interaction.findMany({ include: { feedback: true } });
  const feedback = await db.feedback.findMany({ include: { interaction: true } });
  const strip = <T extends object>(row: T, ...keys: string[]): Record<string, unknown> =>
    Object.fromEntries(Object.entries(row).filter(([key]) => !keys.includes(key)));
  return {
    customers: customers
      .filter((c) => c.mergedIntoId === null)
      .map((c) => ({
        who: who(c.id),
        displayName: c.displayName,
        traits: c.traits,
        lifecycleStage: c.lifecycleStage,
        firstSeenAt: moment(c.firstSeenAt),
        lastSeenAt: moment(c.lastSeenAt),
        churnRisk: c.score?.churnRisk.toFixed(9),
        purchases: [c.score?.repeatTransactions, c.score?.firstPurchaseOn, c.score?.lastPurchaseOn],
        journeys: c.journeyProgress.map((p) => `${p.currentStage.key} after ${p.transitions.length} move(s)`),
      }))
      .sort((a, b) => String(a.who).localeCompare(String(b.who))),
    mergedAway: customers.filter((c) => c.mergedIntoId !== null).map((c) => who(c.mergedIntoId)),
    merges: await db.customerMerge.count(),
    identities: identities.map((i) => ({
      identity: `${i.kind}:${i.namespace}:${i.value}`,
      of: who(i.customerId),
      source: i.source,
      lastSeenAt: moment(i.lastSeenAt),
    })),
    interactions: interactions
      .map((i) => ({
        externalId: i.externalId,
        ...strip(i, "id", "customerId", "recordedAt", "feedback"),
        of: who(i.customerId),
        answers: i.feedback.length,
      }))
      .sort((a, b) => String(a.externalId).localeCompare(String(b.externalId))),
    feedback: feedback
      .map((f) => ({
        externalId: f.externalId,
        ...strip(f, "id", "customerId", "recordedAt", "interactionId", "interaction"),
        of: who(f.customerId),
        about: f.interaction?.externalId ?? null,
      }))
      .sort((a, b) => String(a.externalId).localeCompare(String(b.externalId))),
  };
}

/** Ingests the records as one batch into `db` and one by one into a second fresh database. */
async function bothWays(db: Database, records: ConnectorRecordInput[], seed = true) {
  const oneByOne = await createTestDatabase();
  try {
    const prepared = async (database: Database) =>
      seed ? prepare(database) : (await installTemplate(database.prisma)).id;
    const [bulkConnector, singleConnector] = [await prepared(db), await prepared(oneByOne)];
    const bulkCounts = await ingest(db.prisma, bulkConnector, items(records));
    const singleCounts = emptyCounts();
    for (const item of items(records)) {
      const counts = await ingest(oneByOne.prisma, singleConnector, [item]);
      for (const key of Object.keys(counts) as Array<keyof IngestCounts>) singleCounts[key] += counts[key];
    }
    return {
      bulkCounts,
      singleCounts,
      bulk: await snapshot(db.prisma),
      single: await snapshot(oneByOne.prisma),
    };
  } finally {
    await oneByOne.close();
  }
}

describe("a batch and the same records one by one", () => {
  test("end identical, record for record", async ({ db }) => {
    {
      const { bulkCounts, singleCounts, bulk, single } = await bothWays(db, BATCH);

      expect(bulkCounts).toEqual({
        created: 6,
        updated: 5,
        unchanged: 3,
        deleted: 1,
        deadLettered: 0,
        skippedStale: 0,
        identitiesDropped: 0,
      });
      expect(bulkCounts).toEqual(singleCounts);
      expect(bulk).toEqual(single);
      // The batch did what it says: Bea's two customers merged, the journey entered, the answer linked.
      expect(bulk.merges).toBe(1);
      expect(bulk.customers.find((c) => c.displayName === "Dee")?.journeys).toEqual([
        "ordered after 1 move(s)",
      ]);
      expect(bulk.feedback.find((f) => f.externalId === "csat-1")?.about).toBe("o-3");
      expect(bulk.feedback.find((f) => f.externalId === "csat-2")?.about).toBeNull();
      expect(bulk.customers.find((c) => c.who === "EMAIL::cy@example.com")?.purchases).toEqual([
        null,
        null,
        null,
      ]);
      expect(bulk.interactions.map((i) => i.externalId)).toEqual(["o-2", "o-3", "o-4", "o-5", "o-6", "o-7"]);
    }
  });

  test("group new identities alike: a record joining two new customers merges them; a shared new identity makes one", async ({
    db,
  }) => {
    const BO = identity.email("bo@example.com");
    const BO_DESK = identity.external("tinydesk", "c_9");
    const { bulkCounts, singleCounts, bulk, single } = await bothWays(
      db,
      [
        // Ana: two new customers, then the record that shows them to be one.
        record.customer({ identities: [ANA_DESK], displayName: "Ana" }),
        order("o-1", [ANA]),
        record.customer({ identities: [ANA, ANA_DESK] }),
        order("o-2", [ANA_DESK]),
        // Bo: each record shares a new identity with the one before it.
        order("o-3", [BO]),
        record.customer({ identities: [BO, BO_DESK], displayName: "Bo" }),
        order("o-4", [BO_DESK]),
      ],
      false,
    );
    expect(bulkCounts).toEqual(singleCounts);
    expect(bulkCounts).toMatchObject({ created: 5, updated: 2, unchanged: 0 });
    expect(bulk).toEqual(single);
    expect(bulk.merges).toBe(1);
    const ana = "EMAIL::ana@example.com + EXTERNAL_ID:tinydesk:c_1";
    const bo = "EMAIL::bo@example.com + EXTERNAL_ID:tinydesk:c_9";
    expect(bulk.customers.map((c) => [c.who, c.displayName])).toEqual([
      [ana, "Ana"],
      [bo, "Bo"],
    ]);
    expect(bulk.interactions.map((i) => [i.externalId, i.of])).toEqual([
      ["o-1", ana],
      ["o-2", ana],
      ["o-3", bo],
      ["o-4", bo],
    ]);
  });
});

describe("an older version of a profile", () => {
  test("attaches no identity and merges nobody, in a batch as one by one", async ({ db }) => {
    const ANA_NEW = identity.email("anna.lima@example.net");
    const { bulkCounts, singleCounts, bulk, single } = await bothWays(
      db,
      [
        // Ana's profile after she changed her email, and Bea, who now holds the address Ana gave up.
        record.customer({ identities: [ANA_DESK, ANA_NEW], sourceUpdatedAt: "2026-03-02T10:00:00Z" }),
        record.customer({ identities: [ANA], displayName: "Bea", sourceUpdatedAt: "2026-03-03T10:00:00Z" }),
        // Ana's older profile, arriving late, still carries the old address.
        record.customer({
          identities: [ANA_DESK, ANA],
          displayName: "Ana",
          sourceUpdatedAt: "2026-03-01T10:00:00Z",
        }),
      ],
      false,
    );
    expect(bulkCounts).toEqual(singleCounts);
    expect(bulkCounts).toMatchObject({ created: 2, skippedStale: 1 });
    expect(bulk).toEqual(single);
    expect(bulk.merges).toBe(0);
    expect(bulk.customers.map((c) => [c.who, c.displayName])).toEqual([
      ["EMAIL::ana@example.com", "Bea"],
      ["EMAIL::anna.lima@example.net + EXTERNAL_ID:tinydesk:c_1", null],
    ]);
  });

  test("is resolved in the batch's one transaction, with no retry", async ({ db }) => {
    // storeRecords itself, not the ingest: a LostRaceError here would make the ingest fall back to
    // one record per unit of work and hide it.
    const DESK_C1 = { kind: "EXTERNAL_ID" as const, namespace: "tinydesk", value: "c_1" };
    const results = await db.prisma.$transaction((tx) =>
      storeRecords(
        tx,
        [
          {
            type: "customer",
            input: { identities: [DESK_C1], source: "tinydesk", sourceUpdatedAt: "2026-03-02T10:00:00Z" },
          },
          {
            type: "customer",
            input: {
              identities: [DESK_C1, { kind: "EMAIL", value: "ana@example.com" }],
              source: "tinydesk",
              sourceUpdatedAt: "2026-03-01T10:00:00Z",
            },
          },
        ],
        { now: NOW },
      ),
    );
    expect(results.records.map((record) => record.outcome)).toEqual(["created", "stale"]);
    expect(await db.prisma.identity.count({ where: { value: "ana@example.com" } })).toBe(0);
  });

  test("is judged against the person's own account: a later version held by someone sharing a contact does not make it stale", async ({
    db,
  }) => {
    const BEA_DESK = identity.external("tinydesk", "c_2");
    const { bulkCounts, singleCounts, bulk, single } = await bothWays(
      db,
      [
        record.customer({
          identities: [ANA_DESK],
          displayName: "Ana",
          sourceUpdatedAt: "2026-03-01T10:00:00Z",
        }),
        record.customer({
          identities: [BEA_DESK, BEA],
          displayName: "Bea",
          sourceUpdatedAt: "2026-03-05T10:00:00Z",
        }),
        // Ana's newer profile gives Bea's address: as before versions existed, the two are one person.
        record.customer({
          identities: [ANA_DESK, BEA],
          displayName: "Ana Lima",
          sourceUpdatedAt: "2026-03-03T10:00:00Z",
        }),
      ],
      false,
    );
    expect(bulkCounts).toEqual(singleCounts);
    expect(bulk).toEqual(single);
    // Merged, as the shared address says, not skipped before resolution. Its fields then lose to
    // Bea's later profile from the same source (versions are kept per source on the merged customer),
    // and the merge keeps the survivor's name.
    expect(bulk.merges).toBe(1);
    expect(bulk.customers.map((c) => [c.who, c.displayName])).toEqual([
      ["EMAIL::bea@example.com + EXTERNAL_ID:tinydesk:c_1 + EXTERNAL_ID:tinydesk:c_2", "Ana"],
    ]);
  });
});

describe("concurrent batches", () => {
  test("that name the same new people end with one customer each and every fact stored", async ({ db }) => {
    const connector = await installTemplate(db.prisma);
    const people = Array.from({ length: 40 }, (_, n) => identity.email(`person-${n}@example.com`));
    // Two connectors' batches at once: the second one's inserts wait for the first's identities, find
    // them taken, and redo the batch one record at a time.
    const batch = (prefix: string) => items(people.map((who, n) => order(`${prefix}-${n}`, [who])));
    const counts = await Promise.all([
      ingest(db.prisma, connector.id, batch("a")),
      ingest(db.prisma, connector.id, batch("b")),
    ]);
    expect(counts.map((c) => c.created)).toEqual([40, 40]);
    expect(await db.prisma.customer.count()).toBe(40);
    expect(await db.prisma.identity.count()).toBe(40);
    expect(await db.prisma.interaction.count()).toBe(80);
    const perCustomer = await db.prisma.interaction.groupBy({ by: ["customerId"], _count: true });
    expect(perCustomer.every((row) => row._count === 2)).toBe(true);
  });
});
