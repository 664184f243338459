// Operators on subscription streams: mapping skips nulls, a prefix comes before the source, and
// leaving either reaches the source at once.
import { describe, expect, test } from "vitest";
import { mapAsyncIterator, startWith } from "../../src/streams/async-iterators.ts";
import { createAsyncQueue } from "../../src/streams/async-queue.ts";

function queueOf() {
  const source = { released: false };
  const queue = createAsyncQueue<number>({
    limit: 10,
    onClose: () => {
      source.released = true;
    },
    whenSlow: "Resubscribe.",
  });
  return { queue, source };
}

describe("stream operators", () => {
  test("a mapped stream skips values mapped to null, and its return() reaches the source at once", async () => {
    const { queue, source } = queueOf();
    const evens = mapAsyncIterator(queue.iterator, async (n: number) => (n % 2 === 0 ? n * 10 : null));
    queue.push(1);
    queue.push(2);
    expect(await evens.next()).toEqual({ value: 20, done: false });
    const pending = evens.next();
    await evens.return?.();
    expect(source.released).toBe(true);
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  test("startWith gives its values, then the source's; leaving during the prefix releases the source", async () => {
    const { queue, source } = queueOf();
    const stream = startWith([1, 2], queue.iterator);
    queue.push(3);
    expect(await stream.next()).toEqual({ value: 1, done: false });
    expect(await stream.next()).toEqual({ value: 2, done: false });
    expect(await stream.next()).toEqual({ value: 3, done: false });

    const other = queueOf();
    const left = startWith([1, 2], other.queue.iterator);
    expect(await left.next()).toEqual({ value: 1, done: false });
    await left.return?.();
    expect(other.source.released).toBe(true);
    expect(await left.next()).toEqual({ value: undefined, done: true });
    expect(source.released).toBe(false);
  });
});
