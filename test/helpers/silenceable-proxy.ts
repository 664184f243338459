// A TCP proxy in front of a server whose open connections can be silenced: bytes stop flowing both
// ways while the sockets stay open, as when a NAT drops a connection without telling either end.
// New connections still pass. Unlike freezing the server process, the server keeps running, so it
// never holds a lock that other sessions wait for.
import net from "node:net";

export interface SilenceableProxy {
  /** The port the proxy listens on (127.0.0.1). */
  port: number;
  /** Stops forwarding on every connection open now; later connections are forwarded. */
  silenceOpenConnections(): void;
  close(): Promise<void>;
}

export async function startSilenceableProxy(target: {
  host: string;
  port: number;
}): Promise<SilenceableProxy> {
  const open = new Set<{ client: net.Socket; server: net.Socket }>();
  const proxy = net.createServer((client) => {
    const server = net.connect(target.port, target.host);
    const pair = { client, server };
    open.add(pair);
    client.pipe(server);
    server.pipe(client);
    const end = () => {
      open.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("error", end).on("close", end);
    server.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once("error", reject);
    proxy.listen(0, "127.0.0.1", resolve);
  });
  return {
    port: (proxy.address() as net.AddressInfo).port,
    silenceOpenConnections() {
      for (const { client, server } of open) {
        client.unpipe(server);
        server.unpipe(client);
        client.pause();
        server.pause();
      }
    },
    async close() {
      for (const { client, server } of open) {
        client.destroy();
        server.destroy();
      }
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
