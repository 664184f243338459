// One execution of a live event's selection for all the subscribers who would get the same answer.
// graphql-js runs a subscription's selection once per event per subscriber: 10,000 sockets opened
// with one key (a team's dashboards, a manager's tabs and devices) ran it 10,000 times for the same
// few bytes. The key is the whole viewer, API key included, so sockets of different keys never share. Here the source
// stream is created as graphql-js does (the subscribe resolver, per subscriber, with its filters),
// and each event it yields is executed once per sharing key: the operation document, its variables
// and the subscriber's visibility (sharingKeyOf: every field of the viewer, so an account manager
// never shares with another owner, and masking follows each key's scopes). The other subscribers
// with that key receive the same result; an event object that only one stream yields (a replay) is
// simply executed for it.
//
// Sharing needs the streams to yield the same event object (alert-stream.ts gives every live
// subscriber the same item); results are kept per event object, so they go when the event does. A
// subscriber reading late gets the answer as it was when the first of them executed the event.
//
// The answer is serialised once too: graphql-ws would JSON.stringify each subscriber's copy, then ws
// encode each string to UTF-8 again. A subscriber's result that is still the shared one (data alone,
// no plugin having replaced or added anything) carries its SharedPayload, whose JSON is made at most
// once; graphql-ws.ts writes that, as one buffer for all the subscribers with the same subscription id.
import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
  getOperationAST,
  print,
} from "graphql";
import type { Plugin } from "graphql-yoga";

