// Webhook handling in a plugin: the request the hub hands over (raw body included, since signatures
// are computed over the exact bytes), what `handshake`, `verify` and `parse` return, and the helpers
// to verify a signature correctly (HMAC-SHA256, compared in constant time).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { z } from "zod";
import type { ConnectorRecordInput, RecordIssue } from "./records.ts";

/** A webhook delivery as the hub received it at POST /webhooks/<connector>. */
export interface WebhookRequest {
  method: string;
  /** The full URL, query string included. */
  url: string;
  headers: Headers;
  /** The body exactly as received: verify signatures over these bytes, never over re-serialized JSON. */
  rawBody: Uint8Array;
}

/** What the hub answers to a handshake. */
export interface WebhookResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * The outcome of `verify`. `deliveryId` (the provider's id of this delivery) lets the hub drop a
 * replayed delivery; `sentAt` (the signed time of sending) lets it refuse one outside its window.
 */
export type WebhookVerification =
  | { valid: true; deliveryId?: string; sentAt?: Date }
  | { valid: false; reason: string };

/** Records, at once or one by one (a generator, sync or async). */
export type WebhookRecordList =
  | ConnectorRecordInput[]
  | Iterable<ConnectorRecordInput>
  | AsyncIterable<ConnectorRecordInput>;

/**
 * A request that the hub run the connector's streams now, from their cursors: for a notification that
 * says something changed without carrying the change (Gmail's push carries only a historyId). The hub
 * stores it with the delivery, runs a sync at once (or right after the one in progress), and lists
 * the run with the trigger WEBHOOK.
 */
export interface SyncRequest {
  /** Why, for the run's log: "Gmail history moved to 4812". */
  reason: string;
}

/** What `parse` returns in its long form: records, a sync request, or both. */
export interface WebhookResult {
  records?: WebhookRecordList;
  sync?: SyncRequest;
}

/** What `parse` may return: records (at once or one by one), or a WebhookResult. */
export type WebhookRecords =
  | WebhookRecordList
  | WebhookResult
  | Promise<ConnectorRecordInput[] | WebhookResult>;

/** `parse`'s answer for a delivery that only says "something changed": run the streams now. */
export function requestSync(reason: string): WebhookResult {
  return { sync: { reason } };
}

/** The `webhooks` part of a connector. `Ctx` is the connector's context (config, fetch, logger, …). */
export interface WebhookHandler<Ctx> {
  /**
   * Called first, for every request: answer a provider's handshake here (a subscription challenge,
   * X's CRC check, Meta's hub.challenge), checking it as the provider documents. Return nothing for
   * an ordinary delivery.
   */
  handshake?(
    request: WebhookRequest,
    ctx: Ctx,
  ): WebhookResponse | undefined | Promise<WebhookResponse | undefined>;
  /** Is this delivery authentic? false (or valid: false) makes the hub answer 401 and parse nothing. */
  verify(
    request: WebhookRequest,
    ctx: Ctx,
  ): boolean | WebhookVerification | Promise<boolean | WebhookVerification>;
  /**
   * The records the delivery carries, in the same shapes as the streams yield; or, for a delivery
   * that only says something changed, `requestSync("why")` (with records too, as
   * `{ records, sync }`). Throw a WebhookPayloadError for a body that cannot be read (the hub
   * answers 400).
   */
  parse(request: WebhookRequest, ctx: Ctx): WebhookRecords;
}

/**
 * The delivery's body cannot be used: not JSON, not the provider's documented shape, a topic the
 * plugin does not read. The hub keeps the whole delivery as a dead letter with this message and the
 * `issues` (where in the body, and what is wrong), and answers so that the provider stops retrying a
 * body that would fail the same way every time (200 when the signature verified; see the connectors
 * README, "Webhooks").
 */
export class WebhookPayloadError extends Error {
  override name = "WebhookPayloadError";
  /** What is wrong, at its path in the body ("line_items.0.quantity"). */
  readonly issues: RecordIssue[];

  constructor(message: string, options: { issues?: RecordIssue[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.issues = options.issues ?? [];
  }
}

/**
 * The body (or part of it) read with the plugin's schema of the provider's documented format, or a
 * WebhookPayloadError listing every issue with its path. Validate before mapping: a mapping that
 * assumes a field's type (`line_items.filter(…)`) throws a TypeError on a body where it has another,
 * and only a validated body can be kept with a reason that says where it is wrong.
 */
export function readWebhookPayload<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  throw new WebhookPayloadError(
    `${what} is not in the documented format: ${first?.path || "(body)"}: ${first?.message}${more}.`,
    { issues },
  );
}

/** `verify`'s answer in its long form. */
export function toVerification(result: boolean | WebhookVerification): WebhookVerification {
  if (result === true) return { valid: true };
  if (result === false) return { valid: false, reason: "the signature does not match" };
  return result;
}

/** An array or a sync or async iterable of records (a generator, say). */
function isRecordList(value: unknown): value is WebhookRecordList | Iterable<ConnectorRecordInput> {
  return (
    Array.isArray(value) ||
    (value !== null &&
      typeof value === "object" &&
      (Symbol.asyncIterator in value || Symbol.iterator in value))
  );
}

function describeValue(value: unknown): string {
  if (value === null || typeof value !== "object") return String(value);
  return `an object with the keys ${Object.keys(value).join(", ") || "(none)"}`;
}

/** What `parse` returned, its records collected in order. */
export async function collectWebhookResult(
  returned: WebhookRecords,
): Promise<{ records: ConnectorRecordInput[]; sync?: SyncRequest }> {
  const awaited = await returned;
  const result: WebhookResult = isRecordList(awaited) ? { records: awaited } : (awaited as WebhookResult);
  // Anything else is the plugin's bug: refused loudly (the hub answers 500 and the provider retries),
  // never read as "no records", which would acknowledge the delivery and lose what it carried.
  const unknownKeys =
    result !== null && typeof result === "object" && !Array.isArray(result)
      ? Object.keys(result).filter((key) => key !== "records" && key !== "sync")
      : ["(not an object)"];
  if (unknownKeys.length > 0 || (result.records !== undefined && !isRecordList(result.records))) {
    throw new TypeError(
      `A webhook's parse returned ${describeValue(awaited)}: return an array of records, an (async) iterable of them, or { records, sync } (requestSync("why")).`,
    );
  }
  const records: ConnectorRecordInput[] = [];
  for await (const item of result.records ?? []) records.push(item);
  if (
    result.sync !== undefined &&
    (typeof result.sync?.reason !== "string" || result.sync.reason.trim() === "")
  ) {
    throw new TypeError('A webhook\'s sync request needs a reason: return requestSync("what changed").');
  }
  return result.sync ? { records, sync: { reason: result.sync.reason } } : { records };
}

/** HMAC-SHA256 of `body` with `secret`, encoded as the provider writes it (hex by default). */
export function hmacSha256(
  secret: string | Uint8Array,
  body: string | Uint8Array,
  encoding: "hex" | "base64" | "base64url" = "hex",
): string {
  return createHmac("sha256", secret).update(body).digest(encoding);
}

/**
 * Compares two strings in constant time, whatever their lengths: both are hashed first, so neither
 * an early mismatch nor a length difference shows in the timing.
 */
export function timingSafeEqualString(a: string, b: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b)) && a.length === b.length;
}

/**
 * Checks a signature header against the HMAC-SHA256 of the raw body: `prefix` is what precedes the
 * digest in the header ("sha256=" for GitHub-style headers), `encoding` how the digest is written.
 */
export function verifyHmacSha256(options: {
  secret: string | Uint8Array;
  body: Uint8Array | string;
  signature: string | null | undefined;
  encoding?: "hex" | "base64" | "base64url";
  prefix?: string;
}): boolean {
  const { signature, prefix = "" } = options;
  if (!signature?.startsWith(prefix)) return false;
  const expected = hmacSha256(options.secret, options.body, options.encoding ?? "hex");
  return timingSafeEqualString(signature.slice(prefix.length).trim(), expected);
}

/** The body as UTF-8 text. */
export function bodyText(request: WebhookRequest): string {
  return new TextDecoder("utf-8").decode(request.rawBody);
}

/** The body parsed as JSON, or a WebhookPayloadError saying why it is not. */
export function bodyJson(request: WebhookRequest): unknown {
  try {
    return JSON.parse(bodyText(request));
  } catch (error) {
    throw new WebhookPayloadError(`The webhook body is not JSON: ${(error as Error).message}`);
  }
}
