// From a Meta comment to the hub's interaction record. Pure functions, shared by the stream and the
// webhooks so that the same comment always becomes the same record (same externalId, same fields).
// A record gives the comment's text and no sentiment: the text is exactly what the customer said, so
// the hub's own scoring of an inbound body is the right score, on the hub's one scale, and the brand's
// replies (outbound) are not scored, as they are not the customer's mood.
import { type IdentityInput, type InteractionRecordInput, identity, record } from "cx-hub/sdk";
import type { FacebookComment, InstagramComment } from "./client.ts";
import type { Network } from "./config.ts";

/** Who wrote a comment, as Meta shows them. */
export interface Author {
  /** Facebook: the person's app-scoped id; Instagram: their Instagram-scoped id (IGSID). */
  id?: string | undefined;
  /** Instagram only: the @username (Facebook gives no handle, only a name). */
  username?: string | undefined;
  /** Facebook only: the name shown on the comment. */
  name?: string | undefined;
}

/** A comment, whichever network and whichever way (API or webhook) it came. */
export interface CommentFacts {
  network: Network;
  id: string | undefined;
  /** As Meta wrote it: ISO 8601 with an offset ("2026-11-20T10:15:42+0000"). */
  createdAt: string | undefined;
  text: string | undefined;
  author: Author | undefined;
  /** Written by the brand's own Page or Instagram account. */
  byBrand: boolean;
  /** The post (Facebook) or media (Instagram) commented on. */
  objectId: string | undefined;
  /** For a reply: the comment it answers. */
  parent?: { id: string; author: Author | undefined; byBrand: boolean } | undefined;
}

const GRAPH_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** Graph's datetime ("…+0000") as a Date; anything else is passed on for the hub to refuse. */
export function toInstant(value: string | undefined): Date | string | undefined {
  if (value === undefined || !GRAPH_DATETIME.test(value)) return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date;
}

/** The time in ms, or undefined when it is missing or unreadable. */
export function timeOf(value: string | undefined): number | undefined {
  const instant = toInstant(value);
  return instant instanceof Date ? instant.getTime() : undefined;
}

/** A Unix timestamp as webhooks send it (seconds; Messenger-style milliseconds tolerated) in ISO form. */
export function fromUnixSeconds(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds)) return undefined;
  return new Date(seconds > 1e12 ? seconds : seconds * 1000).toISOString();
}

/** How the hub knows the author: a social handle on the network, plus the IGSID on Instagram. */
export function authorIdentities(network: Network, author: Author | undefined): IdentityInput[] {
  if (!author) return [];
  if (network === "facebook") return author.id ? [identity.social("facebook", author.id)] : [];
  const identities: IdentityInput[] = [];
  if (author.username) identities.push(identity.social("instagram", author.username));
  if (author.id) identities.push(identity.external("instagram", author.id));
  return identities;
}

/**
 * The interaction a comment records, or undefined when no customer is in it (the brand commenting
 * on its own post, or answering itself). A customer's comment is inbound `social.comment`; the
 * brand's reply to a customer is outbound `social.reply`, recorded on the customer it answers. The
 * conversation is the thread: the top-level comment's id (Instagram attaches every reply to it).
 */
export function commentRecord(comment: CommentFacts): InteractionRecordInput | undefined {
  if (comment.byBrand && (!comment.parent || comment.parent.byBrand)) return undefined;
  const customer = comment.byBrand ? comment.parent?.author : comment.author;
  const metadata: Record<string, string> = { network: comment.network };
  if (comment.objectId) metadata[comment.network === "facebook" ? "postId" : "mediaId"] = comment.objectId;
  if (comment.parent) metadata.parentCommentId = comment.parent.id;
  if (comment.author?.name) metadata.authorName = comment.author.name;
  return record.interaction({
    externalId: comment.id ?? "",
    identities: authorIdentities(comment.network, customer),
    channel: "social",
    kind: comment.byBrand ? "social.reply" : "social.comment",
    direction: comment.byBrand ? "outbound" : "inbound",
    // A missing time stays missing: the hub refuses the record and keeps it as a dead letter.
    occurredAt: toInstant(comment.createdAt) as Date | string,
    ...(comment.text ? { body: comment.text } : {}),
    ...(comment.parent || comment.id ? { conversationId: comment.parent?.id ?? comment.id } : {}),
    metadata,
    // The comment's time is the version Meta documents for it (Graph's comments carry no update
    // time): copies of one comment share it, so an edit lands, and the stream and webhooks agree.
    ...(comment.createdAt ? { sourceUpdatedAt: toInstant(comment.createdAt) as Date | string } : {}),
  });
}

/** A Facebook comment from the API (`/{post-id}/comments` or a node read). */
export function facebookFacts(
  comment: FacebookComment,
  postId: string | undefined,
  pageId: string,
): CommentFacts {
  const parent = comment.parent?.id
    ? {
        id: comment.parent.id,
        author: comment.parent.from && { id: comment.parent.from.id, name: comment.parent.from.name },
        byBrand: comment.parent.from?.id === pageId,
      }
    : undefined;
  return {
    network: "facebook",
    id: comment.id,
    createdAt: comment.created_time,
    text: comment.message,
    author: comment.from && { id: comment.from.id, name: comment.from.name },
    byBrand: comment.from?.id === pageId,
    objectId: postId,
    parent,
  };
}

/** The IG user id in an IG Comment's `user` field (an object, or an id). */
function userId(user: InstagramComment["user"]): string | undefined {
  return typeof user === "string" ? user : user?.id;
}

export function instagramAuthor(comment: InstagramComment): Author {
  return { id: comment.from?.id, username: comment.username ?? comment.from?.username };
}

export function instagramByBrand(comment: InstagramComment, igUserId: string): boolean {
  return comment.from?.id === igUserId || userId(comment.user) === igUserId;
}

/** An Instagram comment from the API, with its parent when it is a reply. */
export function instagramFacts(
  comment: InstagramComment,
  mediaId: string | undefined,
  igUserId: string,
  parent?: InstagramComment,
): CommentFacts {
  const parentId = comment.parent_id ?? parent?.id;
  return {
    network: "instagram",
    id: comment.id,
    createdAt: comment.timestamp,
    text: comment.text,
    author: instagramAuthor(comment),
    byBrand: instagramByBrand(comment, igUserId),
    objectId: mediaId,
    parent: parentId
      ? {
          id: parentId,
          author: parent ? instagramAuthor(parent) : undefined,
          byBrand: parent ? instagramByBrand(parent, igUserId) : false,
        }
      : undefined,
  };
}
