// Gmail push notifications, delivered by a Cloud Pub/Sub push subscription to the hub's webhook URL.
// Authenticity: the subscription's push endpoint carries a shared secret, `?token=<push token>`, which
// only Google (holding the subscription) and the hub know; it is compared in constant time. The body
// is the Pub/Sub envelope `{ message: { data, messageId, publishTime }, subscription }` whose `data` is
// base64url JSON `{ emailAddress, historyId }`: a signal that the mailbox changed, not the change.
import { bodyJson, timingSafeEqualString, WebhookPayloadError, type WebhookRequest } from "cx-hub/sdk";
import { z } from "zod";

/** The query parameter of the push endpoint URL that carries the shared token. */
export const PUSH_TOKEN_PARAM = "token";

const envelopeSchema = z.object({
  message: z.object({
    data: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9+/_-]+={0,2}$/, "message.data is not base64"),
    // Pub/Sub writes both spellings; the Gmail guide shows the camelCase ones.
    messageId: z.string().min(1).optional(),
    message_id: z.string().min(1).optional(),
    publishTime: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
  }),
  subscription: z.string().min(1),
});

const notificationSchema = z.object({
  emailAddress: z.email(),
  // The guide writes it as a string; accept the number JSON may carry as well.
  historyId: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String),
});

export interface GmailPushNotification {
  emailAddress: string;
  historyId: string;
  /** Pub/Sub's id of this message: the same on every redelivery of it. */
  messageId: string | undefined;
  subscription: string;
}

/** Whether the request's `?token=` is the configured push token. */
export function pushTokenMatches(request: WebhookRequest, expected: string): boolean {
  const given = URL.canParse(request.url) ? new URL(request.url).searchParams.get(PUSH_TOKEN_PARAM) : null;
  return given !== null && timingSafeEqualString(given, expected);
}

/** Pub/Sub's message id, for the hub to drop a redelivery; undefined when the body cannot say. */
export function pushMessageId(request: WebhookRequest): string | undefined {
  try {
    const parsed = envelopeSchema.safeParse(bodyJson(request));
    return parsed.success ? (parsed.data.message.messageId ?? parsed.data.message.message_id) : undefined;
  } catch {
    // An unreadable body is parse's to refuse with a 400; verification only vouches for the sender.
    return undefined;
  }
}

function describe(issues: z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`).join("; ");
}

/** The notification a push carries, or a WebhookPayloadError (400) saying what is wrong with it. */
export function parsePush(request: WebhookRequest): GmailPushNotification {
  const envelope = envelopeSchema.safeParse(bodyJson(request));
  if (!envelope.success) {
    throw new WebhookPayloadError(`Not a Pub/Sub push envelope: ${describe(envelope.error.issues)}.`);
  }
  const { message, subscription } = envelope.data;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(message.data, "base64url").toString("utf8"));
  } catch {
    throw new WebhookPayloadError("message.data is not base64url-encoded JSON.");
  }
  const notification = notificationSchema.safeParse(decoded);
  if (!notification.success) {
    throw new WebhookPayloadError(
      `message.data is not a Gmail notification ({ emailAddress, historyId }): ${describe(notification.error.issues)}.`,
    );
  }
  return { ...notification.data, messageId: message.messageId ?? message.message_id, subscription };
}
