// Signature helpers: HMAC-SHA256 as providers compute it, compared in constant time.
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { record } from "../../src/sdk/records.ts";
import {
  collectWebhookResult,
  hmacSha256,
  readWebhookPayload,
  requestSync,
  timingSafeEqualString,
  verifyHmacSha256,
  WebhookPayloadError,
} from "../../src/sdk/webhooks.ts";

describe("webhook signatures", () => {
  test("hmacSha256 matches RFC 4231's test vector, in hex and base64", () => {
    const digest = hmacSha256("Jefe", "what do ya want for nothing?");
    expect(digest).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    expect(hmacSha256("Jefe", new TextEncoder().encode("what do ya want for nothing?"), "base64")).toBe(
      Buffer.from(digest, "hex").toString("base64"),
    );
  });

  test("timingSafeEqualString tells equal strings from different ones of any length", () => {
    expect(timingSafeEqualString("abc123", "abc123")).toBe(true);
    expect(timingSafeEqualString("abc123", "abc124")).toBe(false);
    expect(timingSafeEqualString("abc123", "abc1234")).toBe(false);
    expect(timingSafeEqualString("", "")).toBe(true);
  });

  test("verifyHmacSha256 checks a prefixed signature header over the raw bytes", () => {
    const body = new TextEncoder().encode('{"id":1}');
    const signature = `sha256=${hmacSha256("s3cret", body)}`;
    expect(verifyHmacSha256({ secret: "s3cret", body, signature, prefix: "sha256=" })).toBe(true);
    expect(verifyHmacSha256({ secret: "other", body, signature, prefix: "sha256=" })).toBe(false);
    expect(
      verifyHmacSha256({ secret: "s3cret", body, signature: signature.slice(7), prefix: "sha256=" }),
    ).toBe(false);
    expect(verifyHmacSha256({ secret: "s3cret", body, signature: null })).toBe(false);
    const base64 = hmacSha256("s3cret", body, "base64");
    expect(verifyHmacSha256({ secret: "s3cret", body, signature: base64, encoding: "base64" })).toBe(true);
  });
});

describe("what a webhook's parse returns", () => {
  const deletion = record.deletion({ entity: "interaction", externalId: "t_1" });

  test("records as a list, a promise or one by one; a sync request alone or with records", async () => {
    async function* oneByOne() {
      yield deletion;
    }
    expect(await collectWebhookResult([deletion])).toEqual({ records: [deletion] });
    expect(await collectWebhookResult(Promise.resolve([deletion]))).toEqual({ records: [deletion] });
    expect(await collectWebhookResult(oneByOne())).toEqual({ records: [deletion] });
    expect(await collectWebhookResult(requestSync("history moved"))).toEqual({
      records: [],
      sync: { reason: "history moved" },
    });
    expect(await collectWebhookResult({ records: oneByOne(), sync: { reason: "and more" } })).toEqual({
      records: [deletion],
      sync: { reason: "and more" },
    });
  });

  test("a sync generator's records are read; a value of another shape is refused, not read as none", async () => {
    function* oneByOne() {
      yield deletion;
    }
    expect(await collectWebhookResult(oneByOne() as never)).toEqual({ records: [deletion] });
    await expect(collectWebhookResult(deletion as never)).rejects.toThrow(
      /parse returned an object with the keys type, entity, externalId: return an array of records/,
    );
    await expect(collectWebhookResult({ record: [deletion] } as never)).rejects.toThrow(/keys record/);
    await expect(collectWebhookResult(undefined as never)).rejects.toThrow(/returned undefined/);
  });

  test("a sync request without a reason is the plugin's bug, said plainly", async () => {
    await expect(collectWebhookResult({ sync: { reason: " " } })).rejects.toThrow(/needs a reason/);
  });
});

describe("reading a webhook body before mapping it", () => {
  const order = z.looseObject({
    updated_at: z.iso.datetime({ offset: true }),
    line_items: z.array(z.looseObject({ quantity: z.number().int() })),
  });

  test("gives the body typed when it has the documented shape, unknown fields kept", () => {
    const body = { updated_at: "2026-03-06T09:00:00Z", line_items: [{ quantity: 2 }], note: "kept" };
    expect(readWebhookPayload(order, body, "The order")).toEqual(body);
  });

  test("refuses the wrong types with a WebhookPayloadError that lists every issue with its path", () => {
    const read = () => readWebhookPayload(order, { line_items: [null, { quantity: "2" }] }, "The order");
    expect(read).toThrow(WebhookPayloadError);
    try {
      read();
    } catch (error) {
      expect((error as Error).message).toMatch(
        /^The order is not in the documented format: updated_at: .+ \(and 2 more\)\.$/,
      );
      expect((error as WebhookPayloadError).issues.map((issue) => issue.path)).toEqual([
        "updated_at",
        "line_items.0",
        "line_items.1.quantity",
      ]);
    }
  });
});
