// Writing dead letters: what the hub refused, kept raw with the reason. One PENDING letter per
// (connector, fingerprint): the same refused record delivered again (a resumed run re-reads the
// records after its last checkpoint; providers repeat webhooks) is not stored twice. No credential is
// ever stored: a push URL's ?token=, an Authorization or X-Api-Key header, an api_key field in a body
// are redacted before the row is written (a dead letter is read by people the token must not reach).
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { DeadLetterKind } from "../../generated/prisma/enums.ts";
import {
  redactBodyCredentials,
  redactCredentialsInText,
  redactJsonCredentials,
  withoutCredentialHeaders,
} from "../../sdk/redact-credentials.ts";

/**
 * WEBHOOK_DELIVERY letters, DeadLetter.details: how the delivery came, to build the request again on
 * replay. Letters kept before a field existed read its default.
 */
export const deliveryDetailsSchema = z.object({
  /** false when the plugin could not even read the body to check the signature. */
  verified: z.boolean().optional(),
  /** utf-8: the payload is the body's text; base64: the body was not UTF-8 and is kept encoded. */
  encoding: z.enum(["utf-8", "base64"]).default("utf-8"),
  method: z.string().min(1).default("POST"),
  url: z.string().min(1).optional(),
  /** What is wrong with the body, at its paths, when the plugin's schema said so. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type DeliveryDetails = z.input<typeof deliveryDetailsSchema>;

/** WEBHOOK_DELIVERY letters, DeadLetter.headers: the request's headers by name, credentials removed. */
export const deliveryHeadersSchema = z.record(z.string(), z.string());

export interface NewDeadLetter {
  kind?: DeadLetterKind;
  /** The stream, or "webhook". */
  stream?: string;
  /** The record as JSON text, or a webhook's raw body. */
  payload: string;
  /** WEBHOOK_DELIVERY: the request headers needed to parse it again. */
  headers?: Record<string, string>;
  reason: string;
  details?: Prisma.InputJsonValue;
}

export interface DeadLetterOrigin {
  connectorId: string;
  syncRunId?: string;
}

/** Stores the letters (skipping ones already pending); returns how many rows were written. */
export async function writeDeadLetters(
  tx: Prisma.TransactionClient,
  origin: DeadLetterOrigin,
  letters: NewDeadLetter[],
): Promise<number> {
  if (letters.length === 0) return 0;
  const { count } = await tx.deadLetter.createMany({
    data: letters.map(withoutCredentials).map((letter) => ({
      connectorId: origin.connectorId,
      syncRunId: origin.syncRunId ?? null,
      kind: letter.kind ?? "RECORD",
      stream: letter.stream ?? null,
      payload: letter.payload,
      headers: letter.headers,
      fingerprint: deadLetterFingerprint(letter.kind ?? "RECORD", letter.stream, letter.payload),
      reason: storableText(letter.reason.slice(0, 10_000)),
      details: letter.details === undefined ? undefined : storableJson(letter.details),
    })),
    // ON CONFLICT DO NOTHING: the partial unique index on pending (connectorId, fingerprint) decides.
    skipDuplicates: true,
  });
  return count;
}

/**
 * PostgreSQL's text and jsonb hold no NUL character, and a reason or an issue often quotes the value
 * it refuses: a NUL there (a provider's body can carry one) is shown as U+2400 ␀, so the letter is
 * still written. The payload keeps its exact text (JSON escapes a NUL) or its bytes (base64).
 */
function storableText(text: string): string {
  return text.replaceAll("\u0000", "\u2400");
}

function storableJson(value: Prisma.InputJsonValue): Prisma.InputJsonValue {
  return JSON.parse(
    JSON.stringify(value, (_key, inner) => (typeof inner === "string" ? storableText(inner) : inner)),
  );
}

/**
 * The letter with every credential it carries redacted: headers named as credentials dropped, query
 * parameters and body fields named as credentials read "redacted", bearer tokens in text too. A body
 * kept base64-encoded (not UTF-8) is left whole: it is not text to search.
 */
export function withoutCredentials(letter: NewDeadLetter): NewDeadLetter {
  const base64 =
    typeof letter.details === "object" &&
    letter.details !== null &&
    (letter.details as { encoding?: unknown }).encoding === "base64";
  return {
    ...letter,
    payload: base64 ? letter.payload : redactBodyCredentials(letter.payload),
    ...(letter.headers ? { headers: withoutCredentialHeaders(letter.headers) } : {}),
    reason: redactCredentialsInText(letter.reason),
    ...(letter.details !== undefined
      ? { details: redactJsonCredentials(letter.details) as Prisma.InputJsonValue }
      : {}),
  };
}

export function deadLetterFingerprint(kind: DeadLetterKind, stream: string | undefined, payload: string) {
  return createHash("sha256")
    .update(`${kind}\n${stream ?? ""}\n${payload}`)
    .digest("hex");
}

/** A yielded value as JSON text, whatever it is (Dates as ISO strings; what JSON cannot hold, described). */
export function payloadText(value: unknown): string {
  try {
    // Fields left undefined are dropped, as JSON does: replaying the text must give the same record.
    const text = JSON.stringify(value, (_key, inner) =>
      typeof inner === "bigint" ? inner.toString() : inner,
    );
    return text ?? String(value);
  } catch (error) {
    return JSON.stringify({ unserializable: String(value), error: (error as Error).message });
  }
}

/** Headers worth keeping to parse a delivery again: all but credentials and cookies. */
export function replayableHeaders(headers: Headers): Record<string, string> {
  const all: Record<string, string> = {};
  headers.forEach((value, name) => {
    all[name] = value;
  });
  return withoutCredentialHeaders(all);
}
