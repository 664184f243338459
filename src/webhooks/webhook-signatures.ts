// Signing per the Standard Webhooks specification: the content signed is `{webhook-id}.{webhook-timestamp}.{body}`,
// the signature is `v1,` and the base64 HMAC-SHA256 of it under the endpoint's secret, and the
// webhook-signature header lists one signature per secret in force, space-separated (both the new and
// the previous secret during a rotation, so receivers switch secrets without missing a message).
// Secrets are `whsec_` and base64 of 32 random bytes (the specification asks for 24 to 64).
//
// node:crypto rather than the `standardwebhooks` package: HMAC-SHA256 is three lines there, runs
// natively, and keeps the package free to play the receiver in the tests, as an independent check.
import { createHmac, randomBytes } from "node:crypto";

const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;

/** A new endpoint secret: whsec_ and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString("base64")}`;
}

/** The key bytes of a whsec_ secret (the prefix is optional, as receivers' libraries accept both). */
export function secretKeyBytes(secret: string): Buffer {
  const key = Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    "base64",
  );
  if (key.length === 0) throw new Error("A webhook secret must not be empty.");
  return key;
}

export interface SignedMessage {
  /** The webhook-id header: the event's id, the same on every retry. */
  id: string;
  /** The attempt's moment: the webhook-timestamp header is its whole seconds since the epoch. */
  timestamp: Date;
  /** The exact body sent. */
  body: string;
}

/** One `v1,<base64>` signature of a message under one secret. */
export function signWebhook(secret: string, message: SignedMessage): string {
  const seconds = Math.floor(message.timestamp.getTime() / 1000);
  const mac = createHmac("sha256", secretKeyBytes(secret))
    .update(`${message.id}.${seconds}.${message.body}`, "utf8")
    .digest("base64");
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers of a message, signed with every secret given (current first). */
export function webhookHeaders(secrets: readonly string[], message: SignedMessage): Record<string, string> {
  return {
    "webhook-id": message.id,
    "webhook-timestamp": String(Math.floor(message.timestamp.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => signWebhook(secret, message)).join(" "),
  };
}
