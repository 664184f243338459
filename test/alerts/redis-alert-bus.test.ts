// The Redis bus: it refuses to start against a Redis nobody answers, with a sentence naming REDIS_URL
// (rather than retrying in the background while the server runs without live alerts); and on a real
// Redis (TEST_REDIS_URL, 127.0.0.1:6379 by default, as in CI) it delivers an alert event as it was
// published, and refuses and logs a message that is not one instead of crashing its subscribers;
// events published without waiting for each other (as the dispatcher hands on a batch) arrive, on
// every topic, in the order they were published.
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { expect, test } from "vitest";
import { ALL_ALERTS_TOPIC, ownerAlertsTopic } from "../../src/alerts/alert-bus.ts";
import type { AlertStreamEvent } from "../../src/alerts/alert-event.ts";
import { createRedisAlertBus } from "../../src/alerts/redis-alert-bus.ts";
import { createLogger, type Logger } from "../../src/logger.ts";
import { sampleDigestEvent, sampleEvent } from "./helpers/sample-alert-event.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

test("a REDIS_URL nobody answers stops start-up with a sentence saying what to do", async () => {
  // A port that was just free: nothing listens on it.
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address() as { port: number };
      probe.close(() => resolve(address.port));
    });
  });
  await expect(
    createRedisAlertBus({
      url: `redis://:secret@127.0.0.1:${port}`,
      channelPrefix: "cxhub-test:",
      logger: createLogger("silent"),
    }),
  ).rejects.toThrow(
    new RegExp(
      `^Cannot connect to Redis at redis://:\\*{5}@127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\): start Redis or correct REDIS_URL\\.$`,
    ),
  );
});

test("over Redis, an event arrives equal to what was published; a message that is not one is refused and logged", async () => {
  const channelPrefix = `cxhub-test-${randomBytes(4).toString("hex")}:`;
  const errors: string[] = [];
  const logger: Logger = { ...createLogger("silent"), error: (...args) => errors.push(args.join(" ")) };
  const bus = await createRedisAlertBus({ url: REDIS_URL, channelPrefix, logger });
  const intruder = new Redis(REDIS_URL);
  try {
    const received: AlertStreamEvent[] = [];
    let arrived: () => void = () => {};
    const second = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const stop = await bus.listen(ALL_ALERTS_TOPIC, (event) => {
      received.push(event);
      if (received.length === 2) arrived();
    });

    const first = sampleEvent(41n);
    await bus.publish(first);
    // Something else on the hub's channels: garbage, then JSON that is no alert event.
    await intruder.publish(`${channelPrefix}${ALL_ALERTS_TOPIC}`, "garbage");
    await intruder.publish(`${channelPrefix}${ALL_ALERTS_TOPIC}`, JSON.stringify({ position: "42" }));
    const last = sampleDigestEvent(43n);
    await bus.publish(last);
    await second;
    stop();

    expect(received).toEqual([first, last]);
    expect(received[0]?.position).toBe(41n);
    expect(received[0]).toMatchObject({ alert: { createdAt: new Date("2026-12-03T07:08:41.123Z") } });
    expect(received[1]).toMatchObject({ digest: { alertCount: 12, criticalCount: 3 } });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(
      new RegExp(
        `^A message on this hub's Redis alert channels \\(prefix ${channelPrefix}\\) was refused, not delivered: it is not an encoded alert event \\(.*\\)\\. Every instance sharing CXHUB_REDIS_CHANNEL_PREFIX must run the same version of the hub`,
      ),
    );
    expect(errors[1]).toMatch(/was refused, not delivered: it is not an encoded alert event/);
  } finally {
    intruder.disconnect();
    await bus.close();
  }
});

test("over Redis, events published without waiting for each other arrive in the order published, on every topic", async () => {
  const channelPrefix = `cxhub-test-${randomBytes(4).toString("hex")}:`;
  const bus = await createRedisAlertBus({ url: REDIS_URL, channelPrefix, logger: createLogger("silent") });
  try {
    const events = Array.from({ length: 50 }, (_, i) => sampleEvent(BigInt(100 + i)));
    const owner = ownerAlertsTopic(events[0]?.alert.ownerId ?? "");
    const received = new Map<string, bigint[]>([
      [ALL_ALERTS_TOPIC, []],
      [owner, []],
    ]);
    let arrived: () => void = () => {};
    const everything = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    // listen resolves once Redis has confirmed the subscription: both are in force before publishing.
    await Promise.all(
      [...received].map(([topic, positions]) =>
        bus.listen(topic, (event) => {
          positions.push(event.position);
          if ([...received.values()].every((list) => list.length === events.length)) arrived();
        }),
      ),
    );
    await Promise.all(events.map((event) => bus.publish(event)));
    await everything;
    const published = events.map((event) => event.position);
    expect(received.get(ALL_ALERTS_TOPIC)).toEqual(published);
    expect(received.get(owner)).toEqual(published);
  } finally {
    await bus.close();
  }
});
