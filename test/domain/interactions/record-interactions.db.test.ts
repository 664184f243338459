import { describe, expect } from "vitest";
import { NotFoundError, ValidationError } from "../../../src/domain/errors.ts";
import {
  type RecordInteractionInput,
  recordInteractionInputSchema,
} from "../../../src/domain/interactions/interaction-input.ts";
import { defineJourney } from "../../../src/domain/journeys/define-journey.ts";
import { type RecordInput, storeRecords } from "../../../src/domain/records/store-records.ts";
import type { Prisma } from "../../../src/generated/prisma/client.ts";
import { runUnitOfWork } from "../../../src/pipeline/unit-of-work.ts";
import type { JsonValue } from "../../../src/sdk/records.ts";
import { databaseKind, test } from "../../helpers/database.ts";
import { overlap } from "../../helpers/overlapping-transactions.ts";
import { mergeCustomers, recordInteraction, writesAt } from "../../helpers/writes.ts";

function anOrder(overrides: Partial<RecordInteractionInput> = {}): RecordInteractionInput {
  return {
    customer: { identities: [{ kind: "SHOP_CUSTOMER_ID", namespace: "acme.example", value: "42" }] },
    source: "shop",
    externalId: "order-1",
    channel: "ECOMMERCE",
    kind: "order.placed",
    direction: "INBOUND",
    occurredAt: "2026-01-05T10:00:00Z",
    summary: "Order #1",
    amount: { amount: "19.90", currency: "EUR" },
    metadata: { items: 2, tags: ["gift"] },
    ...overrides,
  };
}

function issuePaths(error: unknown): string[] {
  return error instanceof ValidationError ? error.issues.map((issue) => issue.path.join(".")) : [];
}

