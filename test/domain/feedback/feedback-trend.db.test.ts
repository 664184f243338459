import { randomUUID } from "node:crypto";
import { describe, expect } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { ValidationError } from "../../../src/domain/errors.ts";
import { feedbackTrend } from "../../../src/domain/feedback/feedback-trend.ts";
import type { Channel, FeedbackKind } from "../../../src/generated/prisma/enums.ts";
import { test } from "../../helpers/database.ts";

const utc = (iso: string) => new Date(iso);

async function aCustomer(db: Database, ownerId?: string) {
  return db.prisma.customer.create({ data: { displayName: "Katherine Johnson", ownerId: ownerId ?? null } });
}

async function answers(
  db: Database,
  customerId: string,
  kind: FeedbackKind,
  at: string,
  scores: number[],
  channel: Channel = "EMAIL",
) {
  await db.prisma.feedback.createMany({
    data: scores.map((score) => ({
      customerId,
      source: "survey",
      externalId: randomUUID(),
      kind,
      score,
      channel,
      respondedAt: utc(at),
    })),
  });
}

const plain = (points: Array<{ bucketStart: Date; responses: number; score: number | null }>) =>
  points.map((point) => ({ ...point, bucketStart: point.bucketStart.toISOString() }));

describe("feedback trend", () => {
  test("gives one NPS point per day, with an empty day in the middle", async ({ db }) => {
    const customer = await aCustomer(db);
    await answers(db, customer.id, "NPS", "2026-01-01T08:00:00Z", [10, 0]);
    await answers(db, customer.id, "NPS", "2026-01-03T23:59:00Z", [9, 9, 7]);
    await answers(db, customer.id, "CSAT", "2026-01-02T12:00:00Z", [1]);
    const trend = await feedbackTrend(db.prisma, {
      kind: "NPS",
      bucket: "DAY",
      from: utc("2026-01-01T00:00:00Z"),
      to: utc("2026-01-04T00:00:00Z"),
    });
    expect(plain(trend)).toEqual([
      { bucketStart: "2026-01-01T00:00:00.000Z", responses: 2, score: 0 },
      { bucketStart: "2026-01-02T00:00:00.000Z", responses: 0, score: null },
      { bucketStart: "2026-01-03T00:00:00.000Z", responses: 3, score: 200 / 3 },
    ]);
  });

  test("puts an answer in the month of the caller's time zone", async ({ db }) => {
    const customer = await aCustomer(db);
    // 23:30 UTC on 31 January is 00:30 on 1 February in Paris.
    await answers(db, customer.id, "CSAT", "2026-01-31T23:30:00Z", [5]);
    await answers(db, customer.id, "CSAT", "2026-01-15T12:00:00Z", [2]);
    const range = { kind: "CSAT", bucket: "MONTH", from: utc("2026-01-01T00:00:00Z") } as const;

    const paris = await feedbackTrend(db.prisma, {
      ...range,
      to: utc("2026-02-28T23:00:00Z"),
      timeZone: "Europe/Paris",
    });
    expect(plain(paris)).toEqual([
      { bucketStart: "2025-12-31T23:00:00.000Z", responses: 1, score: 0 },
      { bucketStart: "2026-01-31T23:00:00.000Z", responses: 1, score: 100 },
    ]);

    const inUtc = await feedbackTrend(db.prisma, { ...range, to: utc("2026-03-01T00:00:00Z") });
    expect(plain(inUtc)).toEqual([
      { bucketStart: "2026-01-01T00:00:00.000Z", responses: 2, score: 50 },
      { bucketStart: "2026-02-01T00:00:00.000Z", responses: 0, score: null },
    ]);
  });

  test("starts weeks on local Mondays across a daylight-saving change", async ({ db }) => {
    const customer = await aCustomer(db);
    // New York moves its clocks forward on Sunday 8 March 2026: Mondays start at 05:00Z, then 04:00Z.
    await answers(db, customer.id, "CES", "2026-03-09T04:30:00Z", [2, 3]);
    await answers(db, customer.id, "CES", "2026-03-09T03:30:00Z", [7]);
    const trend = await feedbackTrend(db.prisma, {
      kind: "CES",
      bucket: "WEEK",
      from: utc("2026-03-04T12:00:00Z"),
      to: utc("2026-03-12T00:00:00Z"),
      timeZone: "america/new_york",
    });
    expect(plain(trend)).toEqual([
      { bucketStart: "2026-03-02T05:00:00.000Z", responses: 1, score: 7 },
      { bucketStart: "2026-03-09T04:00:00.000Z", responses: 2, score: 2.5 },
    ]);
  });

  test("counts only answers inside [from, to) in partial first and last buckets", async ({ db }) => {
    const customer = await aCustomer(db);
    await answers(db, customer.id, "CSAT", "2026-05-01T00:00:00Z", [1]);
    await answers(db, customer.id, "CSAT", "2026-05-10T00:00:00Z", [5]);
    await answers(db, customer.id, "CSAT", "2026-05-20T00:00:00Z", [1]);
    const trend = await feedbackTrend(db.prisma, {
      kind: "CSAT",
      bucket: "MONTH",
      from: utc("2026-05-05T00:00:00Z"),
      to: utc("2026-05-20T00:00:00Z"),
    });
    expect(plain(trend)).toEqual([{ bucketStart: "2026-05-01T00:00:00.000Z", responses: 1, score: 100 }]);
  });

  test("narrows to a channel and an owner", async ({ db }) => {
    const manager = await db.prisma.principal.create({ data: { name: "Ann Manager" } });
    const mine = await aCustomer(db, manager.id);
    const other = await aCustomer(db);
    await answers(db, mine.id, "NPS", "2026-01-01T10:00:00Z", [10], "SUPPORT");
    await answers(db, mine.id, "NPS", "2026-01-01T10:00:00Z", [0], "WEB");
    await answers(db, other.id, "NPS", "2026-01-01T10:00:00Z", [0], "SUPPORT");
    const trend = await feedbackTrend(db.prisma, {
      kind: "NPS",
      bucket: "DAY",
      from: utc("2026-01-01T00:00:00Z"),
      to: utc("2026-01-02T00:00:00Z"),
      channel: "SUPPORT",
      ownerId: manager.id,
    });
    expect(plain(trend)).toEqual([{ bucketStart: "2026-01-01T00:00:00.000Z", responses: 1, score: 100 }]);
  });

  test("allows 1,000 buckets and refuses 1,001, saying how to fix it", async ({ db }) => {
    const from = utc("2020-01-01T00:00:00Z");
    const days = (n: number) => new Date(from.getTime() + n * 86_400_000);
    const thousand = await feedbackTrend(db.prisma, { kind: "NPS", bucket: "DAY", from, to: days(1000) });
    expect(thousand).toHaveLength(1000);
    expect(thousand.every((point) => point.responses === 0 && point.score === null)).toBe(true);

    const error = await feedbackTrend(db.prisma, { kind: "NPS", bucket: "DAY", from, to: days(1001) }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      /more than 1000 DAY buckets; widen the bucket .* or narrow the range/,
    );

    const monthly = await feedbackTrend(db.prisma, { kind: "NPS", bucket: "MONTH", from, to: days(1001) });
    expect(monthly).toHaveLength(33);
  });

  test("refuses an unknown time zone and an offset, naming the field", async ({ db }) => {
    for (const timeZone of ["Mars/Olympus_Mons", "+05:00"]) {
      const error = await feedbackTrend(db.prisma, {
        kind: "CES",
        bucket: "DAY",
        from: utc("2026-01-01T00:00:00Z"),
        to: utc("2026-01-02T00:00:00Z"),
        timeZone,
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toEqual(["timeZone"]);
      expect((error as Error).message).toMatch(/not a known IANA time zone; use a name such as "UTC"/);
    }
  });

  test("refuses a range that ends before it starts", async ({ db }) => {
    await expect(
      feedbackTrend(db.prisma, {
        kind: "CES",
        bucket: "DAY",
        from: utc("2026-01-02T00:00:00Z"),
        to: utc("2026-01-01T00:00:00Z"),
      }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
