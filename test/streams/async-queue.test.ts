// The push-to-pull queue behind subscriptions: values in order, a reader that waits is woken by the
// next push, and leaving (return) releases the source at once, even while a reader waits.
import { describe, expect, test } from "vitest";
import { createAsyncQueue, mapAsyncIterator } from "../../src/streams/async-queue.ts";

describe("the async queue", () => {
  test("gives pushed values in order, to a reader that comes later or one already waiting", async () => {
    const queue = createAsyncQueue<number>(() => {});
    queue.push(1);
    queue.push(2);
    expect(await queue.iterator.next()).toEqual({ value: 1, done: false });
    expect(await queue.iterator.next()).toEqual({ value: 2, done: false });
    const waiting = queue.iterator.next();
    queue.push(3);
    expect(await waiting).toEqual({ value: 3, done: false });
  });

  test("return() while a reader waits ends the wait and releases the source once", async () => {
    let released = 0;
    const queue = createAsyncQueue<number>(() => {
      released += 1;
    });
    const waiting = queue.iterator.next();
    await queue.iterator.return?.();
    expect(await waiting).toEqual({ value: undefined, done: true });
    queue.push(1);
    expect(await queue.iterator.next()).toEqual({ value: undefined, done: true });
    await queue.iterator.return?.();
    expect(released).toBe(1);
  });

  test("a mapped stream skips values mapped to null, and its return() reaches the source at once", async () => {
    let released = false;
    const queue = createAsyncQueue<number>(() => {
      released = true;
    });
    const evens = mapAsyncIterator(queue.iterator, async (n) => (n % 2 === 0 ? n * 10 : null));
    queue.push(1);
    queue.push(2);
    expect(await evens.next()).toEqual({ value: 20, done: false });
    await evens.return?.();
    expect(released).toBe(true);
  });
});
