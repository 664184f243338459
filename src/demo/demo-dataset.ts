// Builds the demo dataset in memory: the real CDNOW purchases of 2,357 customers as e-commerce orders,
// moved forward in time so their last day is yesterday, plus the email threads, social mentions and
// survey answers those customers plausibly produced. Deterministic for a given seed and day, so tests
// can rely on its shape. Each customer has a hidden mood that keeps their messages, posts and survey
// answers consistent with each other.
import { uuidv7 } from "../db/uuid-v7.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { normalizeEmail, normalizeSocialHandle } from "../sdk/identities.ts";
import type { CdnowPurchase } from "./cdnow.ts";
import { answerMention, continueEmailThread } from "./demo-conversations.ts";
import {
  FIRST_NAMES,
  GENRES,
  INBOUND_EMAILS,
  LAST_NAMES,
  SOCIAL_POSTS,
  SURVEY_COMMENTS,
} from "./demo-text.ts";
import { ascii, groupBy, mulberry32 } from "./generation-helpers.ts";

export const DEMO_SOURCE = "demo";
export const DEMO_SHOP = "cdnow-demo.example";
const DAY_MS = 86_400_000;
/** The last day of the CDNOW observation window. */
const CDNOW_LAST_DAY = Date.UTC(1998, 5, 30);

export interface DemoDataset {
  principals: Prisma.PrincipalCreateManyInput[];
  customers: Prisma.CustomerCreateManyInput[];
  identities: Prisma.IdentityCreateManyInput[];
  interactions: Prisma.InteractionCreateManyInput[];
  feedback: Prisma.FeedbackCreateManyInput[];
}

type Mood = "happy" | "neutral" | "unhappy";

export const ACCOUNT_MANAGERS = [
  { name: "Ana Souza", email: "ana.souza@cxhub-demo.example" },
  { name: "Ben Okafor", email: "ben.okafor@cxhub-demo.example" },
  { name: "Chloé Martin", email: "chloe.martin@cxhub-demo.example" },
  { name: "Dev Patel", email: "dev.patel@cxhub-demo.example" },
];