describe("recordInteraction", () => {
  test("creates the interaction and its customer the first time", async ({ db }) => {
    const result = await recordInteraction(db.prisma, anOrder());
    expect(result.outcome).toBe("created");
    expect(result.interaction.customerId).toBe(result.customerId);
    expect(result.interaction.amount?.toString()).toBe("19.9");
    expect(result.interaction.currency).toBe("EUR");
    expect(result.interaction.occurredAt).toEqual(new Date("2026-01-05T10:00:00Z"));
    expect(await db.prisma.customer.count()).toBe(1);
  });

  test("changes nothing when the same record comes again", async ({ db }) => {
    const first = await recordInteraction(db.prisma, anOrder());
    const before = await db.prisma.customer.findFirstOrThrow({ include: { identities: true } });
    const repeat = await recordInteraction(
      db.prisma,
      anOrder({
        occurredAt: new Date("2026-01-05T10:00:00Z"),
        amount: { amount: "19.9000", currency: "eur" },
        metadata: { tags: ["gift"], items: 2 },
      }),
    );
    expect(repeat.outcome).toBe("unchanged");
    expect(repeat.interaction).toEqual(first.interaction);
    expect(await db.prisma.interaction.count()).toBe(1);
    // Nothing else was written either: the customer and its identity are as they were.
    expect(await db.prisma.customer.findFirstOrThrow({ include: { identities: true } })).toEqual(before);
  });

  test("updates the stored record when the provider corrects it", async ({ db }) => {
    const first = await recordInteraction(db.prisma, anOrder());
    const corrected = await recordInteraction(
      db.prisma,
      anOrder({ amount: { amount: "17.50", currency: "EUR" }, summary: undefined, sentiment: 0.5 }),
    );
    expect(corrected.outcome).toBe("updated");
    expect(corrected.interaction.id).toBe(first.interaction.id);
    expect(corrected.interaction.amount?.toString()).toBe("17.5");
    expect(corrected.interaction.summary).toBeNull();
    expect(corrected.interaction.sentiment).toBe(0.5);
    expect(await db.prisma.interaction.count()).toBe(1);
  });

  test("keeps the customer's first and last seen times as the earliest and latest interaction", async ({
    db,
  }) => {
    const seen = async () => {
      const customer = await db.prisma.customer.findFirstOrThrow();
      return [customer.firstSeenAt?.toISOString(), customer.lastSeenAt?.toISOString()];
    };
    await recordInteraction(db.prisma, anOrder({ externalId: "a", occurredAt: "2026-01-05T10:00:00Z" }));
    expect(await seen()).toEqual(["2026-01-05T10:00:00.000Z", "2026-01-05T10:00:00.000Z"]);
    await recordInteraction(db.prisma, anOrder({ externalId: "b", occurredAt: "2026-01-09T10:00:00+02:00" }));
    await recordInteraction(db.prisma, anOrder({ externalId: "c", occurredAt: "2026-01-02T00:00:00Z" }));
    await recordInteraction(db.prisma, anOrder({ externalId: "d", occurredAt: "2026-01-07T00:00:00Z" }));
    expect(await seen()).toEqual(["2026-01-02T00:00:00.000Z", "2026-01-09T08:00:00.000Z"]);
  });

  test("records on the survivor when named by a merged customer's id", async ({ db }) => {
    const survivor = await db.prisma.customer.create({ data: {} });
    const merged = await db.prisma.customer.create({ data: {} });
    await mergeCustomers(db.prisma, { survivorId: survivor.id, mergedId: merged.id, reason: "test" });
    const result = await recordInteraction(db.prisma, anOrder({ customer: { id: merged.id } }));
    expect(result.customerId).toBe(survivor.id);
    expect(result.interaction.customerId).toBe(survivor.id);
  });

  test("refuses an unknown customer id, saying how to name the customer instead", async ({ db }) => {
    await expect(
      recordInteraction(db.prisma, anOrder({ customer: { id: "0190d5a4-8f6b-7c3e-9a1d-2b4c6e8f0a12" } })),
    ).rejects.toSatisfy(
      (error) => error instanceof NotFoundError && /name the customer by identities/.test(error.message),
    );
    expect(await db.prisma.interaction.count()).toBe(0);
  });

  test("refuses malformed records with the path of each problem", async ({ db }) => {
    const attempt = recordInteraction(
      db.prisma,
      anOrder({
        kind: "Order Placed",
        occurredAt: "2026-01-05 10:00",
        amount: { amount: "19.999999", currency: "EURO" },
        sentiment: 2,
      }),
    );
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt.catch(issuePaths)).resolves.toEqual(
      expect.arrayContaining(["kind", "occurredAt", "amount.amount", "amount.currency", "sentiment"]),
    );
    await expect(recordInteraction(db.prisma, anOrder({ customer: {} })).catch(issuePaths)).resolves.toEqual([
      "customer",
    ]);
  });

  test("stores one interaction when the same record arrives twice at once", async ({ db }) => {
    const results = await Promise.all([
      recordInteraction(db.prisma, anOrder()),
      recordInteraction(db.prisma, anOrder()),
    ]);
    expect(results.map((result) => result.outcome).toSorted()).toEqual(["created", "unchanged"]);
    expect(await db.prisma.interaction.count()).toBe(1);
    expect(await db.prisma.customer.count()).toBe(1);
  });

  // Two writers storing one fact for two customers share no customer lock: the second one's insert
  // waits on the unique index for the first one's transaction, then finds the fact stored (as if it
  // had been stored before it began: a correction that moves the fact to its own customer).
  test.skipIf(databaseKind !== "postgres")(
    "a fact another writer stores while this insert waits on it is found stored, and moved",
    async ({ db }) => {
      const now = new Date("2026-02-01T00:00:00Z");
      const store = (tx: Prisma.TransactionClient, input: RecordInteractionInput) =>
        storeRecords(tx, [{ type: "interaction", input }], { now });
      const elsewhere = anOrder({
        customer: { identities: [{ kind: "SHOP_CUSTOMER_ID", namespace: "acme.example", value: "43" }] },
      });
      const [first, second] = await overlap(
        db,
        (tx) => store(tx, anOrder()),
        () => db.prisma.$transaction((tx) => store(tx, elsewhere)),
      );
      const [created] = first.records;
      const [found] = second.records;
      expect(created?.outcome).toBe("created");
      expect(found).toMatchObject({
        outcome: "updated",
        factId: created?.factId,
        movedFromCustomerId: created?.customerId,
      });
      expect(found?.customerId).not.toBe(created?.customerId);
      const rows = await db.prisma.interaction.findMany({ select: { id: true, customerId: true } });
      expect(rows).toEqual([{ id: created?.factId, customerId: found?.customerId }]);
    },
  );

  test("stores a batch of new, repeated and corrected facts in order, each with its outcome and id", async ({
    db,
  }) => {
    const repeated = await recordInteraction(db.prisma, anOrder({ externalId: "b" }));
    const corrected = await recordInteraction(db.prisma, anOrder({ externalId: "d" }));
    const records: RecordInput[] = [
      { type: "interaction", input: anOrder({ externalId: "a" }) },
      { type: "interaction", input: anOrder({ externalId: "b" }) },
      { type: "interaction", input: anOrder({ externalId: "c", summary: "Order #3" }) },
      { type: "interaction", input: anOrder({ externalId: "d", summary: "Order #1, corrected" }) },
    ];
    const { value: stored } = await runUnitOfWork(db.prisma, writesAt("2026-02-01T00:00:00Z"), (unit) =>
      storeRecords(unit.tx, records, { now: unit.now }),
    );
    expect(stored.records.map((record) => record.outcome)).toEqual([
      "created",
      "unchanged",
      "created",
      "updated",
    ]);
    expect(stored.records[1]?.factId).toBe(repeated.interaction.id);
    expect(stored.records[3]?.factId).toBe(corrected.interaction.id);
    const rows = await db.prisma.interaction.findMany({
      select: { id: true, externalId: true, summary: true },
    });
    expect(Object.fromEntries(rows.map((row) => [row.externalId, [row.id, row.summary]]))).toEqual({
      a: [stored.records[0]?.factId, "Order #1"],
      b: [repeated.interaction.id, "Order #1"],
      c: [stored.records[2]?.factId, "Order #3"],
      d: [corrected.interaction.id, "Order #1, corrected"],
    });
  });

  test("stores every fact's metadata of a batch exactly as given, and a fact without any as NULL", async ({
    db,
  }) => {
    const metadata: Record<string, Record<string, JsonValue> | undefined> = {
      nested: {
        order: {
          lines: [
            { sku: "A-1", qty: 2, gift: true },
            { sku: "B-2", qty: 1 },
          ],
        },
        empty: {},
      },
      unicode: { note: "Grüße, 東京 🎁 — “quoted” ‘too’", rtl: "שלום", keys: { 'é\\"k': "v" } },
      escapes: { text: 'a "quote", a back\\slash \\" and {braces}, commas\nnew line\ttab', brace: "}{" },
      values: {
        none: null,
        yes: true,
        no: false,
        zero: 0,
        negative: -12.5,
        small: 1e-7,
        big: 12345678901234,
      },
      strings: { null: "null", array: "[1,2]", object: "{}", empty: "" },
      lists: { empty: [], mixed: [1, "two", null, [3], { four: 4 }] },
      none: undefined,
    };
    const records: RecordInput[] = Object.entries(metadata).map(([externalId, value]) => ({
      type: "interaction",
      input: anOrder({ externalId, metadata: value }),
    }));
    await runUnitOfWork(db.prisma, writesAt("2026-02-01T00:00:00Z"), async (unit) => {
      const stored = await storeRecords(unit.tx, records, { now: unit.now });
      expect(stored.records.map((record) => record.outcome)).toEqual(records.map(() => "created"));
    });
    // SQL NULL, not a JSON null (Prisma reads both as null).
    const nulls = await db.prisma.$queryRaw<Array<{ externalId: string }>>`
      SELECT "externalId" FROM "Interaction" WHERE "metadata" IS NULL`;
    expect(nulls).toEqual([{ externalId: "none" }]);
    const found = await db.prisma.interaction.findMany({ select: { externalId: true, metadata: true } });
    expect(Object.fromEntries(found.map((row) => [row.externalId, row.metadata]))).toEqual({
      ...metadata,
      none: null,
    });
  });
});

