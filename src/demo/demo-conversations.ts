// The demo's conversations, continued so that response speed has something to time on first start:
// some email threads get a follow-up question and a second reply (a next response), a few are
// reopened days later (a reopening), and social mentions become threads that the shop answers, or
// leaves waiting. A random source of its own keeps the rest of the demo exactly as it was.
import type { Prisma } from "../generated/prisma/client.ts";

const HOUR_MS = 3_600_000;

export interface DemoThread {
  customerId: string;
  conversationId: string;
  subject: string;
  /** Where the new messages go, and the customer's seen-times. */
  interactions: Prisma.InteractionCreateManyInput[];
  seen: Date[];
  random: () => number;
  /** Messages after this instant are not generated (the history ends yesterday). */
  historyEnd: number;
}

const FOLLOW_UPS = [
  "Thanks for the quick answer. One more question: will it ship in one parcel?",
  "Great, thank you. Can I still add a CD to that order?",
  "Thanks. Do you also send a receipt by email?",
];

const REOPENINGS = [
  "Sorry to come back to this, but the problem is back.",
  "Hello again: the same thing happened with my new order.",
];

function message(thread: DemoThread, at: Date, inbound: boolean, index: number, body: string) {
  if (inbound) thread.seen.push(at);
  thread.interactions.push({
    customerId: thread.customerId,
    source: "demo",
    externalId: `${thread.conversationId}-${index}`,
    channel: "EMAIL",
    kind: inbound ? "email.received" : "email.sent",
    direction: inbound ? "INBOUND" : "OUTBOUND",
    occurredAt: at,
    summary: `Re: ${thread.subject}`,
    body,
    conversationId: thread.conversationId,
  });
}

const pick = <T>(random: () => number, items: readonly T[]) =>
  items[Math.floor(random() * items.length)] as T;

/** After our first reply (message 2): a follow-up and a second reply, or a reopening days later. */
export function continueEmailThread(thread: DemoThread, repliedAt: Date): void {
  const { random } = thread;
  const roll = random();
  if (roll < 0.3) {
    const asked = new Date(repliedAt.getTime() + (1 + random() * 6) * HOUR_MS);
    const answered = new Date(asked.getTime() + (0.5 + random() * 20) * HOUR_MS);
    if (answered.getTime() > thread.historyEnd) return;
    message(thread, asked, true, 3, pick(random, FOLLOW_UPS));
    message(thread, answered, false, 4, "Of course — done, and thank you for asking.");
  } else if (roll < 0.4) {
    const reopened = new Date(repliedAt.getTime() + (5 + random() * 5) * 24 * HOUR_MS);
    if (reopened.getTime() > thread.historyEnd) return;
    message(thread, reopened, true, 3, pick(random, REOPENINGS));
    const answered = new Date(reopened.getTime() + (2 + random() * 30) * HOUR_MS);
    if (random() < 0.8 && answered.getTime() <= thread.historyEnd) {
      message(thread, answered, false, 4, "We are sorry to hear it: a replacement is on its way.");
    }
  }
}

/** Our reply to a social mention, most of the time within a day; some are left waiting. */
export function answerMention(
  thread: Omit<DemoThread, "subject" | "seen">,
  mentionedAt: Date,
  network: string,
): void {
  const { random } = thread;
  if (random() >= 0.6) return;
  const repliedAt = new Date(mentionedAt.getTime() + (0.2 + random() * 24) * HOUR_MS);
  if (repliedAt.getTime() > thread.historyEnd) return;
  thread.interactions.push({
    customerId: thread.customerId,
    source: "demo",
    externalId: `${thread.conversationId}-reply`,
    channel: "SOCIAL",
    kind: "social.reply",
    direction: "OUTBOUND",
    occurredAt: repliedAt,
    summary: "Thanks for the shout-out! DM us if we can help.",
    conversationId: thread.conversationId,
    metadata: { network },
  });
}