/** The answer shared by the subscribers of one sharing key to one event, in the wire form graphql-ws gives it. */
export class SharedPayload {
  readonly data: ExecutionResult["data"];
  #json: string | undefined;
  readonly #messages = new Map<string, Buffer>();
  constructor(data: ExecutionResult["data"]) {
    this.data = data;
  }
  /** `{"data":…}`: what graphql-ws sends as a `next` message's payload for a result without errors or extensions. */
  get json(): string {
    this.#json ??= JSON.stringify({ data: this.data });
    return this.#json;
  }
  /**
   * The whole `next` message for a subscription id, as bytes. Clients that number their subscriptions
   * ("1", "2"…) share one buffer per id; graphql-ws's own client picks a random UUID for each, so past
   * the first few ids a message is made for its socket and not kept: an event lives until its slowest
   * subscriber has read it, and a buffer per subscriber kept that long would hold every subscriber's
   * copy of up to the backlog's 500 events behind one stalled socket. The payload's JSON is made once
   * either way.
   */
  nextMessage(id: string): Buffer {
    const kept = this.#messages.get(id);
    if (kept) return kept;
    const message = Buffer.from(nextMessage(id, this.json));
    if (this.#messages.size < KEPT_MESSAGES) this.#messages.set(id, message);
    return message;
  }
}

/** How many subscription ids' messages a shared payload keeps for the sockets that use the same ids. */
const KEPT_MESSAGES = 4;

/** graphql-ws's `next` message of a subscription for a payload, byte for byte as graphql-ws makes it. */
export function nextMessage(id: string, payloadJson: string): string {
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${payloadJson}}`;
}

/**
 * The shared payload a subscriber's result still is, or null: the result must hold `data` alone and
 * the very data that was shared. A plugin that masked errors, added extensions or replaced the data
 * leaves a result that is serialised on its own, as graphql-ws does for any other.
 */
export function sharedPayloadOf(result: ExecutionResult): SharedPayload | null {
  return SharedEnvelope.payloadOf(result);
}

/**
 * A subscriber's result of a shared payload: `data` its one field, the payload private (a plugin that
 * spreads the result into a new object leaves it behind, and is serialised as it made it).
 */
class SharedEnvelope implements ExecutionResult {
  data: ExecutionResult["data"];
  readonly #payload: SharedPayload;
  constructor(payload: SharedPayload) {
    this.data = payload.data;
    this.#payload = payload;
  }
  static payloadOf(result: ExecutionResult): SharedPayload | null {
    if (!(result instanceof SharedEnvelope) || result.data !== result.#payload.data) return null;
    // Nothing added in place either (errors, extensions).
    let fields = 0;
    for (const _ in result) fields += 1;
    return fields === 1 ? result.#payload : null;
  }
}

/**
 * Each subscriber its own envelope, so plugins after this one may replace errors or extensions;
 * `data` itself is shared, so no plugin may edit it in place (none does today).
 */
const resultOf = ({ result, payload }: SharedResult): IteratorResult<ExecutionResult> => ({
  value: payload ? new SharedEnvelope(payload) : { ...result },
  done: false,
});

interface SharedResult {
  result: ExecutionResult;
  /** Null for a result with errors or extensions: those go through every plugin's hands as they are. */
  payload: SharedPayload | null;
}

export interface SharedEventExecutionOptions<Context> {
  /**
   * Equal for two contexts exactly when every resolver answers them alike (the viewer's visibility
   * key); null for a context whose events must not be shared.
   */
  sharingKeyOf(context: Context): string | null;
}

export function useSharedEventExecution<Context>({
  sharingKeyOf,
}: SharedEventExecutionOptions<Context>): Plugin {
  /** Per event object, its execution per sharing key. */
  const executions = new WeakMap<object, Map<string, SharedResult | Promise<SharedResult>>>();
  const printed = new WeakMap<DocumentNode, string>();
  const printOnce = (document: DocumentNode) => {
    let text = printed.get(document);
    if (text === undefined) {
      text = print(document);
      printed.set(document, text);
    }
    return text;
  };

  const subscribe = async (args: ExecutionArgs) => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const visibility = sharingKeyOf(args.contextValue as Context);
    const key =
      visibility === null
        ? null
        : JSON.stringify([
            args.operationName ?? null,
            printOnce(args.document),
            args.variableValues ?? null,
            visibility,
          ]);
    const executeEvent = (event: unknown): Promise<ExecutionResult> =>
      Promise.resolve().then(() => execute({ ...args, rootValue: event }) as ExecutionResult);
    const executeShared = (event: unknown): Promise<SharedResult> =>
      executeEvent(event).then((result) => ({
        result,
        payload:
          result.errors === undefined && result.extensions === undefined && Object.keys(result).length === 1
            ? new SharedPayload(result.data)
            : null,
      }));
    const operation = getOperationAST(args.document, args.operationName);
    const iterator = source[Symbol.asyncIterator]();
    const next = (
      event: unknown,
    ): IteratorResult<ExecutionResult> | Promise<IteratorResult<ExecutionResult>> => {
      if (key === null || typeof event !== "object" || event === null) {
        return executeEvent(event).then((value) => ({ value, done: false }));
      }
      let byKey = executions.get(event);
      if (!byKey) {
        byKey = new Map();
        executions.set(event, byKey);
      }
      let shared = byKey.get(key);
      if (!shared) {
        const sharing = byKey;
        // Once done, the result itself: the subscribers after the first take it without a promise.
        shared = executeShared(event).then((done) => {
          sharing.set(key, done);
          return done;
        });
        byKey.set(key, shared);
      }
      return shared instanceof Promise ? shared.then(resultOf) : resultOf(shared);
    };
    // A plain iterator rather than an async generator or a chain of async functions: it runs once per
    // subscriber for every event, and each promise and await it saves is saved ten thousand times.
    const events: AsyncIterableIterator<ExecutionResult> = {
      next: () =>
        iterator.next().then(
          (step) => (step.done ? { value: undefined, done: true } : next(step.value)),
          (error: unknown) => {
            // As yoga's executor does: the stream's error, located at the operation, with the
            // original kept for error masking (a SlowConsumerError becomes SLOW_CONSUMER).
            throw new GraphQLError((error as Error).message, {
              originalError: error as Error,
              nodes: operation ? [operation] : [],
            });
          },
        ),
      // At once, even while a read is pending (the source releases its listener now).
      return: async () => {
        await iterator.return?.();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => events,
    };
    return events;
  };

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe as Parameters<typeof setSubscribeFn>[0]);
    },
  };
}

function isAsyncIterable(value: object): value is AsyncIterable<unknown> {
  return Symbol.asyncIterator in value;
}
