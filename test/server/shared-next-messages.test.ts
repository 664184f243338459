// A live event shared by many subscribers goes out as one prepared message: the bytes graphql-ws
// would have sent, made once and written as one buffer to every socket of the same sharing key and
// subscription id. Over real sockets (ws, graphql-ws, yoga's envelope), as graphql-ws.ts wires it.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecutionResult } from "graphql";
import { stringifyMessage } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { createYoga, type Plugin } from "graphql-yoga";
import { afterEach, describe, expect, test } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { createSharedNextMessages } from "../../src/server/shared-next-messages.ts";
import {
  nextMessage,
  SharedPayload,
  useSharedEventExecution,
} from "../../src/server/use-shared-event-execution.ts";
import { type Event, liveSchema, type Viewer } from "../helpers/live-event-schema.ts";

function liveServer(extraPlugins: Plugin[] = []) {
  const { schema, publish, listening } = liveSchema();
  const yoga = createYoga<Record<string, unknown>, { viewer: Viewer }>({
    schema,
    context: ({ viewer }) => ({ viewer: viewer as Viewer }),
    plugins: [
      ...extraPlugins,
      useSharedEventExecution<{ viewer: Viewer }>({ sharingKeyOf: ({ viewer }) => JSON.stringify(viewer) }),
    ],
  });
  const http = createServer();
  const wsServer = new WebSocketServer({ server: http, path: "/graphql" });
  const shared = createSharedNextMessages();
  /** What each server-side socket was asked to send, in order, after the swap. */
  const written = new Map<WebSocket, unknown[]>();
  wsServer.on("connection", (socket) => {
    const send = socket.send.bind(socket);
    const log: unknown[] = [];
    written.set(socket, log);
    socket.send = ((data: unknown, ...rest: unknown[]) => {
      log.push(data);
      return (send as (...args: unknown[]) => void)(data, ...rest);
    }) as WebSocket["send"];
    shared.attach(socket);
  });
  useServer<Record<string, unknown>, { viewer?: Viewer }>(
    {
      onConnect: (context) => {
        context.extra.viewer = context.connectionParams as unknown as Viewer;
        return true;
      },
      onSubscribe: async (context, _id, payload) => {
        const enveloped = yoga.getEnveloped({ viewer: context.extra.viewer });
        return {
          schema: enveloped.schema,
          document: enveloped.parse(payload.query),
          contextValue: await enveloped.contextFactory(),
          rootValue: { subscribe: enveloped.subscribe },
        };
      },
      subscribe: (args) => (args.rootValue as { subscribe: (a: typeof args) => never }).subscribe(args),
      onNext: (context, id, _payload, _args, result) => shared.onNext(context.extra.socket, id, result),
    },
    wsServer,
  );
  return {
    http,
    written: () => [...written.values()],
    publish: (event: Event) => {
      publish(event);
    },
    subscribers: listening,
  };
}

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function start(extraPlugins?: Plugin[]) {
  const server = liveServer(extraPlugins);
  server.http.listen(0, "127.0.0.1");
  await once(server.http, "listening");
  closers.push(() => server.http.close());
  const url = `ws://127.0.0.1:${(server.http.address() as AddressInfo).port}/graphql`;
  const subscribe = async (viewer: Viewer, id = "1") => {
    const socket = new WebSocket(url, "graphql-transport-ws");
    closers.push(() => socket.terminate());
    const received: string[] = [];
    socket.on("message", (data) => received.push(String(data)));
    await once(socket, "open");
    socket.send(JSON.stringify({ type: "connection_init", payload: viewer }));
    await waitFor(() => received.length === 1);
    socket.send(
      JSON.stringify({ id, type: "subscribe", payload: { query: "subscription { events { id note } }" } }),
    );
    return received;
  };
  return { server, subscribe };
}

async function waitFor(condition: () => boolean) {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error("Timed out waiting.");
}

const ana = { name: "Ana", pii: false };
const anaWithPii = { name: "Ana", pii: true };
const next = (id: string, payload: ExecutionResult) =>
  stringifyMessage({ id, type: "next", payload } as never);

describe("a shared live event over graphql-ws", () => {
  test("reaches each subscriber as graphql-ws would send it, one buffer for those who share it", async () => {
    const { server, subscribe } = await start();
    const masked = await Promise.all([subscribe(ana), subscribe(ana), subscribe(ana, "other id")]);
    const unmasked = await subscribe(anaWithPii);
    await waitFor(() => server.subscribers() === 4);
    server.publish({ id: "e1", note: "zoe@example.org" });
    await waitFor(() => [...masked, unmasked].every((received) => received.length === 2));

    expect(masked[0]?.[1]).toBe(next("1", { data: { events: { id: "e1", note: "•••" } } }));
    expect(masked[1]?.[1]).toBe(next("1", { data: { events: { id: "e1", note: "•••" } } }));
    expect(masked[2]?.[1]).toBe(next("other id", { data: { events: { id: "e1", note: "•••" } } }));
    expect(unmasked[1]).toBe(next("1", { data: { events: { id: "e1", note: "zoe@example.org" } } }));

    const nexts = server.written().map((sent) => sent.at(-1));
    for (const sent of nexts) expect(Buffer.isBuffer(sent)).toBe(true);
    // The two sockets of one sharing key and id were written the very same buffer; the others their own.
    expect(new Set(nexts).size).toBe(3);
  });

  test("leaves a result a plugin changed to graphql-ws to serialise", async () => {
    const withExtensions: Plugin = {
      onSubscribe: () => ({
        onSubscribeResult: () => ({
          onNext: ({ result, setResult }) => setResult({ ...result, extensions: { checked: true } }),
        }),
      }),
    };
    const { server, subscribe } = await start([withExtensions]);
    const received = await subscribe(ana);
    await waitFor(() => server.subscribers() === 1);
    server.publish({ id: "e2", note: "n" });
    await waitFor(() => received.length === 2);
    expect(received[1]).toBe(
      next("1", { data: { events: { id: "e2", note: "•••" } }, extensions: { checked: true } }),
    );
    expect(typeof server.written()[0]?.at(-1)).toBe("string");
  });
});

describe("nextMessage", () => {
  test("is graphql-ws's own next message, for any id", () => {
    const payload = { data: { events: { note: 'a "quoted" é ✓' } } };
    for (const id of ["1", 'q"uo\\te', "é✓\u2028", "x".repeat(200)]) {
      expect(nextMessage(id, JSON.stringify(payload))).toBe(next(id, payload));
    }
  });
});

describe("SharedPayload.nextMessage", () => {
  test("a message per subscription id, right for every id, and only the first few ids' buffers kept", () => {
    const data = { events: { id: "e1", note: "é" } };
    const payload = new SharedPayload(data);
    const ids = Array.from({ length: 10 }, () => randomUUID());
    for (const id of ids) {
      expect(payload.nextMessage(id).toString("utf8")).toBe(next(id, { data }));
    }
    // Numbered ids shared by many sockets get one buffer; graphql-ws's random UUIDs would otherwise
    // keep a buffer per subscriber for as long as the slowest of them holds the event.
    const kept = ids.filter((id) => {
      const first = payload.nextMessage(id);
      return payload.nextMessage(id) === first;
    });
    expect(kept).toEqual(ids.slice(0, 4));
  });
});