export function buildDemoDataset(
  purchases: CdnowPurchase[],
  { now = new Date(), seed = 1997 }: { now?: Date; seed?: number } = {},
): DemoDataset {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const yesterday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - DAY_MS;
  const shiftMs = yesterday - CDNOW_LAST_DAY;
  // A moment on a shifted CDNOW day (or `days` after it), at a plausible local hour.
  const at = (day: string, days = 0) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + shiftMs + days * DAY_MS + (8 + random() * 14) * 3_600_000);
  const notAfterNow = (date: Date) => date.getTime() <= now.getTime();
  // Continued conversations draw from their own random source, so the rest of the demo is unchanged;
  // their messages end with yesterday, like the history.
  const conversationRandom = mulberry32(seed + 1);
  const historyEnd = Math.min(yesterday + DAY_MS - 1, now.getTime());

  const principals = ACCOUNT_MANAGERS.map((manager) => ({ id: uuidv7(), ...manager }));
  const dataset: DemoDataset = { principals, customers: [], identities: [], interactions: [], feedback: [] };

  const byCustomer = groupBy(purchases, (purchase) => purchase.customerId);
  let threadNumber = 0;

  for (const [cdnowId, orders] of byCustomer) {
    const customerId = uuidv7();
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const mood: Mood = random() < 0.55 ? "happy" : random() < 0.6 ? "neutral" : "unhappy";
    const email = normalizeEmail(
      `${ascii(first)}.${ascii(last)}${cdnowId}@${pick(["example.com", "example.org", "example.net"])}`,
    );
    const ownerId = random() < 0.8 ? pick(principals).id : null;
    let lastNps: number | undefined;
    const seen: Date[] = [];

    dataset.identities.push(
      { customerId, kind: "EMAIL", value: email, source: DEMO_SOURCE },
      { customerId, kind: "SHOP_CUSTOMER_ID", namespace: DEMO_SHOP, value: cdnowId, source: DEMO_SOURCE },
    );

    for (const order of orders) {
      const placedAt = at(order.day);
      seen.push(placedAt);
      const orderExternalId = `cdnow-order-${order.line}`;
      dataset.interactions.push({
        customerId,
        source: DEMO_SOURCE,
        externalId: orderExternalId,
        channel: "ECOMMERCE",
        kind: "order.placed",
        direction: "INBOUND",
        occurredAt: placedAt,
        summary: `${order.cds} CD${order.cds === 1 ? "" : "s"}`,
        amount: order.dollars,
        currency: "USD",
        metadata: { cdnowCustomerId: cdnowId, items: order.cds },
      });

      // Some orders are followed by an NPS survey two days later.
      const surveyAt = at(order.day, 2);
      if (random() < 0.3 && notAfterNow(surveyAt)) {
        const score = npsFor(mood, random);
        lastNps = score;
        dataset.feedback.push({
          customerId,
          source: DEMO_SOURCE,
          externalId: `nps-${order.line}`,
          kind: "NPS",
          score,
          comment: random() < 0.4 ? pick(SURVEY_COMMENTS[mood]) : null,
          channel: "EMAIL",
          touchpoint: "order.delivered",
          respondedAt: surveyAt,
        });
        seen.push(surveyAt);
      }

      // Some orders lead to an email thread; unhappy customers write more, and not all get answered.
      if (random() < (mood === "unhappy" ? 0.45 : 0.15)) {
        const template = pick(INBOUND_EMAILS[mood]);
        const conversationId = `demo-thread-${++threadNumber}`;
        const receivedAt = at(order.day, 1 + Math.floor(random() * 5));
        if (!notAfterNow(receivedAt)) continue;
        seen.push(receivedAt);
        dataset.interactions.push({
          customerId,
          source: DEMO_SOURCE,
          externalId: `${conversationId}-1`,
          channel: "EMAIL",
          kind: "email.received",
          direction: "INBOUND",
          occurredAt: receivedAt,
          summary: template.subject,
          body: template.body.replace("{cds}", String(order.cds)),
          sentiment: template.sentiment,
          conversationId,
        });
        const answered = random() < (template.sentiment < 0 ? 0.7 : 0.9);
        const repliedAt = new Date(receivedAt.getTime() + (1 + random() * 30) * 3_600_000);
        if (answered && notAfterNow(repliedAt)) {
          dataset.interactions.push({
            customerId,
            source: DEMO_SOURCE,
            externalId: `${conversationId}-2`,
            channel: "EMAIL",
            kind: "email.sent",
            direction: "OUTBOUND",
            occurredAt: repliedAt,
            summary: `Re: ${template.subject}`,
            body: template.reply,
            conversationId,
          });
          continueEmailThread(
            {
              customerId,
              conversationId,
              subject: template.subject,
              interactions: dataset.interactions,
              seen,
              random: conversationRandom,
              historyEnd,
            },
            repliedAt,
          );
          const csatAt = new Date(repliedAt.getTime() + DAY_MS);
          if (random() < 0.5 && notAfterNow(csatAt)) {
            dataset.feedback.push({
              customerId,
              source: DEMO_SOURCE,
              externalId: `csat-${conversationId}`,
              kind: "CSAT",
              score: csatFor(mood, random),
              channel: "EMAIL",
              touchpoint: "support.reply",
              respondedAt: csatAt,
            });
            if (random() < 0.4) {
              dataset.feedback.push({
                customerId,
                source: DEMO_SOURCE,
                externalId: `ces-${conversationId}`,
                kind: "CES",
                score: cesFor(mood, random),
                channel: "EMAIL",
                touchpoint: "support.reply",
                respondedAt: csatAt,
              });
            }
          }
        }
      }
    }

    // About one customer in six talks about the shop on social media.
    if (random() < 0.17) {
      const handle = normalizeSocialHandle(`${ascii(first)}_${ascii(last)}${cdnowId}`.slice(0, 30));
      dataset.identities.push({
        customerId,
        kind: "SOCIAL_HANDLE",
        namespace: "x",
        value: handle,
        source: DEMO_SOURCE,
      });
      const posts = 1 + Math.floor(random() * 3);
      for (let post = 1; post <= posts; post++) {
        const order = pick(orders);
        const postedAt = at(order.day, Math.floor(random() * 10));
        if (!notAfterNow(postedAt)) continue;
        const template = pick(SOCIAL_POSTS[mood]);
        seen.push(postedAt);
        dataset.interactions.push({
          customerId,
          source: DEMO_SOURCE,
          externalId: `x-post-${cdnowId}-${post}`,
          channel: "SOCIAL",
          kind: "social.mention",
          direction: "INBOUND",
          occurredAt: postedAt,
          summary: template.text,
          body: template.text,
          sentiment: template.sentiment,
          conversationId: `x-post-${cdnowId}-${post}`,
          metadata: { network: "x", handle },
        });
        answerMention(
          {
            customerId,
            conversationId: `x-post-${cdnowId}-${post}`,
            interactions: dataset.interactions,
            random: conversationRandom,
            historyEnd,
          },
          postedAt,
          "x",
        );
      }
    }

    const times = seen.map((date) => date.getTime());
    dataset.customers.push({
      id: customerId,
      displayName: `${first} ${last}`,
      lifecycleStage: lastNps !== undefined && lastNps >= 9 ? "EVANGELIST" : "CUSTOMER",
      traits: { favoriteGenre: pick(GENRES), cdnowCustomerId: cdnowId },
      ownerId,
      firstSeenAt: new Date(Math.min(...times)),
      lastSeenAt: new Date(Math.max(...times)),
    });
  }
  return dataset;
}

function npsFor(mood: Mood, random: () => number): number {
  const base = mood === "happy" ? 9 : mood === "neutral" ? 7 : 3;
  return Math.max(0, Math.min(10, base + Math.round((random() - 0.5) * 3)));
}

function csatFor(mood: Mood, random: () => number): number {
  const base = mood === "happy" ? 5 : mood === "neutral" ? 4 : 2;
  return Math.max(1, Math.min(5, base - (random() < 0.3 ? 1 : 0)));
}

function cesFor(mood: Mood, random: () => number): number {
  const base = mood === "happy" ? 2 : mood === "neutral" ? 3 : 6;
  return Math.max(1, Math.min(7, base + Math.round((random() - 0.5) * 2)));
}
