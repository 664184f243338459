// A child process of the rescoring bench: one graphql-ws subscriber to every churn-risk alert (an
// admin's scope: ALL), in a process of its own so that the hub's slices do not delay its reading. It
// records each alert's customer and the time it arrived, and hands them over when asked (IPC).
import WebSocket from "ws";

type Command = { type: "start"; url: string; key: string } | { type: "report" } | { type: "stop" };

const QUERY = "subscription { churnRiskAlerts(scope: ALL) { alert { customer { id } } } }";
const received: Array<[customerId: string, receivedAt: number]> = [];
let errors: string[] = [];
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
          const globalId: string = message.payload.data.churnRiskAlerts.alert.customer.id;
          const customerId = Buffer.from(globalId, "base64")
            .toString()
            .replace(/^Customer:/, "");
          received.push([customerId, Date.now()]);
        }
      } else if (message.type === "error") {
        errors.push(JSON.stringify(message.payload));
      } else if (message.type === "ping") {
        socket?.send(JSON.stringify({ type: "pong" }));
      }
    });
    socket.on("error", (error) => errors.push(String(error)));
  } else if (command.type === "report") {
    process.send?.({ type: "report", received: received.splice(0), errors });
    errors = [];
  } else {
    socket?.close(1000);
    process.exit(0);
  }
});
