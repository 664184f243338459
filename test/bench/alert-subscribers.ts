// A child process of the alerts bench that holds many graphql-ws subscribers, so that the server's
// process is measured alone. It speaks the graphql-transport-ws protocol over plain `ws` (lighter
// than a client library per socket), subscribes each socket to churnRiskAlerts, and records for each
// alert received its latency: receipt time minus the alert's raisedAt (set by the database as the
// alert is inserted, the last statement before its transaction commits), kept per alert (by its
// customer's name, one alert per measured customer) so that the bench can also take the latency from
// the alert's publication. Warm-up alerts (customers named "warm-…") only mark a subscriber as live.
// Driven by the bench over IPC.
import { randomUUID } from "node:crypto";
import WebSocket from "ws";

interface Start {
  type: "start";
  url: string;
  /** One API key per subscriber to open. */
  keys: string[];
}
type Command = Start | { type: "report" } | { type: "stop" };

const QUERY = `subscription { churnRiskAlerts { cursor alert { id raisedAt customer { displayName } } } }`;
const OPENING_AT_ONCE = 100;

const sockets: WebSocket[] = [];
const warm = new Set<number>();
/** Per alert (its customer's display name), the latency of each receipt. */
let latencies = new Map<string, number[]>();
let deliveries = 0;
let errors = 0;
let firstError = "";

function send(message: unknown) {
  process.send?.(message);
}

function open(url: string, key: string, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws");
    sockets.push(socket);
    socket.on("open", () => {
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${key}` } }));
    });
    socket.on("message", (data) => {
      const message = JSON.parse(String(data));
      if (message.type === "connection_ack") {
        // A random id per subscription, as graphql-ws's own client (createClient) picks them.
        socket.send(JSON.stringify({ id: randomUUID(), type: "subscribe", payload: { query: QUERY } }));
        resolve();
      } else if (message.type === "next") {
        const now = Date.now();
        if (message.payload.errors) {
          errors += 1;
          firstError ||= JSON.stringify(message.payload.errors);
          return;
        }
        const alert = message.payload.data.churnRiskAlerts.alert;
        if (alert.customer.displayName?.startsWith("warm-")) {
          warm.add(index);
          return;
        }
        deliveries += 1;
        const name = alert.customer.displayName as string;
        const list = latencies.get(name);
        if (list) list.push(now - Date.parse(alert.raisedAt));
        else latencies.set(name, [now - Date.parse(alert.raisedAt)]);
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      }
    });
    socket.on("error", (error) => reject(error));
    socket.on("close", (code, reason) => {
      if (code !== 1000) {
        errors += 1;
        firstError ||= `closed ${code} ${reason}`;
      }
    });
  });
}

process.on("message", async (command: Command) => {
  if (command.type === "start") {
    let opened = 0;
    for (let start = 0; start < command.keys.length; start += OPENING_AT_ONCE) {
      const batch = command.keys.slice(start, start + OPENING_AT_ONCE);
      const results = await Promise.allSettled(batch.map((key, i) => open(command.url, key, start + i)));
      opened += results.filter((result) => result.status === "fulfilled").length;
      for (const result of results) {
        if (result.status === "rejected") firstError ||= String(result.reason);
      }
    }
    send({ type: "started", opened, failed: command.keys.length - opened, firstError });
  } else if (command.type === "report") {
    send({ type: "report", warm: warm.size, deliveries, errors, firstError, latencies: [...latencies] });
    latencies = new Map();
    deliveries = 0;
  } else if (command.type === "stop") {
    for (const socket of sockets) socket.close(1000);
    process.exit(0);
  }
});
