// The sync bench's fake Shopify shop in its own process: the CDNOW orders (cdnow-shop.ts) behind the
// fake GraphQL Admin API's msw handler (fake-shopify-admin-api.ts, Shopify's documented page format),
// served by a plain node:http server on loopback. A real sync reads a remote API: serving the pages is
// the provider's CPU, not the hub's, so it must not run on the hub's thread as in-process msw would.
// Each answer is built once and replayed to the same request after that (see `built` below).
// The hub reaches it through the sync engine's `fetch`, which sends `https://<shop>/…` here as
// `http://127.0.0.1:<port>/…` (see sync-bench.ts); the handler sees the shop's own URL again.
//
//   FAKE_SHOP_DOMAIN=cdnow.myshopify.com FAKE_SHOP_TOKEN=shpat_… [FAKE_SHOP_ORDERS=2000] node --import tsx fake-shop-server.ts
// Prints "Fake Shopify Admin API at http://127.0.0.1:<port>" when it listens.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getResponse } from "msw";
import { readCdnowMaster } from "../../src/demo/cdnow.ts";
import { cdnowOrder } from "../plugins/helpers/cdnow-shop.ts";
import { fakeShopifyAdminApi } from "../plugins/helpers/fake-shopify-admin-api.ts";
import { type PagesServed, SERVED_PATH } from "./fake-shop-served.ts";

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required.`);
  return value;
}

const shopDomain = requiredEnv("FAKE_SHOP_DOMAIN");
const accessToken = requiredEnv("FAKE_SHOP_TOKEN");
const limit = process.env.FAKE_SHOP_ORDERS ? Number(process.env.FAKE_SHOP_ORDERS) : undefined;
const orders = (await readCdnowMaster()).map(cdnowOrder).slice(0, limit);
// The cost budget is off: a real shop's budget paces a sync far below the bench's figures.
const handlers = [fakeShopifyAdminApi({ orders, customers: [] }, { shopDomain, accessToken, bucket: false })];

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Answers already built, by request (method, path, access token and body): a sync asks for each page
 * once, and the bench reads the shop through once before each measured sync (sync-bench.ts), so
 * the measured sync is answered from here. Building a page (the msw handler's filtering and JSON)
 * is the provider's work, done on its own machines; on this 2-core machine it took CPU from the hub
 * and PostgreSQL inside the sync's time. The handler's answers do not change between identical
 * requests here (the cost budget is off), so a replay sends the same bytes.
 */
const built = new Map<string, { status: number; headers: Record<string, string>; payload: Buffer }>();
const served: PagesServed = { built: 0, replayed: 0 };

async function serve(incoming: IncomingMessage, outgoing: ServerResponse) {
  if (incoming.method === "GET" && incoming.url === SERVED_PATH) {
    outgoing.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(served));
    return;
  }
  const body = incoming.method === "GET" || incoming.method === "HEAD" ? undefined : await readBody(incoming);
  const key = JSON.stringify([
    incoming.method,
    incoming.url,
    incoming.headers["x-shopify-access-token"],
    body,
  ]);
  let answer = built.get(key);
  if (answer) served.replayed++;
  else {
    answer = await build(incoming, body);
    served.built++;
    if (answer.status === 200) built.set(key, answer);
  }
  outgoing.writeHead(answer.status, answer.headers);
  outgoing.end(answer.payload);
}

async function build(incoming: IncomingMessage, body: string | undefined) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  // The URL the connector asked for, so the handler matches it as it would in-process.
  const request = new Request(`https://${shopDomain}${incoming.url}`, {
    method: incoming.method ?? "GET",
    headers,
    body,
  });
  const response = await getResponse(handlers, request);
  if (!response) {
    const payload = Buffer.from(`No fake handler for ${incoming.url}`);
    return { status: 404, headers: { "content-type": "text/plain" }, payload };
  }
  const payload = Buffer.from(await response.arrayBuffer());
  const answerHeaders = { ...Object.fromEntries(response.headers), "content-length": String(payload.length) };
  return { status: response.status, headers: answerHeaders, payload };
}

const server = createServer((incoming, outgoing) => {
  serve(incoming, outgoing).catch((error: unknown) => {
    console.error("The fake shop failed a request:", error);
    if (!outgoing.headersSent) outgoing.writeHead(500, { "content-type": "text/plain" });
    outgoing.end(String(error));
  });
});
// Longer than the gaps between a sync's pages under load, so the connection is kept as a real client's.
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(`Fake Shopify Admin API at http://127.0.0.1:${port} (${orders.length} orders)`);
});
process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
