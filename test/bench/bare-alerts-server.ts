// The alerts bench's baseline: a bare graphql-ws server with nothing but the delivery path. The same
// subscription shape as the hub's churnRiskAlerts, owner-scoped topics in memory, and an HTTP
// endpoint (POST /publish {owner, id, displayName}) the bench calls where the hub would have an alert
// committed: the event is stamped raisedAt on arrival and fanned out to the owner's subscribers. No
// database, no authentication (the key is the owner id), no envelop, no Pothos: what is left is
// graphql-js executing each event per subscriber, JSON and the sockets.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { buildSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { createAsyncQueue } from "../../src/streams/async-queue.ts";

interface Event {
  churnRiskAlerts: {
    cursor: string;
    alert: { id: string; raisedAt: string; customer: { displayName: string } };
  };
}

const schema = buildSchema(`
  type Customer { displayName: String }
  type Alert { id: ID! raisedAt: String! customer: Customer! }
  type ChurnRiskAlertEvent { cursor: String! alert: Alert! }
  type Query { ok: Boolean }
  type Subscription { churnRiskAlerts: ChurnRiskAlertEvent! }
`);

const listeners = new Map<string, Set<(event: Event) => void>>();
let position = 0;

const http = createServer((request, response) => {
  if (request.method !== "POST" || request.url !== "/publish") {
    response.writeHead(404).end();
    return;
  }
  let body = "";
  request.on("data", (chunk) => {
    body += chunk;
  });
  request.on("end", () => {
    const { owner, id, displayName } = JSON.parse(body) as { owner: string; id: string; displayName: string };
    position += 1;
    const event: Event = {
      churnRiskAlerts: {
        cursor: String(position),
        alert: { id, raisedAt: new Date().toISOString(), customer: { displayName } },
      },
    };
    for (const listener of listeners.get(owner) ?? []) listener(event);
    response.writeHead(204).end();
  });
});

const wsServer = new WebSocketServer({ server: http, path: "/graphql" });
useServer<Record<string, unknown>, { owner?: string }>(
  {
    schema,
    onConnect: (context) => {
      const authorization = String(context.connectionParams?.authorization ?? "");
      context.extra.owner = authorization.replace(/^Bearer /, "");
      return true;
    },
    context: (context) => ({ owner: context.extra.owner }),
    roots: {
      subscription: {
        churnRiskAlerts: (_args: unknown, context: { owner: string }) => {
          const set = listeners.get(context.owner) ?? new Set();
          listeners.set(context.owner, set);
          const push = (event: Event) => queue.push(event);
          // The hub's bound (MAX_LIVE_BACKLOG in src/alerts/alert-stream.ts, not imported: this
          // server loads nothing of the hub but the queue), so the baseline pays the same bookkeeping.
          const queue = createAsyncQueue<Event>({
            limit: 500,
            onClose: () => set.delete(push),
            whenSlow: "This subscriber fell behind.",
          });
          set.add(push);
          return queue.iterator;
        },
      },
    },
  },
  wsServer,
);

http.listen(0, "127.0.0.1", () => {
  const { port } = http.address() as AddressInfo;
  console.log(`Bare graphql-ws server ready at http://127.0.0.1:${port}/graphql`);
});
process.once("SIGTERM", () => process.exit(0));
