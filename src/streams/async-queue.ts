// A push queue read as an async iterator: the bridge from callbacks (a pub/sub listener) to the pull
// of a GraphQL subscription. Generic on purpose, below every layer (src/streams imports nothing), so
// that alerts and the graph use one helper. Unlike an async generator, its return() takes effect
// while a reader is waiting (a client that unsubscribes from a quiet stream), so the listener behind
// it is released at once rather than at the next event.
//
// Bounded, because the reader is a network client: one that stops reading (a stalled connection, a
// network slower than the events) would otherwise make the queue, and the process, grow without
// end. The slow-consumer policy: when more than `limit` values would wait, the queue ends. It drops
// what it holds, releases its source, and the reader's next read fails with a SlowConsumerError
// whose message says how to resume; memory stays bounded by `limit` values per reader. The queue
// cannot know how a reader resumes: a stream built on it must give the reader a way to resume
// without loss (the alert stream's `since` cursor) or lose nothing by design (coalesced values).

/** The reader fell more than `limit` values behind, so its stream was ended. */
export class SlowConsumerError extends Error {
  override name = "SlowConsumerError";
  readonly limit: number;
  constructor(message: string, limit: number) {
    super(message);
    this.limit = limit;
  }
}

export interface AsyncQueueOptions {
  /** The most values that may wait for the reader; one more ends the queue. */
  limit: number;
  /** Releases what feeds the queue (a listener): called once, whichever way the queue ends. */
  onClose: () => void;
  /** The SlowConsumerError's message: what happened, and how the reader resumes. */
  whenSlow: string;
}

export interface AsyncQueue<T> {
  /** Hands a value to the reader, or queues it; ignored once the queue has ended. */
  push(value: T): void;
  /** How many values wait for the reader. */
  readonly size: number;
  iterator: AsyncIterableIterator<T>;
}

export function createAsyncQueue<T>({ limit, onClose, whenSlow }: AsyncQueueOptions): AsyncQueue<T> {
  const values: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | null = null;
  let closed = false;
  /** Set when the reader fell behind: its next read fails with it, once. */
  let failure: SlowConsumerError | null = null;

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
      if (failure) {
        const error = failure;
        failure = null;
        return Promise.reject(error);
      }
      if (values.length > 0) return Promise.resolve({ value: values.shift() as T, done: false });
      if (closed) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      failure = null;
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
      } else if (values.length < limit) {
        values.push(value);
      } else {
        // No reader waits (a waiting reader takes the value above), so the failure is read next.
        failure = new SlowConsumerError(whenSlow, limit);
        close();
      }
    },
    get size() {
      return values.length;
    },
    iterator,
  };
}
