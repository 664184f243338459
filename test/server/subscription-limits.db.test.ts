// Subscriptions are held to the same limits as queries, at subscribe time rather than when their
// first event arrives, over graphql-ws and server-sent events; a refused subscription ends alone,
// and its WebSocket stays open for the others.
import { afterEach, describe, expect } from "vitest";
import WebSocket from "ws";
import { createKey, type LiveHub, startLiveHub } from "../alerts/helpers/live-hub.ts";
import { test } from "../helpers/database.ts";

const TOO_DEEP = `subscription { churnRiskAlerts(scope: ALL) { alert { customer { interactions(first: 1) { edges { node { customer { interactions(first: 1) { edges { node { customer { displayName } } } } } } } } } } } }`;
const TOO_MANY_ALIASES = `subscription { churnRiskAlerts(scope: ALL) { ${Array.from({ length: 16 }, (_, i) => `c${i}: cursor`).join(" ")} } }`;

const hubs: LiveHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

interface Message {
  id?: string;
  type: string;
  payload?: unknown;
}

/** An acknowledged graphql-transport-ws socket whose messages and close a test awaits one by one. */
async function openSocket(url: string, key: string) {
  const socket = new WebSocket(url, "graphql-transport-ws");
  const inbox: Message[] = [];
  const waiting: Array<(message: Message) => void> = [];
  let closed: { code: number } | null = null;
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as Message;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  });
  socket.on("close", (code) => {
    closed = { code };
  });
  const next = (timeoutMs = 5000) =>
    new Promise<Message>((resolve, reject) => {
      const ready = inbox.shift();
      if (ready) return resolve(ready);
      const timer = setTimeout(() => reject(new Error(`No message within ${timeoutMs} ms.`)), timeoutMs);
      waiting.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  await new Promise((resolve) => socket.once("open", resolve));
  socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${key}` } }));
  expect((await next()).type).toBe("connection_ack");
  return {
    next,
    send: (message: Message) => socket.send(JSON.stringify(message)),
    closed: () => closed,
    close: () => socket.close(),
  };
}

/** The errors of a subscription's first answer: an `error` message, or a `next` carrying errors. */
function errorsOf(message: Message): Array<{ message: string; extensions?: Record<string, unknown> }> {
  if (message.type === "error") return message.payload as never;
  return (message.payload as { errors?: never[] }).errors ?? [];
}

describe("subscription limits", () => {
  test("over graphql-ws, a subscription too deep or with too many aliases is refused at once; the socket stays open", async ({
    db,
  }) => {
    const hub = await startLiveHub(db);
    hubs.push(hub);
    const { key } = await createKey(db, "ADMIN");
    const socket = await openSocket(hub.wsUrl, key);

    socket.send({ id: "deep", type: "subscribe", payload: { query: TOO_DEEP } });
    const deep = await socket.next();
    expect(deep.id).toBe("deep");
    expect(errorsOf(deep)[0]).toMatchObject({
      message: expect.stringMatching(/exceeds the maximum depth/),
      extensions: { code: "QUERY_TOO_COMPLEX", limit: "depth" },
    });

    socket.send({ id: "aliases", type: "subscribe", payload: { query: TOO_MANY_ALIASES } });
    let aliases = await socket.next();
    while (aliases.id !== "aliases") aliases = await socket.next();
    expect(errorsOf(aliases)[0]).toMatchObject({
      message: expect.stringMatching(/Aliases limit of 15 exceeded, found 16/),
      extensions: { code: "QUERY_TOO_COMPLEX" },
    });

    socket.send({ type: "ping" });
    let pong = await socket.next();
    while (pong.type === "complete") pong = await socket.next();
    expect(pong.type).toBe("pong");
    expect(socket.closed()).toBeNull();
    socket.close();
  });

  test("over server-sent events, a subscription too deep is refused at once", async ({ db }) => {
    const hub = await startLiveHub(db);
    hubs.push(hub);
    const { key } = await createKey(db, "ADMIN");
    const abort = new AbortController();
    const response = await fetch(`${hub.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        authorization: `Bearer ${key}`,
      },
      body: JSON.stringify({ query: TOO_DEEP }),
      signal: abort.signal,
    });
    const reader = response.body?.getReader();
    let text = "";
    const deadline = Date.now() + 5000;
    while (reader && !text.includes("QUERY_TOO_COMPLEX") && Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<{ done: true; value: undefined }>((resolve) =>
          setTimeout(() => resolve({ done: true, value: undefined }), deadline - Date.now()),
        ),
      ]);
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    abort.abort();
    expect(text).toMatch(/exceeds the maximum depth/);
    expect(text).toMatch(/"code":"QUERY_TOO_COMPLEX"/);
  });
});
