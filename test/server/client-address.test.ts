// Who the client is for the rate limits: X-Forwarded-For is believed only from configured proxies.
import { describe, expect, test } from "vitest";
import { createClientAddress } from "../../src/server/client-address.ts";

describe("the client address", () => {
  test("with no trusted proxy, is the socket's peer whatever X-Forwarded-For says", () => {
    const address = createClientAddress([]);
    expect(address("10.0.0.1", "203.0.113.7")).toBe("10.0.0.1");
    expect(address("::ffff:198.51.100.2", null)).toBe("198.51.100.2");
    expect(address(undefined, "203.0.113.7")).toBe("unknown");
  });

  test("from a trusted proxy, is the right-most forwarded address that is not a trusted proxy", () => {
    const address = createClientAddress(["10.0.0.1", "10.2.0.0/16", "fd00::/8"]);
    expect(address("10.0.0.1", "203.0.113.7")).toBe("203.0.113.7");
    // A client's own invented entry (left) is not believed: the proxy's appended one is.
    expect(address("::ffff:10.0.0.1", "1.2.3.4, 203.0.113.7")).toBe("203.0.113.7");
    // Two proxies of ours, one behind the other.
    expect(address("10.0.0.1", "203.0.113.7, 10.2.3.4")).toBe("203.0.113.7");
    expect(address("fd00::5", "[2001:db8::7]:443")).toBe("2001:db8::7");
    expect(address("10.0.0.1", "203.0.113.7:51234")).toBe("203.0.113.7");
  });

  test("from a trusted proxy without a usable X-Forwarded-For, is the last address it can vouch for", () => {
    const address = createClientAddress(["10.0.0.1"]);
    expect(address("10.0.0.1", null)).toBe("10.0.0.1");
    expect(address("10.0.0.1", "not-an-address")).toBe("10.0.0.1");
    expect(address("10.0.0.1", "203.0.113.7, garbage")).toBe("10.0.0.1");
  });

  test("a peer that is not a trusted proxy cannot name itself", () => {
    const address = createClientAddress(["10.0.0.1"]);
    expect(address("10.0.0.2", "203.0.113.7")).toBe("10.0.0.2");
  });
});
