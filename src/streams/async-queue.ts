// A push queue read as an async iterator: the bridge from callbacks (a pub/sub listener) to the pull
// of a GraphQL subscription. Generic on purpose, below every layer (src/streams imports nothing), so
// that alerts and the graph use one helper. Unlike an async generator, its return() takes effect
// while a reader is waiting (a client that unsubscribes from a quiet stream), so the listener behind
// it is released at once rather than at the next event.

export interface AsyncQueue<T> {
  push(value: T): void;
  iterator: AsyncIterableIterator<T>;
}

export function createAsyncQueue<T>(onClose: () => void): AsyncQueue<T> {
  const values: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | null = null;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    values.length = 0;
    onClose();
    waiting?.({ value: undefined, done: true });
    waiting = null;
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (values.length > 0) return Promise.resolve({ value: values.shift() as T, done: false });
      if (closed) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      close();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error?: unknown) {
      close();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  return {
    push(value) {
      if (closed) return;
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve({ value, done: false });
      } else {
        values.push(value);
      }
    },
    iterator,
  };
}

/**
 * Maps an async iterator with an async function, skipping values it maps to null; return() goes to
 * the source at once, for the same reason as above.
 */
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
