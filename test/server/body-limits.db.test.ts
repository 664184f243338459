// Issue 14: no request body is read past its limit. Over the real HTTP server, so that both ways a
// client can send a body are covered: with a Content-Length (refused unread) and chunked (read up to
// the limit, then refused). The refusal is a 413 with a typed GraphQL error; bodies within the limit,
// either way, are served as before. WebSocket messages are held to the same limit.
import { request as httpRequest } from "node:http";
import { describe, expect } from "vitest";
import WebSocket from "ws";
import { createApiKey } from "../../src/auth/api-keys.ts";
import { handleWebhook } from "../../src/connectors/webhooks/handle-webhook.ts";
import { createLogger } from "../../src/logger.ts";
import { startHubServer } from "../../src/server/create-server.ts";
import { installTemplate, plugins, SECRET_KEY } from "../connectors/helpers/hub.ts";
import { test } from "../helpers/database.ts";
import { writesAt } from "../helpers/writes.ts";

const LIMITS = { maxBytes: 4 * 1024, maxWebhookBytes: 16 * 1024 };

interface Sent {
  status: number;
  body: string;
}

/** POSTs the body to the server, chunked (no Content-Length) or with its length declared. */
function post(url: string, body: string, options: { chunked: boolean; key?: string }): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
          ...(options.chunked ? {} : { "content-length": String(Buffer.byteLength(body)) }),
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    // The server may answer before it has read the whole body and close the connection.
    outgoing.on("error", reject);
    if (options.chunked) {
      for (let at = 0; at < body.length; at += 1024) outgoing.write(body.slice(at, at + 1024));
      outgoing.end();
    } else {
      outgoing.end(body);
    }
  });
}

/** Sends `init` on a graphql-transport-ws socket and resolves with how the server answered it. */
function firstAnswer(url: string, init: string): Promise<{ message?: string; closeCode?: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, "ws"), "graphql-transport-ws");
    socket.on("error", reject);
    socket.once("open", () => socket.send(init));
    socket.once("message", (data) => {
      resolve({ message: String(data) });
      socket.close();
    });
    socket.once("close", (code) => resolve({ closeCode: code }));
  });
}

const operation = (padding: number) =>
  JSON.stringify({ query: "{ viewer { role } }", variables: { padding: "x".repeat(padding) } });

describe("the request body limit", () => {
  for (const chunked of [false, true]) {
    const how = chunked ? "chunked" : "with a Content-Length";
    test(`refuses a /graphql body over the limit ${how} with 413 and PAYLOAD_TOO_LARGE`, async ({ db }) => {
      const { key } = await createApiKey(db.prisma, {
        principal: { name: "Ops" },
        name: "ops",
        role: "ADMIN",
      });
      const hub = await startHubServer({
        database: db,
        logger: createLogger("silent"),
        bodyLimits: LIMITS,
        port: 0,
        host: "127.0.0.1",
      });
      try {
        const within = await post(`${hub.url}/graphql`, operation(3 * 1024), { chunked, key });
        expect(within.status).toBe(200);
        expect(JSON.parse(within.body)).toEqual({ data: { viewer: { role: "ADMIN" } } });

        const over = await post(`${hub.url}/graphql`, operation(5 * 1024), { chunked, key });
        expect(over.status).toBe(413);
        expect(JSON.parse(over.body)).toEqual({
          errors: [
            {
              message: expect.stringContaining("larger than 4096 bytes"),
              extensions: { code: "PAYLOAD_TOO_LARGE" },
            },
          ],
        });
        // yoga serves GraphQL on any path ending in /graphql: under /webhooks/ too, and held the same.
        const disguised = await post(`${hub.url}/webhooks/x/graphql`, operation(5 * 1024), { chunked, key });
        expect(disguised.status).toBe(413);
      } finally {
        await hub.close();
      }
    });
  }

  test("holds WebSocket messages to the same limit: one over it closes the socket with 1009", async ({
    db,
  }) => {
    const { key } = await createApiKey(db.prisma, { principal: { name: "Ops" }, name: "ops", role: "ADMIN" });
    const hub = await startHubServer({
      database: db,
      logger: createLogger("silent"),
      bodyLimits: LIMITS,
      port: 0,
      host: "127.0.0.1",
    });
    const init = (padding: number) =>
      JSON.stringify({
        type: "connection_init",
        payload: { authorization: `Bearer ${key}`, padding: "x".repeat(padding) },
      });
    try {
      const within = await firstAnswer(`${hub.url}/graphql`, init(3 * 1024));
      expect(JSON.parse(within.message ?? "{}")).toMatchObject({ type: "connection_ack" });

      // 1009: Message Too Big, as the WebSocket registry names it.
      expect(await firstAnswer(`${hub.url}/graphql`, init(5 * 1024))).toEqual({ closeCode: 1009 });
    } finally {
      await hub.close();
    }
  });

  test("webhooks are held to their own, larger limit by their handler, not to /graphql's", async ({ db }) => {
    const hub = await startHubServer({
      database: db,
      logger: createLogger("silent"),
      bodyLimits: LIMITS,
      port: 0,
      host: "127.0.0.1",
    });
    try {
      // Over the /graphql limit: passed to the webhook handler, which answers for what it is (no
      // such connector). The handler's own limit is the next test's.
      const large = await post(`${hub.url}/webhooks/nobody`, operation(8 * 1024), { chunked: true });
      expect(large.status).toBe(404);
    } finally {
      await hub.close();
    }
  });

  test("the webhook handler refuses a chunked body over its limit with 413, having read no more than it", async ({
    db,
  }) => {
    await installTemplate(db.prisma);
    let sent = 0;
    // An endless body, as a stream: a handler that read it all would never answer.
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1024;
        controller.enqueue(new Uint8Array(1024).fill(120));
      },
    });
    const response = await handleWebhook(
      {
        db: db.prisma,
        plugins,
        secretKey: SECRET_KEY,
        writes: writesAt(new Date("2026-03-06T10:00:00Z")),
        maxBodyBytes: LIMITS.maxWebhookBytes,
      },
      "tinydesk",
      new Request("https://hub.example/webhooks/tinydesk", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: endless,
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(LIMITS.maxWebhookBytes + 64 * 1024);
  });
});
