// Which URLs an endpoint may have: http(s) without credentials, and no internal address unless the
// hub allows private URLs.
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../src/domain/errors.ts";
import {
  assertDeliverableUrl,
  isInternalAddress,
  parseEndpointUrl,
} from "../../src/webhooks/endpoint-urls.ts";

describe("endpoint URLs", () => {
  test("takes http and https URLs", () => {
    expect(parseEndpointUrl(" https://hooks.example.com/cx?team=1 ").toString()).toBe(
      "https://hooks.example.com/cx?team=1",
    );
    expect(parseEndpointUrl("http://hooks.example.com").protocol).toBe("http:");
  });

  test.each([
    ["another scheme", "ftp://hooks.example.com/cx", /uses ftp: only http and https/],
    ["no scheme", "hooks.example.com/cx", /is not a URL/],
    ["credentials", "https://user:pass@hooks.example.com/cx", /holds credentials/],
    ["a URL too long", `https://hooks.example.com/${"a".repeat(2100)}`, /longer than 2048/],
  ])("refuses %s with a sentence saying what to fix", (_what, url, message) => {
    expect(() => parseEndpointUrl(url)).toThrow(ValidationError);
    expect(() => parseEndpointUrl(url)).toThrow(message);
  });

  test.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.20.0.1", true],
    ["192.168.1.10", true],
    ["169.254.169.254", true],
    ["::1", true],
    ["fd00::5", true],
    ["::ffff:127.0.0.1", true],
    ["93.184.215.14", false],
    ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", false],
  ])("%s is internal: %s", (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal);
  });

  test("refuses internal addresses, by literal or by name, unless private URLs are allowed", async () => {
    for (const url of ["http://127.0.0.1:8080/hooks", "http://[::1]/hooks", "http://localhost/hooks"]) {
      await expect(assertDeliverableUrl(new URL(url), { allowPrivate: false })).rejects.toThrow(
        /internal address .* CXHUB_WEBHOOK_ALLOW_PRIVATE_URLS=true/,
      );
      await expect(assertDeliverableUrl(new URL(url), { allowPrivate: true })).resolves.toBeUndefined();
    }
    await expect(
      assertDeliverableUrl(new URL("https://93.184.215.14/hooks"), { allowPrivate: false }),
    ).resolves.toBeUndefined();
  });
});
