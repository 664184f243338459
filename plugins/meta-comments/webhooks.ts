// Meta Webhooks for the connector: the GET verification handshake, the X-Hub-Signature-256 check,
// and the `changes` of Page `feed` and Instagram `comments` notifications turned into the same
// records the stream yields. Source: Webhooks "Getting Started" (verification requests, event
// notifications, validating payloads) and the Page and Instagram webhook references.
import {
  bodyJson,
  type ConnectorContext,
  type ConnectorRecordInput,
  record,
  timingSafeEqualString,
  verifyHmacSha256,
  WebhookPayloadError,
  type WebhookRequest,
  type WebhookResponse,
  type WebhookVerification,
} from "cx-hub/sdk";
import { z } from "zod";
import {
  GraphApiError,
  getFacebookComment,
  getInstagramComment,
  type InstagramComment,
  WEBHOOK_LOOKUP,
} from "./client.ts";
import type { MetaConfig } from "./config.ts";
import {
  type CommentFacts,
  commentRecord,
  facebookFacts,
  fromUnixSeconds,
  instagramByBrand,
  instagramFacts,
  toInstant,
} from "./mapping.ts";

type Ctx = ConnectorContext<MetaConfig>;

const SIGNATURE_HEADER = "x-hub-signature-256";

/** The envelope every notification shares: `{ object, entry: [{ id, time, changes: [{ field, value }] }] }`. */
const notificationSchema = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id: z.union([z.string(), z.number()]).transform(String),
      time: z.number().optional(),
      changes: z.array(z.object({ field: z.string(), value: z.unknown() })).optional(),
    }),
  ),
});
type Entry = z.output<typeof notificationSchema>["entry"][number];

/** A Page `feed` change about a comment (the same fields as `group_feed` in Meta's reference). */
const feedValueSchema = z.looseObject({
  item: z.string().optional(),
  verb: z.string().optional(),
  comment_id: z.string().optional(),
  post_id: z.string().optional(),
  parent_id: z.string().optional(),
  created_time: z.number().optional(),
  message: z.string().optional(),
  from: z.looseObject({ id: z.string().optional(), name: z.string().optional() }).optional(),
});

/** An Instagram `comments` change: the comment id, its author, text and media (no time). */
const instagramValueSchema = z.looseObject({
  id: z.string().optional(),
  text: z.string().optional(),
  parent_id: z.string().optional(),
  from: z.looseObject({ id: z.string().optional(), username: z.string().optional() }).optional(),
  media: z.looseObject({ id: z.string().optional(), media_product_type: z.string().optional() }).optional(),
});

/** GET ?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…: echo the challenge if the token is ours. */
export function handshake(request: WebhookRequest, ctx: Ctx): WebhookResponse | undefined {
  if (request.method.toUpperCase() !== "GET") return undefined;
  const query = new URL(request.url).searchParams;
  const challenge = query.get("hub.challenge");
  if (query.get("hub.mode") !== "subscribe" || challenge === null) {
    return {
      status: 400,
      headers: { "content-type": "text/plain" },
      body: "Not a Meta Webhooks verification request: expected hub.mode=subscribe, hub.challenge and hub.verify_token.",
    };
  }
  const token = query.get("hub.verify_token");
  if (!ctx.config.verifyToken || token === null || !timingSafeEqualString(token, ctx.config.verifyToken)) {
    return {
      status: 403,
      headers: { "content-type": "text/plain" },
      body: "The hub.verify_token does not match the connector's verify token.",
    };
  }
  return { status: 200, headers: { "content-type": "text/plain" }, body: challenge };
}

/**
 * "We sign all Event Notification payloads with a SHA256 signature and include the signature in the
 * request's X-Hub-Signature-256 header, preceded with sha256=": the HMAC-SHA256 of the raw body with
 * the app secret. Meta sends no delivery id, and retries for up to 36 hours; the signature itself is
 * one (the same body signs the same), so the hub can drop a repeated delivery without a time window.
 */
export function verify(request: WebhookRequest, ctx: Ctx): WebhookVerification {
  if (!ctx.config.appSecret) {
    return { valid: false, reason: "no app secret is configured: Meta signs deliveries with the app secret" };
  }
  const signature = request.headers.get(SIGNATURE_HEADER);
  const valid = verifyHmacSha256({
    secret: ctx.config.appSecret,
    body: request.rawBody,
    signature,
    prefix: "sha256=",
  });
  if (!valid || !signature) {
    return {
      valid: false,
      reason: "the X-Hub-Signature-256 does not match the body signed with the app secret",
    };
  }
  return { valid: true, deliveryId: signature.slice("sha256=".length) };
}

