// Who the client is, for the rate limits that key on its address. Behind a reverse proxy every request
// comes from the proxy, so limits per address would lump all clients together; X-Forwarded-For names
// the client, but anyone can send that header, so it is believed only from the proxies configured in
// CXHUB_TRUSTED_PROXIES (none by default). A client that could name itself would get a fresh address,
// and so a fresh allowance of failed keys, with every request.
import { BlockList, isIP } from "node:net";

/** The client's address, from the socket's peer address and the request's X-Forwarded-For. */
export type ClientAddress = (
  socketAddress: string | undefined,
  forwardedFor: string | null | undefined,
) => string;

/** An IPv4 client as an IPv6 socket reports it (::ffff:203.0.113.7), written as IPv4. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** Whether an entry of X-Forwarded-For (which may carry a port or brackets) is an address; as one. */
function forwardedAddress(entry: string): string | null {
  let text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed?.[1]) text = bracketed[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(":"));
  return isIP(text) === 0 ? null : plain(text);
}

/**
 * The rule for the configured proxies (addresses and CIDR blocks). From a trusted proxy, the client is
 * the right-most X-Forwarded-For entry that is not itself a trusted proxy (each proxy appends the
 * address it saw; entries left of the first untrusted one could be the client's own invention).
 */
export function createClientAddress(trustedProxies: readonly string[]): ClientAddress {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address = "", bits] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(bits), family);
  }
  const isTrusted = (address: string) =>
    trustedProxies.length > 0 && trusted.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");

  return (socketAddress, forwardedFor) => {
    if (!socketAddress) return "unknown";
    const peer = plain(socketAddress);
    if (!isTrusted(peer)) return peer;
    const forwarded = (forwardedFor ?? "").split(",");
    let client = peer;
    for (const entry of forwarded.reverse()) {
      const address = forwardedAddress(entry);
      // A malformed entry ends the chain: what lies left of it cannot be trusted either.
      if (address === null) break;
      client = address;
      if (!isTrusted(address)) break;
    }
    return client;
  };
}
