// The push-to-pull queue behind subscriptions: values in order, a reader that waits is woken by the
// next push, leaving (return) releases the source at once even while a reader waits, and a reader
// that falls more than `limit` values behind is ended with a SlowConsumerError saying how to resume.
import { describe, expect, test } from "vitest";
import { createAsyncQueue, SlowConsumerError } from "../../src/streams/async-queue.ts";

function queueOf(limit = 10) {
  const source = { releases: 0 };
  const queue = createAsyncQueue<number>({
    limit,
    onClose: () => {
      source.releases += 1;
    },
    whenSlow: "Resubscribe from your last position.",
  });
  return { queue, source };
}

describe("the async queue", () => {
  test("gives pushed values in order, to a reader that comes later or one already waiting", async () => {
    const { queue } = queueOf();
    queue.push(1);
    queue.push(2);
    expect(queue.size).toBe(2);
    expect(await queue.iterator.next()).toEqual({ value: 1, done: false });
    expect(await queue.iterator.next()).toEqual({ value: 2, done: false });
    const waiting = queue.iterator.next();
    queue.push(3);
    expect(await waiting).toEqual({ value: 3, done: false });
    expect(queue.size).toBe(0);
  });

  test("return() while a reader waits ends the wait and releases the source once", async () => {
    const { queue, source } = queueOf();
    const waiting = queue.iterator.next();
    await queue.iterator.return?.();
    expect(await waiting).toEqual({ value: undefined, done: true });
    queue.push(1);
    expect(await queue.iterator.next()).toEqual({ value: undefined, done: true });
    await queue.iterator.return?.();
    expect(source.releases).toBe(1);
  });

  test("holds up to `limit` values for a reader that does not read, and all of them are read", async () => {
    const { queue, source } = queueOf(3);
    for (const value of [1, 2, 3]) queue.push(value);
    expect(queue.size).toBe(3);
    const read: number[] = [];
    for (let i = 0; i < 3; i++) read.push((await queue.iterator.next()).value as number);
    expect(read).toEqual([1, 2, 3]);
    expect(source.releases).toBe(0);
  });

  test("one value more than `limit` ends the queue: held values dropped, source released, the reader told how to resume", async () => {
    const { queue, source } = queueOf(3);
    for (const value of [1, 2, 3, 4]) queue.push(value);

    expect(source.releases).toBe(1);
    expect(queue.size).toBe(0);
    const failure = queue.iterator.next();
    await expect(failure).rejects.toThrow(SlowConsumerError);
    await expect(failure).rejects.toMatchObject({
      message: "Resubscribe from your last position.",
      limit: 3,
    });
    // Then the stream is over: nothing more is held or delivered.
    queue.push(5);
    expect(queue.size).toBe(0);
    expect(await queue.iterator.next()).toEqual({ value: undefined, done: true });
    expect(source.releases).toBe(1);
  });

  test("a reader that keeps up is never ended, however many values pass through", async () => {
    const { queue, source } = queueOf(2);
    for (let value = 0; value < 1000; value++) {
      queue.push(value);
      expect(await queue.iterator.next()).toEqual({ value, done: false });
    }
    expect(source.releases).toBe(0);
  });
});
