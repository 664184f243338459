// One subscriber's alert stream, live part: it holds at most MAX_LIVE_BACKLOG alerts for a client
// that does not read; one more ends the stream with a SlowConsumerError that tells the client to
// resubscribe with `since` (the replay then brings back every alert it did not get), and the stream
// stops listening at once.
import { describe, expect, test } from "vitest";
import { type AlertBus, createLocalAlertBus } from "../../src/alerts/alert-bus.ts";
import { MAX_LIVE_BACKLOG, openAlertStream } from "../../src/alerts/alert-stream.ts";
import type { Viewer } from "../../src/auth/api-keys.ts";
import type { Database } from "../../src/db/database.ts";
import { SlowConsumerError } from "../../src/streams/async-queue.ts";
import { sampleEvent } from "./helpers/sample-alert-event.ts";

const admin: Viewer = {
  principalId: "0190f5a2-0000-7000-8000-0000000000b9",
  principalName: "Ops",
  apiKeyId: "0190f5a2-0000-7000-8000-0000000000k1",
  role: "ADMIN",
  scopes: new Set(),
};

/** The in-process bus, counting the listeners in force. */
function countingBus() {
  const local = createLocalAlertBus();
  const counts = { listening: 0 };
  const bus: AlertBus = {
    ...local,
    async listen(topic, onEvent) {
      const stop = await local.listen(topic, onEvent);
      counts.listening += 1;
      return () => {
        counts.listening -= 1;
        stop();
      };
    },
  };
  return { bus, counts };
}

function event(position: number) {
  const base = sampleEvent(BigInt(position));
  return { ...base, alert: { ...base.alert, id: `alert-${position}` } };
}

// No `since`: the stream never reads the database.
const prisma = {} as Database["prisma"];

describe("the live alert stream", () => {
  test(`holds ${MAX_LIVE_BACKLOG} alerts for a subscriber that does not read, and gives them all in order`, async () => {
    const { bus, counts } = countingBus();
    const stream = await openAlertStream({ prisma, bus, viewer: admin, scope: "ALL", minimumLevel: "HIGH" });
    for (let position = 1; position <= MAX_LIVE_BACKLOG; position++) void bus.publish(event(position));

    for (let position = 1; position <= MAX_LIVE_BACKLOG; position++) {
      const next = await stream.next();
      expect(next.value?.position).toBe(BigInt(position));
    }
    expect(counts.listening).toBe(1);
    await stream.return?.();
    expect(counts.listening).toBe(0);
  });

  test("one alert more ends the stream with a SlowConsumerError telling the subscriber to resubscribe with since", async () => {
    const { bus, counts } = countingBus();
    const stream = await openAlertStream({ prisma, bus, viewer: admin, scope: "ALL", minimumLevel: "HIGH" });
    for (let position = 1; position <= MAX_LIVE_BACKLOG + 1; position++) void bus.publish(event(position));

    expect(counts.listening).toBe(0);
    const ended = stream.next();
    await expect(ended).rejects.toThrow(SlowConsumerError);
    await expect(ended).rejects.toThrow(
      `You fell more than ${MAX_LIVE_BACKLOG} alerts behind (your connection did not read them as fast as they came), so this subscription was ended: subscribe again with since: the cursor of the last event you received, and the alerts you missed are replayed first.`,
    );
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});