describe("recordInteraction and journeys", () => {
  test("moves the customer along a journey as interactions are recorded, once", async ({ db }) => {
    await defineJourney(db.prisma, {
      key: "first-purchase",
      name: "First purchase",
      stages: [
        { key: "visited", name: "Visited", enteredBy: ["web.visit"] },
        { key: "bought", name: "Bought", enteredBy: ["order.placed"] },
      ],
    });
    const base = {
      customer: { identities: [{ kind: "EMAIL" as const, value: "journey@example.com" }] },
      source: "web",
      channel: "WEB" as const,
      direction: "INBOUND" as const,
    };
    await recordInteraction(db.prisma, {
      ...base,
      externalId: "v1",
      kind: "web.visit",
      occurredAt: "2026-01-01T10:00:00Z",
    });
    const order = {
      ...base,
      source: "shop",
      externalId: "o1",
      channel: "ECOMMERCE" as const,
      kind: "order.placed",
      occurredAt: "2026-01-02T10:00:00Z",
    };
    await recordInteraction(db.prisma, order);
    await recordInteraction(db.prisma, order);

    const progress = await db.prisma.journeyProgress.findFirstOrThrow({
      include: { currentStage: true, transitions: true },
    });
    expect(progress.currentStage.key).toBe("bought");
    expect(progress.completedAt?.toISOString()).toBe("2026-01-02T10:00:00.000Z");
    expect(progress.transitions).toHaveLength(2);
  });
});

