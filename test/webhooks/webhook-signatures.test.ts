// Our signatures as a receiver checks them: the specification's reference library (the
// `standardwebhooks` package, the JavaScript implementation in the standard-webhooks repository)
// verifies what we sign, and our signing reproduces the known vector of that library's tests.
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterEach, describe, expect, test, vi } from "vitest";
import { generateWebhookSecret, signWebhook, webhookHeaders } from "../../src/webhooks/webhook-signatures.ts";

const AT = new Date("2026-03-02T10:15:30.250Z");

/** The reference library checks the timestamp against Date.now(): pin it to the message's moment. */
function verifyAt<T>(moment: Date, verify: () => T): T {
  vi.useFakeTimers({ toFake: ["Date"], now: moment });
  try {
    return verify();
  } finally {
    vi.useRealTimers();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe("signing outgoing webhooks", () => {
  test("reproduces the reference library's known signature", () => {
    // libraries/javascript/src/webhook.test.ts, "sign function works", in standard-webhooks/standard-webhooks.
    const signature = signWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", {
      id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      timestamp: new Date(1614265330 * 1000),
      body: '{"test": 2432232314}',
    });
    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  test("a receiver using the reference library accepts our headers and reads the body", () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({
      type: "alert.raised",
      timestamp: AT.toISOString(),
      data: { level: "HIGH" },
    });
    const headers = webhookHeaders([secret], { id: "msg_0192f", timestamp: AT, body });

    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(AT.getTime() / 1000)));
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifyAt(AT, () => new Webhook(secret).verify(body, headers))).toEqual(JSON.parse(body));
  });

  test("the library refuses our headers for another secret, an altered body or a stale timestamp", () => {
    const secret = generateWebhookSecret();
    const body = '{"type":"sync.failed"}';
    const headers = webhookHeaders([secret], { id: "msg_1", timestamp: AT, body });

    expect(() => verifyAt(AT, () => new Webhook(generateWebhookSecret()).verify(body, headers))).toThrow(
      WebhookVerificationError,
    );
    expect(() => verifyAt(AT, () => new Webhook(secret).verify(`${body} `, headers))).toThrow(
      WebhookVerificationError,
    );
    const tenMinutesLater = new Date(AT.getTime() + 10 * 60_000);
    expect(() => verifyAt(tenMinutesLater, () => new Webhook(secret).verify(body, headers))).toThrow(
      /too old/,
    );
  });

  test("during a rotation both secrets sign, and a receiver holding either one accepts", () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = '{"type":"alert.resolved"}';
    const headers = webhookHeaders([current, previous], { id: "msg_2", timestamp: AT, body });

    expect(headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    for (const secret of [current, previous])
      expect(verifyAt(AT, () => new Webhook(secret).verify(body, headers))).toEqual(JSON.parse(body));
  });

  test("secrets are whsec_ and 32 random bytes in base64, different every time", () => {
    const secrets = [generateWebhookSecret(), generateWebhookSecret()];
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(secret.slice("whsec_".length), "base64")).toHaveLength(32);
    }
    expect(secrets[0]).not.toBe(secrets[1]);
  });
});
