// A real hub for subscription tests, in-process: the HTTP server with graphql-ws on a free port, the
// live alert services (in-process bus, or Redis), and clients that subscribe over a WebSocket or
// server-sent events and let a test await each event instead of sleeping.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { type LiveAlerts, startLiveAlerts } from "../../../src/alerts/live-alerts.ts";
import { type CreateApiKeyInput, createApiKey } from "../../../src/auth/api-keys.ts";
import type { Database } from "../../../src/db/database.ts";
import { createLogger } from "../../../src/logger.ts";
import { startHubServer } from "../../../src/server/create-server.ts";
import { submitFeedback, upsertCustomer } from "../../helpers/writes.ts";

export interface LiveHub {
  url: string;
  wsUrl: string;
  live: LiveAlerts;
  close(): Promise<void>;
}

export async function startLiveHub(
  database: Database,
  options: { redis?: { url: string; channelPrefix: string } } = {},
): Promise<LiveHub> {
  const logger = createLogger("silent");
  const live = await startLiveAlerts({ database, logger, redis: options.redis });
  const hub = await startHubServer({ database, logger, live, port: 0, host: "127.0.0.1" });
  return {
    url: hub.url,
    wsUrl: `${hub.url.replace(/^http/, "ws")}/graphql`,
    live,
    async close() {
      await hub.close();
      await live.close();
    },
  };
}

export async function createKey(
  database: Database,
  role: CreateApiKeyInput["role"],
  principal: { id: string } | { name: string } = { name: `${role} caller` },
) {
  return createApiKey(database.prisma, { principal, name: "test key", role });
}

/** An account manager with a key and one customer of their own at MEDIUM risk (a fresh profile). */
export async function managerWithCustomer(database: Database, name: string) {
  const { key, principal } = await createKey(database, "ACCOUNT_MANAGER", { name });
  const { customer } = await upsertCustomer(database.prisma, {
    identities: [{ kind: "EMAIL", value: `${name.toLowerCase().replace(/\W+/g, ".")}.client@example.com` }],
    displayName: `${name}'s client`,
  });
  await database.prisma.customer.update({ where: { id: customer.id }, data: { ownerId: principal.id } });
  return { key, principal, customerId: customer.id };
}

let answers = 0;
/** A detractor answer: takes a fresh customer (50%) to HIGH, which raises an alert when it commits. */
export function detractorAnswer(database: Database, customerId: string, score = 0) {
  answers += 1;
  return submitFeedback(database.prisma, {
    customer: { id: customerId },
    source: "survey",
    externalId: `answer-${answers}-${Date.now()}`,
    kind: "NPS",
    score,
    respondedAt: new Date(Date.now() - 60_000 + answers),
  });
}

export interface GraphResult<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** Results of one subscription, awaited one at a time. */
export interface EventStream<T> {
  /** The next result, or a rejection after `timeoutMs` saying what was awaited. */
  next(timeoutMs?: number): Promise<GraphResult<T>>;
  close(): void;
}

interface Feed<T> extends EventStream<T> {
  push(result: GraphResult<T>): void;
  fail(error: unknown): void;
  onClose(close: () => void): void;
}

function eventStream<T>(): Feed<T> {
  const results: GraphResult<T>[] = [];
  const waiting: Array<{ resolve: (r: GraphResult<T>) => void; reject: (e: unknown) => void }> = [];
  let failure: unknown = null;
  let onClose = () => {};
  return {
    push(result) {
      const waiter = waiting.shift();
      if (waiter) waiter.resolve(result);
      else results.push(result);
    },
    fail(error) {
      failure = error;
      for (const waiter of waiting.splice(0)) waiter.reject(error);
    },
    next(timeoutMs = 10_000) {
      const ready = results.shift();
      if (ready) return Promise.resolve(ready);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`No subscription event arrived within ${timeoutMs} ms.`)),
          timeoutMs,
        );
        waiting.push({
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      });
    },
    close() {
      onClose();
    },
    onClose(close) {
      onClose = close;
    },
  };
}

/** Subscribes over graphql-ws with the key in connection_init; resolves once the server acknowledged. */
export async function subscribeOverWebSocket<T, V>(
  wsUrl: string,
  key: string,
  document: TypedDocumentNode<T, V>,
  variables: V,
): Promise<EventStream<T>> {
  const stream = eventStream<T>();
  let acknowledged: () => void = () => {};
  const connected = new Promise<void>((resolve) => {
    acknowledged = resolve;
  });
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: false,
    on: {
      connected: () => acknowledged(),
      message: (m) => process.env.DEBUG_WS && console.log("ws<", JSON.stringify(m)),
      closed: (e) => process.env.DEBUG_WS && console.log("ws closed", (e as { code?: number }).code),
    },
    onNonLazyError: (error) => stream.fail(error),
  });
  const unsubscribe = client.subscribe(
    { query: print(document), variables: variables as Record<string, unknown> },
    {
      next: (result) => stream.push(result as GraphResult<T>),
      error: (error) => stream.fail(error),
      complete: () => {},
    },
  );
  stream.onClose(() => {
    unsubscribe();
    void client.dispose();
  });
  await connected;
  return stream;
}

/** Subscribes over server-sent events (yoga) with the key in the Authorization header. */
export async function subscribeOverSse<T, V>(
  url: string,
  key: string,
  document: TypedDocumentNode<T, V>,
  variables: V,
): Promise<EventStream<T> & { response: Response }> {
  const stream = eventStream<T>();
  const abort = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "text/event-stream",
      authorization: `Bearer ${key}`,
    },
    body: JSON.stringify({ query: print(document), variables }),
    signal: abort.signal,
  });
  stream.onClose(() => abort.abort());
  if (response.ok && response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end = buffer.indexOf("\n\n");
          while (end >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = message
              .split("\n")
              .filter((line) => line.startsWith("data:"))
              .map((line) => line.slice(5).trim())
              .join("\n");
            if (message.startsWith("event: next") && data) stream.push(JSON.parse(data));
            end = buffer.indexOf("\n\n");
          }
        }
      } catch (error) {
        if (!abort.signal.aborted) stream.fail(error);
      }
    })();
  }
  return Object.assign(stream, { response });
}

export { WebSocket };
