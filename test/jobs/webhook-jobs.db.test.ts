// Outgoing webhooks on the job engine, as the hub runs them: an alert's commit wakes the pump, which
// claims the delivery and hands it to pg-boss; a worker posts it to a real local receiver; a retry
// comes due when the hub's clock reaches it and the pump's next round sends it.
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, vi } from "vitest";
import { startJobs } from "../../src/jobs/start-jobs.ts";
import { createLogger } from "../../src/logger.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { customers, intoHigh } from "../alerts/helpers/score-changes.ts";
import { test } from "../helpers/database.ts";
import { one, T0, webhookHub } from "../webhooks/helpers/webhook-hub.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../webhooks/helpers/webhook-receiver.ts";

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  vi.useRealTimers();
  await receiver.close();
});

describe("webhook deliveries on the job engine", () => {
  test("an alert's commit wakes the pump, a worker delivers it, and a retry goes when the clock reaches it", async ({
    db,
  }) => {
    const hub = webhookHub(db, { retryDelaysSeconds: [30] });
    const { secret } = await hub.endpoint({ url: receiver.url });
    const jobs = await startJobs({
      database: db,
      logger: createLogger("silent"),
      writes: { policy: DEFAULT_SCORING_POLICY, clock: hub.clock },
      sync: null,
      autoTick: false,
      webhooks: { secretKey: hub.secretKey, settings: hub.settings, clock: hub.clock, pollIntervalMs: 100 },
    });
    try {
      receiver.answers.push({ status: 500 });
      await hub.raise([intoHigh(one(await customers(db, 1)))]);

      const first = one(await receiver.waitFor(1));
      vi.useFakeTimers({ toFake: ["Date"], now: T0 });
      expect(new Webhook(secret).verify(first.body, first.headers as Record<string, string>)).toMatchObject({
        type: "alert.raised",
      });
      vi.useRealTimers();
      await expect
        .poll(() => db.prisma.outgoingWebhookDelivery.findFirst())
        .toMatchObject({
          status: "PENDING",
          attemptCount: 1,
          nextAttemptAt: new Date(T0.getTime() + 30_000),
        });

      // Polls come and go; the retry waits for the hub's clock, not the machine's.
      await jobs.webhooks?.wake();
      expect(receiver.received).toHaveLength(1);
      hub.advance(30);
      await receiver.waitFor(2);
      await expect
        .poll(() => db.prisma.outgoingWebhookDelivery.findFirst())
        .toMatchObject({
          status: "SUCCEEDED",
          attemptCount: 2,
          lastStatusCode: 200,
        });
    } finally {
      await jobs.stop();
    }
  });
});
