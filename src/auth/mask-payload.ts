// A refused record or delivery as a caller without the `pii` scope sees it: the provider's JSON with
// its shape intact and every value that could be about a person masked. Only values that describe the
// record (its type, kind, channel, ids, times, amounts) stay legible, and even those lose any email
// or phone written in them: an external id is often the customer's email address.
import { maskPersonalDataInText, maskWholeValue } from "../sdk/mask-personal-data.ts";

const DOTS = "•••";

/** Keys whose values describe a record rather than a person: legible, but only for scalar values. */
const DESCRIPTIVE_KEYS = new Set([
  "type",
  "kind",
  "channel",
  "direction",
  "entity",
  "action",
  "namespace",
  "event",
  "status",
  "externalId",
  "interactionExternalId",
  "requestId",
  "touchpoint",
  "occurredAt",
  "respondedAt",
  "requestedAt",
  "deletedAt",
  "amount",
  "currency",
  "score",
]);

/** The payload's JSON with personal values masked (its shape intact); a body that is not JSON reads •••. */
export function maskPayload(payload: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return DOTS;
  }
  return JSON.stringify(maskJsonValue(parsed, undefined));
}

function maskJsonValue(value: unknown, key: string | undefined): unknown {
  const descriptive = key !== undefined && DESCRIPTIVE_KEYS.has(key);
  if (typeof value === "string") return descriptive ? maskPersonalDataInText(value) : maskWholeValue(value);
  if (typeof value === "number") return descriptive ? value : maskWholeValue(String(value));
  if (Array.isArray(value)) return value.map((item) => maskJsonValue(item, key));
  // An object is judged by its own keys, whatever holds it: `"event": { "email": … }` is masked too.
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([inner, item]) => [inner, maskJsonValue(item, inner)]),
    );
  }
  return value;
}

/** A reason or issue message with its quoted values masked: `"li.wei at example.org" is not an email`. */
export function maskQuotedValues(text: string): string {
  const quotedMasked = text.replace(/"([^"]*)"/g, (_quoted, inner: string) => `"${maskWholeValue(inner)}"`);
  // Unquoted emails and phones too: a provider's message may name the address without quotes.
  return maskPersonalDataInText(quotedMasked);
}
