// Operators on the async iterators that subscriptions read. Each passes return() to its source at
// once, even while a read is pending, so that a client leaving a quiet stream releases the listener
// behind it now rather than at the next event (an async generator would wait for that event).

/** Maps each value with an async function, skipping the values it maps to null. */
export function mapAsyncIterator<T, U>(
  source: AsyncIterator<T>,
  map: (value: T) => Promise<U | null>,
): AsyncIterableIterator<U> {
  const iterator: AsyncIterableIterator<U> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done) return { value: undefined, done: true };
        const mapped = await map(result.value);
        if (mapped !== null) return { value: mapped, done: false };
      }
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** The given values first, then the source's (a replay ahead of live values). */
export function startWith<T>(values: readonly T[], source: AsyncIterator<T>): AsyncIterableIterator<T> {
  let next = 0;
  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (next < values.length) return Promise.resolve({ value: values[next++] as T, done: false });
      return source.next();
    },
    async return() {
      next = values.length;
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
