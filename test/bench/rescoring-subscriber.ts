// A child process of the rescoring bench: one graphql-ws subscriber to every churn-risk alert (an
// admin's scope: ALL), in a process of its own so that the hub's slices do not delay its reading. It
// records each alert's customer and the time it arrived, and hands them over when asked (IPC). A
// digest (an owner with more than digestAbove alerts from one slice) stands for the alerts it lists:
// each of them arrived with it.
import WebSocket from "ws";

type Command = { type: "start"; url: string; key: string } | { type: "report" } | { type: "stop" };

/** A digest lists one owner's alerts of one slice: far fewer than a page of 100 here. */
const QUERY = `subscription {
  churnRiskAlerts(scope: ALL) {
    alert { customer { id } }
    digest { alerts(first: 100) { edges { node { customer { id } } } } }
  }
}`;
const received: Array<[customerId: string, receivedAt: number]> = [];
let digests = 0;
let errors: string[] = [];

interface AlertEvent {
  alert: { customer: { id: string } } | null;
  digest: { alerts: { edges: Array<{ node: { customer: { id: string } } }> } } | null;
}

function customerIdOf(globalId: string): string {
  return Buffer.from(globalId, "base64")
    .toString()
    .replace(/^Customer:/, "");
}
let socket: WebSocket | undefined;

process.on("message", (command: Command) => {
  if (command.type === "start") {
    socket = new WebSocket(command.url, "graphql-transport-ws");
    socket.on("open", () =>
      socket?.send(
        JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${command.key}` } }),
      ),
    );
    socket.on("message", (data) => {
      const message = JSON.parse(String(data));
      if (message.type === "connection_ack") {
        socket?.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: QUERY } }));
        // The subscription is live once the server had the message; a round trip makes sure.
        setTimeout(() => process.send?.({ type: "ready" }), 200);
      } else if (message.type === "next") {
        if (message.payload.errors) errors.push(JSON.stringify(message.payload.errors));
        else {
          const event: AlertEvent = message.payload.data.churnRiskAlerts;
          const at = Date.now();
          if (event.digest) digests++;
          const customers = event.alert
            ? [event.alert.customer]
            : (event.digest?.alerts.edges.map((edge) => edge.node.customer) ?? []);
          for (const customer of customers) received.push([customerIdOf(customer.id), at]);
        }
      } else if (message.type === "error") {
        errors.push(JSON.stringify(message.payload));
      } else if (message.type === "ping") {
        socket?.send(JSON.stringify({ type: "pong" }));
      }
    });
    socket.on("error", (error) => errors.push(String(error)));
  } else if (command.type === "report") {
    process.send?.({ type: "report", received: received.splice(0), digests, errors });
    errors = [];
  } else {
    socket?.close(1000);
    process.exit(0);
  }
});
