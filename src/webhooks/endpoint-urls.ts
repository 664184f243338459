// Where webhooks may go. An endpoint's URL is http or https, without credentials in it; and unless the
// hub allows private URLs (CXHUB_WEBHOOK_ALLOW_PRIVATE_URLS), its host must not resolve to a loopback,
// private, link-local or otherwise internal address: an admin's URL is a request the hub makes from
// inside its network, the server-side request forgery the specification warns of. The check runs
// when an endpoint is saved and again before every attempt, since a name can resolve elsewhere later.
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { ValidationError } from "../domain/errors.ts";

const MAX_URL_LENGTH = 2048;

const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  INTERNAL.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  INTERNAL.addSubnet(network, prefix, "ipv6");

/** Whether an IP address is internal (loopback, private, link-local, multicast, reserved). */
export function isInternalAddress(address: string): boolean {
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) reaches the IPv4 address inside it.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isInternalAddress(mapped);
  const family = isIP(address);
  if (family === 0) return false;
  return INTERNAL.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** The URL's form: parsed, http(s), no credentials; or a ValidationError at `path` saying what to fix. */
export function parseEndpointUrl(text: string, path: Array<string | number> = ["url"]): URL {
  const refuse = (message: string) =>
    new ValidationError(`The endpoint URL ${message}.`, [{ path, message: `the URL ${message}` }]);
  const trimmed = text.trim();
  if (trimmed.length > MAX_URL_LENGTH) throw refuse(`is longer than ${MAX_URL_LENGTH} characters`);
  if (!URL.canParse(trimmed)) throw refuse("is not a URL: give one such as https://hooks.example.com/cx");
  const url = new URL(trimmed);
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw refuse(`uses ${url.protocol.replace(/:$/, "")}: only http and https are delivered to`);
  if (url.username || url.password)
    throw refuse(
      "holds credentials: drop them, and verify the webhook-signature header on the receiving side instead",
    );
  if (url.hostname === "") throw refuse("has no host");
  return url;
}

/**
 * Refuses a URL whose host is, or resolves to, an internal address, unless `allowPrivate`. Throws a
 * ValidationError naming the address, and how to allow it where that is intended.
 */
export async function assertDeliverableUrl(
  url: URL,
  { allowPrivate }: { allowPrivate: boolean },
  path: Array<string | number> = ["url"],
): Promise<void> {
  if (allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch (error) {
      throw new ValidationError(
        `The endpoint's host ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? "lookup failed"}): check the URL.`,
        [{ path, message: "the host does not resolve" }],
      );
    }
  }
  const internal = addresses.find(isInternalAddress);
  if (internal === undefined) return;
  throw new ValidationError(
    `The endpoint's host ${host} is the internal address ${internal}: the hub does not post to loopback, private or link-local addresses unless CXHUB_WEBHOOK_ALLOW_PRIVATE_URLS=true.`,
    [{ path, message: "the URL points at an internal address" }],
  );
}
