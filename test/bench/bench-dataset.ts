// The benchmark's dataset, built in memory: every customer of the full CDNOW master history (23,570
// customers, 69,659 orders) with an email and a shop id each, one `order.placed` interaction per
// purchase, owners among four account managers, and NPS, CSAT and CES answers for about a third of
// them. Dates stay on the real CDNOW calendar (1997-01-01 to 1998-06-30, times of day generated), so
// the data and the dashboard window never move. Deterministic: ids come from the seeded generator too,
// so two builds are identical row for row. `copies` > 1 generates that many times the customers (issue
// 15: a page's cost must not grow with them): every CDNOW customer's history again with new names,
// ids and answers, its shop id and order ids suffixed with the copy's number; the first copy is the
// 1x dataset row for row.
import type { CdnowPurchase } from "../../src/demo/cdnow.ts";
import { FIRST_NAMES, LAST_NAMES, SURVEY_COMMENTS } from "../../src/demo/demo-text.ts";
import { ascii, groupBy, mulberry32 } from "../../src/demo/generation-helpers.ts";
import { normalizeEmail } from "../../src/sdk/identities.ts";

export const BENCH_SOURCE = "bench-cdnow";
export const BENCH_SHOP = "cdnow.example";
const SEED = 19970101;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type Mood = "happy" | "neutral" | "unhappy";
type FeedbackKind = "NPS" | "CSAT" | "CES";

export interface BenchPrincipal {
  id: string;
  name: string;
  email: string;
}

export interface BenchCustomer {
  id: string;
  displayName: string;
  lifecycleStage: "CUSTOMER" | "EVANGELIST";
  traits: Record<string, string>;
  ownerId: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export interface BenchIdentity {
  id: string;
  customerId: string;
  kind: "EMAIL" | "SHOP_CUSTOMER_ID";
  namespace: string;
  value: string;
  lastSeenAt: Date;
}

export interface BenchOrder {
  id: string;
  customerId: string;
  externalId: string;
  occurredAt: Date;
  summary: string;
  amount: string;
  items: number;
}

export interface BenchFeedback {
  id: string;
  customerId: string;
  externalId: string;
  kind: FeedbackKind;
  score: number;
  comment: string | null;
  touchpoint: string;
  respondedAt: Date;
}

export interface BenchDataset {
  principals: BenchPrincipal[];
  customers: BenchCustomer[];
  identities: BenchIdentity[];
  orders: BenchOrder[];
  feedback: BenchFeedback[];
}

const OWNERS = ["Ana Souza", "Ben Okafor", "Chloé Martin", "Dev Patel"];

export function buildBenchDataset(purchases: CdnowPurchase[], copies = 1): BenchDataset {
  const random = mulberry32(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const uuid = () => seededUuidV4(random);
  // A moment on a CDNOW day (or `days` after it) at a plausible local hour, in whole milliseconds.
  const at = (day: string, days = 0) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS + Math.floor((8 + random() * 14) * HOUR_MS));

  const principals = OWNERS.map((name) => ({
    id: uuid(),
    name,
    email: `${name.split(" ").map(ascii).join(".")}@bench.cxhub.example`,
  }));
  const dataset: BenchDataset = { principals, customers: [], identities: [], orders: [], feedback: [] };

  const histories = [...groupBy(purchases, (purchase) => purchase.customerId)];
  for (let copy = 1; copy <= copies; copy++) {
    const suffix = copy === 1 ? "" : `-${copy}`;
    for (const [cdnowCustomerId, orders] of histories) {
      addCustomer(`${cdnowCustomerId}${suffix}`, orders, suffix);
    }
  }
  return dataset;

  function addCustomer(cdnowId: string, orders: CdnowPurchase[], suffix: string): void {
    const customerId = uuid();
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const mood: Mood = random() < 0.55 ? "happy" : random() < 0.6 ? "neutral" : "unhappy";
    const seen: number[] = [];

    for (const order of orders) {
      const occurredAt = at(order.day);
      seen.push(occurredAt.getTime());
      dataset.orders.push({
        id: uuid(),
        customerId,
        externalId: `cdnow-order-${order.line}${suffix}`,
        occurredAt,
        summary: `${order.cds} CD${order.cds === 1 ? "" : "s"}`,
        amount: order.dollars,
        items: order.cds,
      });
    }

    // About a third of the customers answer surveys: after an order, NPS (2 days on) and CSAT and
    // sometimes CES (5 days on, after the delivery), each decided per order on its own. Not a fixed number
    // of answers spread over all of the customer's orders: a customer without later orders then had
    // every answer within the history a backtest reads, and the answers leaked the holdout's lapses.
    let lastNps: number | undefined;
    if (random() < 1 / 3) {
      const counts: Record<FeedbackKind, number> = { NPS: 0, CSAT: 0, CES: 0 };
      const answer = (kind: FeedbackKind, day: string, daysAfter: number, touchpoint: string) => {
        const respondedAt = at(day, daysAfter);
        const score = SCORE[kind](mood, random);
        if (kind === "NPS") lastNps = score;
        seen.push(respondedAt.getTime());
        dataset.feedback.push({
          id: uuid(),
          customerId,
          externalId: `${kind.toLowerCase()}-${cdnowId}-${++counts[kind]}`,
          kind,
          score,
          comment: random() < 0.4 ? pick(SURVEY_COMMENTS[mood]) : null,
          touchpoint,
          respondedAt,
        });
      };
      for (const order of orders) {
        if (random() < 0.68) answer("NPS", order.day, 2, "order.delivered");
        if (random() < 0.24) answer("CSAT", order.day, 5, "order.delivered");
        if (random() < 0.12) answer("CES", order.day, 5, "order.delivered");
      }
    }

    const email = normalizeEmail(
      `${ascii(first)}.${ascii(last)}${cdnowId}@${pick(["example.com", "example.org", "example.net"])}`,
    );
    const lastSeenAt = new Date(Math.max(...seen));
    dataset.identities.push(
      { id: uuid(), customerId, kind: "EMAIL", namespace: "", value: email, lastSeenAt },
      { id: uuid(), customerId, kind: "SHOP_CUSTOMER_ID", namespace: BENCH_SHOP, value: cdnowId, lastSeenAt },
    );
    dataset.customers.push({
      id: customerId,
      displayName: `${first} ${last}`,
      lifecycleStage: lastNps !== undefined && lastNps >= 9 ? "EVANGELIST" : "CUSTOMER",
      traits: { cdnowCustomerId: cdnowId },
      ownerId: random() < 0.8 ? pick(principals).id : null,
      firstSeenAt: new Date(Math.min(...seen)),
      lastSeenAt,
    });
  }
}

const SCORE: Record<FeedbackKind, (mood: Mood, random: () => number) => number> = {
  NPS: (mood, random) =>
    clamp(0, 10, (mood === "happy" ? 9 : mood === "neutral" ? 7 : 3) + Math.round((random() - 0.5) * 4)),
  CSAT: (mood, random) =>
    clamp(1, 5, (mood === "happy" ? 5 : mood === "neutral" ? 4 : 2) - (random() < 0.3 ? 1 : 0)),
  CES: (mood, random) =>
    clamp(1, 7, (mood === "happy" ? 2 : mood === "neutral" ? 3 : 6) + Math.round((random() - 0.5) * 3)),
};

function clamp(min: number, max: number, value: number): number {
  return Math.max(min, Math.min(max, value));
}

/** A version 4 UUID drawn from the seeded generator, so that re-building gives the same ids. */
function seededUuidV4(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
