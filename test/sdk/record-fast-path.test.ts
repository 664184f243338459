// The compiled fast path of record validation (records.ts): twins of the record schemas whose JSON
// fields are copied by a plain walk (json-copy.ts), so that z.compile takes them. A twin may refuse a
// value its schema accepts (the schema then decides), but never accepts one it refuses, and answers
// what the schema answers.

import { describe, expect, test } from "vitest";
import { z } from "zod";
import {
  checkpoint,
  compiledTwins,
  connectorRecordSchema,
  identity,
  record,
  recordTwins,
  streamOutputSchema,
  validateRecord,
  validateStreamOutput,
} from "../../src/sdk/records.ts";

const order = (metadata: unknown) => ({
  ...record.interaction({
    externalId: "gid://shopify/Order/1",
    identities: [identity.shopCustomer("acme.myshopify.com", 7), identity.email(" Ana@Example.COM ")],
    channel: "ecommerce",
    kind: "order.placed",
    direction: "inbound",
    occurredAt: "2026-01-02T10:00:00Z",
    summary: "Order #1001 — 2 items",
    amount: { amount: "19.90", currency: "usd" },
    conversationId: "gid://shopify/Order/1",
    sourceUpdatedAt: "2026-01-02T10:05:00+01:00",
  }),
  metadata,
});

class Money {
  amount = "1";
}
const nested = (depth: number): unknown => (depth === 0 ? "bottom" : { next: nested(depth - 1) });

/** JSON fields of every kind the walk takes, and of every kind it leaves to z.json(), valid or not. */
const jsonValues: Array<[string, unknown]> = [
  ["an order's metadata", { orderName: "#1001", financialStatus: "paid", test: false, tags: ["vip"] }],
  ["an empty object", {}],
  ["numbers, nulls and nested arrays", { n: -0.5, z: 0, big: 1e300, none: null, rows: [[1, "a"], [], [{}]] }],
  ["integer-like keys (own key order)", { b: 1, 2: "two", a: 2, 1: "one" }],
  ["an object without a prototype", Object.assign(Object.create(null), { a: 1 })],
  ["deep nesting (left to z.json)", nested(80)],
  ["an own __proto__ key (left to z.json)", JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')],
  ["a symbol key (left to z.json)", { a: 1, [Symbol("s")]: 2 }],
  ["a non-enumerable key", Object.defineProperty({ a: 1 }, "hidden", { value: 2, enumerable: false })],
  ["NaN", { n: Number.NaN }],
  ["Infinity", { n: Number.POSITIVE_INFINITY }],
  ["a Date", { at: new Date(0) }],
  ["a class instance", { money: new Money() }],
  ["undefined", { gone: undefined }],
  ["an array hole", { rows: new Array(3) }],
  ["an undefined item", { rows: [1, undefined, 3] }],
  ["a function", { f: () => 1 }],
  ["a bigint", { n: 1n }],
  ["an array where an object belongs", ["a"]],
  ["a string where an object belongs", "paid"],
];

const values: Array<[string, unknown]> = [
  ...jsonValues.map(([name, metadata]): [string, unknown] => [`an order with ${name}`, order(metadata)]),
  ...jsonValues.map(([name, traits]): [string, unknown] => [
    `a customer with ${name} as traits`,
    record.customer({ identities: [identity.email("ana@example.com")], traits: traits as never }),
  ]),
  ...jsonValues.map(([name, cursor]): [string, unknown] => [
    `a checkpoint of ${name}`,
    checkpoint(cursor as never),
  ]),
  ["a checkpoint of a bare string", checkpoint("2026-01-02")],
  ["an order without metadata", order(undefined)],
  [
    "an order with a bad phone",
    { ...order({}), identities: [identity.phone("555-1234"), identity.email("a@b.co")] },
  ],
  [
    "an answer",
    record.feedback({
      externalId: "r1",
      identities: [identity.email("ana@example.com")],
      kind: "nps",
      score: 9,
      respondedAt: new Date("2026-01-02T10:00:00Z"),
    }),
  ],
  [
    "an answer off its scale",
    {
      ...record.feedback({
        externalId: "r2",
        identities: [identity.email("a@b.co")],
        kind: "csat",
        score: 9,
        respondedAt: "2026-01-02T10:00:00Z",
      }),
    },
  ],
  ["a deletion", record.deletion({ entity: "interaction", externalId: "gid://shopify/Order/1" })],
  ["a deletion naming nothing", record.deletion({ entity: "customer" })],
  [
    "a privacy request",
    record.privacyRequest({
      action: "erase",
      requestId: "1",
      identities: [identity.email("a@b.co")],
      requestedAt: "2026-01-02T10:00:00Z",
    }),
  ],
  ["an order with a float amount", { ...order({}), amount: { amount: 19.9, currency: "USD" } }],
  ["a value of no known type", { type: "order" }],
  ["null", null],
];

describe("the compiled fast path of record validation", () => {
  test("the twins compile: no recursive schema is left in them", () => {
    expect(() => z.compile(recordTwins.streamOutput, { strict: true })).not.toThrow();
    expect(() => z.compile(recordTwins.connectorRecord, { strict: true })).not.toThrow();
  });

  test.each(values)("a twin accepts %s only as its schema does, with the same output", (_, value) => {
    for (const [twin, schema] of [
      [compiledTwins.streamOutput, streamOutputSchema],
      [compiledTwins.connectorRecord, connectorRecordSchema],
    ] as const) {
      const fast = twin.safeParse(value);
      if (fast.success) expect(schema.safeParse(value)).toStrictEqual({ success: true, data: fast.data });
    }
  });

  test.each(values)(
    "validating %s answers as before: the schema's answer when the twin refuses",
    (_, value) => {
      const expected = streamOutputSchema.safeParse(value);
      const result = validateStreamOutput(value);
      if (expected.success) expect(result).toStrictEqual({ success: true, data: expected.data });
      // Refused by the schema: refused, or kept without its invalid identities, as before.
      else expect(!result.success || result.droppedIdentities !== undefined).toBe(true);
      if (result.success) expect(validateRecord(value).success).toBe(result.data.type !== "checkpoint");
    },
  );

  test("a sync's usual records take the fast path", () => {
    for (const value of [
      order({ orderName: "#1001", financialStatus: "paid", test: false, tags: [] }),
      checkpoint({ updatedAt: "2026-01-02T10:00:00Z", seenIds: ["gid://shopify/Order/1"] }),
      record.customer({ identities: [identity.email("ana@example.com")], traits: { plan: "pro" } }),
    ]) {
      expect(compiledTwins.streamOutput.safeParse(value).success).toBe(true);
    }
  });

  test("what the walk copies is a copy, as z.json() outputs it", () => {
    const metadata = { tags: ["vip"], nested: { a: 1 } };
    const result = validateStreamOutput(order(metadata));
    if (!result.success || result.data.type !== "interaction") throw new Error("expected an interaction");
    expect(result.data.metadata).toStrictEqual(metadata);
    expect(result.data.metadata).not.toBe(metadata);
    expect(result.data.metadata?.tags).not.toBe(metadata.tags);
  });
});
