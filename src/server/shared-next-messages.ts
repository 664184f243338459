// graphql-ws builds every `next` message per subscriber (JSON.stringify of the whole result), and ws
// then measures and encodes each string to UTF-8 per socket: for a live event shared by thousands of
// subscribers (use-shared-event-execution.ts), thousands of copies of the same bytes. Here a result
// that is still the shared one is serialised once per event and sharing key: each socket's message is
// that JSON with its subscription id around it, one buffer written as it is (and the same buffer for
// every socket whose client numbered its subscription alike: see SharedPayload.nextMessage).
//
// graphql-ws offers no hook to send bytes of one's own: its onNext may only replace the payload, which
// it then serialises. So onNext hands it a placeholder payload (`{}`, cheap to serialise) and keeps the
// prepared message; the socket's send, wrapped when the socket connects, swaps the placeholder's
// message for it. Messages of one socket keep their order: graphql-ws sends each `next` right after
// its onNext, and a subscription has one `next` in flight at a time.

import type { ExecutionResult } from "graphql";
import type { WebSocket } from "ws";
import { nextMessage, sharedPayloadOf } from "./use-shared-event-execution.ts";

interface Prepared {
  /** The message graphql-ws sends for the placeholder payload: `{"id":…,"type":"next","payload":{}}`. */
  placeholder: string;
  message: Buffer;
}

const PLACEHOLDER_PAYLOAD: Record<string, never> = Object.freeze({});

export function createSharedNextMessages() {
  const pending = new WeakMap<WebSocket, Prepared[]>();
  return {
    /** Wraps the socket's send; call when it connects, before graphql-ws sends anything on it. */
    attach(socket: WebSocket): void {
      const queue: Prepared[] = [];
      pending.set(socket, queue);
      const send = socket.send.bind(socket);
      socket.send = ((data: unknown, options?: unknown, callback?: unknown) => {
        if (queue.length > 0 && typeof data === "string") {
          const index = queue.findIndex((prepared) => prepared.placeholder === data);
          const prepared = index === -1 ? undefined : queue.splice(index, 1)[0];
          if (prepared) {
            // A text frame, as for the string it replaces; ws writes the buffer without copying it.
            const done = typeof options === "function" ? options : callback;
            return send(prepared.message, { binary: false }, done as (error?: Error) => void);
          }
        }
        return (send as (...args: unknown[]) => void)(data, options, callback);
      }) as WebSocket["send"];
    },
    /**
     * graphql-ws's onNext: the placeholder payload for a shared result on an open socket (its message
     * is then swapped in by send), nothing otherwise (graphql-ws serialises the result itself).
     */
    onNext(socket: WebSocket, id: string, result: ExecutionResult): Record<string, never> | undefined {
      const queue = pending.get(socket);
      // graphql-ws sends nothing on a socket that is no longer open: nothing to prepare.
      if (!queue || socket.readyState !== socket.OPEN) return undefined;
      const payload = sharedPayloadOf(result);
      if (!payload) return undefined;
      queue.push({ placeholder: nextMessage(id, "{}"), message: payload.nextMessage(id) });
      return PLACEHOLDER_PAYLOAD;
    },
  };
}