// The hub scores what a customer wrote when the record gives no sentiment: plugins give either a
// score on the hub's scale or the text, and stored facts stay comparable on a re-sync.
// thanks +2, broken −1, disappointed −2: s = −1, and −1 / √(1 + 15) = −0.25.
const COMPLAINT = "Thanks, but the kettle arrived broken and I am disappointed.";

function anEmail(overrides: Partial<RecordInteractionInput> = {}): RecordInteractionInput {
  return {
    customer: { identities: [{ kind: "EMAIL", value: "ana@example.com" }] },
    source: "support-inbox",
    externalId: "msg-1",
    channel: "EMAIL",
    kind: "email.received",
    direction: "INBOUND",
    occurredAt: "2026-01-05T10:00:00Z",
    summary: "My kettle",
    body: COMPLAINT,
    ...overrides,
  };
}

describe("sentiment of recorded interactions", () => {
  test("an inbound interaction recorded without a sentiment carries its body's score", async ({ db }) => {
    const { interaction } = await recordInteraction(db.prisma, anEmail());
    expect(interaction.sentiment).toBe(-0.25);
  });

  test("an inbound interaction recorded with a sentiment keeps the one it was given", async ({ db }) => {
    const { interaction } = await recordInteraction(db.prisma, anEmail({ sentiment: 0.3 }));
    expect(interaction.sentiment).toBe(0.3);
  });

  test("recording the same message again, without its sentiment, changes nothing", async ({ db }) => {
    await recordInteraction(db.prisma, anEmail());
    const repeat = await recordInteraction(db.prisma, anEmail());
    expect(repeat.outcome).toBe("unchanged");
    expect(repeat.interaction.sentiment).toBe(-0.25);
  });

  test("the business's own words, and messages without words, get no sentiment", async ({ db }) => {
    const reply = await recordInteraction(
      db.prisma,
      anEmail({
        externalId: "msg-2",
        kind: "email.sent",
        direction: "OUTBOUND",
        body: "Terrible news, sorry!",
      }),
    );
    const empty = await recordInteraction(db.prisma, anEmail({ externalId: "msg-3", body: "!!!" }));
    const bodiless = await recordInteraction(db.prisma, anEmail({ externalId: "msg-4", body: undefined }));
    expect([reply, empty, bodiless].map((result) => result.interaction.sentiment)).toEqual([
      null,
      null,
      null,
    ]);
  });

  test("parsing an input twice, or parsing what parsing gave, yields the same sentiment", () => {
    const first = recordInteractionInputSchema.parse(anEmail());
    expect(recordInteractionInputSchema.parse(anEmail()).sentiment).toBe(first.sentiment);
    expect(recordInteractionInputSchema.parse(first)).toEqual(first);
  });
});
