// A real HTTP receiver for outgoing webhooks: node:http on an ephemeral port of 127.0.0.1, keeping
// every request it got (headers and the exact body bytes) and answering as the test says.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When the request's body had arrived (performance.now()), for latency figures. */
  receivedAt: number;
}

/** How to answer a request: a status (and headers), or nothing at all (the sender times out). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | "hang";

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Answers the next requests in turn; once used up, `fallback` (200 when not set). */
  answers: Answer[];
  fallback: Answer;
  /** Resolves when `count` requests in all have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters = new Set<() => boolean>();
  const hanging = new Set<ServerResponse>();
  const receiver: WebhookReceiver = {
    url: "",
    received,
    answers: [],
    fallback: { status: 200, body: "ok" },
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < count) return false;
          clearTimeout(timer);
          resolve(received.slice(0, count));
          return true;
        };
        const timer = setTimeout(
          () =>
            reject(new Error(`The receiver got ${received.length} of ${count} webhooks in ${timeoutMs} ms.`)),
          timeoutMs,
        );
        if (!check()) waiters.add(check);
      });
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        path: request.url ?? "/",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        receivedAt: performance.now(),
      });
      for (const check of [...waiters]) if (check()) waiters.delete(check);
      const answer = receiver.answers.shift() ?? receiver.fallback;
      if (answer === "hang") {
        hanging.add(response);
        return;
      }
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