/** The records a notification carries, for entries of the configured account only. */
export async function* parse(request: WebhookRequest, ctx: Ctx): AsyncGenerator<ConnectorRecordInput> {
  const parsed = notificationSchema.safeParse(bodyJson(request));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WebhookPayloadError(
      `Not a Meta Webhooks notification: ${issue?.path.join(".") || "(body)"}: ${issue?.message}.`,
    );
  }
  const { object, entry } = parsed.data;
  const expected = ctx.config.network === "facebook" ? "page" : "instagram";
  if (object !== expected) {
    ctx.logger.info(`Ignored a "${object}" notification: this connector reads ${expected} comments.`);
    return;
  }
  for (const item of entry) {
    // One app serves many accounts, all signed with the same secret: keep this connector's own.
    if (item.id !== ctx.config.accountId) {
      ctx.logger.debug("Ignored a notification entry for another account.", { entryId: item.id });
      continue;
    }
    for (const change of item.changes ?? []) {
      if (object === "page" && change.field === "feed") yield* feedChange(change.value, item, ctx);
      else if (object === "instagram" && (change.field === "comments" || change.field === "live_comments")) {
        yield* instagramChange(change.value, item, ctx);
      }
    }
  }
}

function readValue<T extends z.ZodType>(schema: T, value: unknown, field: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new WebhookPayloadError(
      `The "${field}" change has an unreadable value: ${result.error.issues[0]?.message}.`,
    );
  }
  return result.data;
}

const FACEBOOK_COMMENT_VERBS = new Set(["add", "edited", "edit"]);

async function* feedChange(raw: unknown, entry: Entry, ctx: Ctx): AsyncGenerator<ConnectorRecordInput> {
  const value = readValue(feedValueSchema, raw, "feed");
  if (value.item !== "comment") return;
  const createdAt = fromUnixSeconds(value.created_time ?? entry.time);
  if (value.verb === "remove") {
    yield record.deletion({
      entity: "interaction",
      externalId: value.comment_id ?? "",
      ...(createdAt ? { deletedAt: toInstant(createdAt) as Date } : {}),
      reason: "The comment was removed on Facebook.",
    });
    return;
  }
  if (!value.verb || !FACEBOOK_COMMENT_VERBS.has(value.verb)) {
    ctx.logger.debug(`Ignored a comment change with verb "${value.verb}".`, { commentId: value.comment_id });
    return;
  }
  const pageId = ctx.config.accountId;
  // A top-level comment's parent_id is the post itself.
  const parentId = value.parent_id && value.parent_id !== value.post_id ? value.parent_id : undefined;
  const facts = facebookFacts(
    {
      id: value.comment_id,
      created_time: value.created_time === undefined ? undefined : createdAt,
      message: value.message,
      from: value.from,
      parent: parentId ? { id: parentId } : undefined,
    },
    value.post_id,
    pageId,
  );
  if (facts.byBrand && facts.parent) {
    // The Page answered a comment: the customer is its author, whom the notification does not name.
    const answered = facts.parent.id;
    const parent = await readOr(ctx, () => getFacebookComment(ctx, answered, WEBHOOK_LOOKUP), undefined);
    // Unreadable (deleted since): the record names no customer, and the hub keeps it as a dead letter.
    facts.parent = {
      id: answered,
      author: parent?.from && { id: parent.from.id, name: parent.from.name },
      byBrand: parent?.from?.id === pageId,
    };
  }
  const item = commentRecord(facts);
  if (item) yield item;
}

async function* instagramChange(raw: unknown, entry: Entry, ctx: Ctx): AsyncGenerator<ConnectorRecordInput> {
  const value = readValue(instagramValueSchema, raw, "comments");
  const igUserId = ctx.config.accountId;
  const notified: InstagramComment = {
    id: value.id,
    text: value.text,
    parent_id: value.parent_id,
    from: value.from,
    username: value.from?.username,
  };
  let comment = notified;
  // The notification has no creation time: the comment node has it (and the rest, as the stream reads it).
  const commentId = value.id;
  if (commentId) {
    comment = await readOr(ctx, () => getInstagramComment(ctx, commentId, WEBHOOK_LOOKUP), notified);
  }
  if (!comment.timestamp) comment = { ...comment, timestamp: fromUnixSeconds(entry.time) };
  let parent: InstagramComment | undefined;
  const parentId = comment.parent_id;
  if (parentId && instagramByBrand(comment, igUserId)) {
    // The brand answered a comment: the customer is its author.
    parent = await readOr(ctx, () => getInstagramComment(ctx, parentId, WEBHOOK_LOOKUP), undefined);
  }
  const facts: CommentFacts = instagramFacts(comment, value.media?.id, igUserId, parent);
  const item = commentRecord(facts);
  if (item) yield item;
}

/** The node, or `fallback` when Graph refuses it (deleted since, or not readable with this token). */
async function readOr<T, F>(ctx: Ctx, read: () => Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof GraphApiError)) throw error;
    ctx.logger.warn(`Could not read a comment named in a notification: ${error.message}`);
    return fallback;
  }
}
