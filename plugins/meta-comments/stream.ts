// The `comments` stream: walks the account's posts (Facebook feed) or media (Instagram), newest
// first, and their comments and replies, by cursor paging; incremental by the time of the newest
// comment seen. Meta cannot list comments by time across an account, so the walk visits every post
// of a look-back window before that time, and checkpoints once, at the end (README: "Cursor").
import { type Checkpoint, checkpoint, type InteractionRecordInput, type StreamContext } from "cx-hub/sdk";
import { z } from "zod";
import {
  type FacebookPost,
  type InstagramComment,
  type InstagramMedia,
  isCursorLimit,
  listFeed,
  listMedia,
  listMediaComments,
  listPostComments,
  listReplies,
  nextCursor,
} from "./client.ts";
import type { MetaConfig } from "./config.ts";
import { type CommentFacts, commentRecord, facebookFacts, instagramFacts, timeOf } from "./mapping.ts";

export const cursorSchema = z.object({
  /** The creation time of the newest comment synced (ISO 8601, UTC). */
  newestCommentAt: z.iso.datetime(),
  /** The comments created at exactly that time already synced: the next run skips only those. */
  idsAtNewest: z.array(z.string()).max(1000),
});
export type CommentsCursor = z.output<typeof cursorSchema>;

type Ctx = StreamContext<MetaConfig, CommentsCursor>;

const DAY_MS = 86_400_000;
/**
 * The cursor never moves past "now minus this": a comment Meta shows a little after its creation
 * time, or one written while the walk was elsewhere, is still read by the next run.
 */
export const SETTLE_MS = 5 * 60_000;

/** Which comments are new since the cursor, and the cursor that covers them. */
export class CursorTracker {
  private readonly since: number;
  private readonly sinceIds: Set<string>;
  private newest: number | undefined;
  private readonly idsAt = new Map<number, Set<string>>();

  constructor(cursor: CommentsCursor | undefined) {
    this.since = cursor ? Date.parse(cursor.newestCommentAt) : Number.NEGATIVE_INFINITY;
    this.sinceIds = new Set(cursor?.idsAtNewest ?? []);
  }

  /** New: created after the cursor, or at its very time but not synced then. Unreadable times pass (the hub refuses them). */
  isNew(comment: CommentFacts): boolean {
    const time = timeOf(comment.createdAt);
    if (time === undefined) return true;
    if (time > this.since) return true;
    return time === this.since && comment.id !== undefined && !this.sinceIds.has(comment.id);
  }

  saw(comment: CommentFacts): void {
    const time = timeOf(comment.createdAt);
    if (time === undefined || comment.id === undefined) return;
    this.newest = Math.max(this.newest ?? time, time);
    const ids = this.idsAt.get(time) ?? new Set<string>();
    ids.add(comment.id);
    this.idsAt.set(time, ids);
  }

  /** The cursor after this run, or undefined when it does not move. */
  next(now: number): CommentsCursor | undefined {
    if (this.newest === undefined) return undefined;
    const at = Math.max(this.since, Math.min(this.newest, now - SETTLE_MS));
    const ids = new Set(this.idsAt.get(at) ?? []);
    if (at === this.since) {
      if ([...ids].every((id) => this.sinceIds.has(id))) return undefined;
      for (const id of this.sinceIds) ids.add(id);
    }
    return { newestCommentAt: new Date(at).toISOString(), idsAtNewest: [...ids].sort() };
  }
}

/** Unix seconds, as Graph's `since` takes them. */
function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * Visits the posts of a newest-first list created from `windowStart` on. A pinned post may come
 * first whatever its age, so an old post is skipped rather than ending the walk; the walk ends after
 * a page holding only posts older than the window.
 */
async function* postsInWindow<T>(
  list: (
    after: string | undefined,
  ) => Promise<{ data: T[]; paging?: { next?: string; cursors?: { after?: string } } }>,
  createdAt: (item: T) => string | undefined,
  windowStart: number | undefined,
): AsyncGenerator<T> {
  let after: string | undefined;
  do {
    const page = await list(after);
    let inWindow = 0;
    for (const item of page.data) {
      const time = timeOf(createdAt(item));
      if (windowStart !== undefined && time !== undefined && time < windowStart) continue;
      inWindow++;
      yield item;
    }
    if (windowStart !== undefined && page.data.length > 0 && inWindow === 0) return;
    after = nextCursor(page.paging);
  } while (after);
}

async function* facebookComments(ctx: Ctx, since: number | undefined, windowStart: number | undefined) {
  const posts = postsInWindow<FacebookPost>(
    (after) =>
      listFeed(ctx, { since: windowStart === undefined ? undefined : unixSeconds(windowStart), after }),
    (post) => post.created_time,
    windowStart,
  );
  for await (const post of posts) {
    let after: string | undefined;
    do {
      const page = await beforeCursorLimit(ctx, post.id, () =>
        listPostComments(ctx, post.id, {
          since: since === undefined ? undefined : unixSeconds(since),
          after,
        }),
      );
      for (const comment of page?.data ?? []) yield facebookFacts(comment, post.id, ctx.config.accountId);
      after = nextCursor(page?.paging);
    } while (after);
  }
}

/**
 * A page of comments, or undefined when Graph refuses to page further into a very long thread
 * ("The After Cursor specified exceeds the max limit"): the rest of that post is left to webhooks.
 */
async function beforeCursorLimit<T>(
  ctx: Ctx,
  objectId: string,
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!isCursorLimit(error)) throw error;
    ctx.logger.warn(`Graph pages no further into the comments of ${objectId}: ${(error as Error).message}`);
    return undefined;
  }
}

async function* instagramComments(ctx: Ctx, windowStart: number | undefined) {
  const igUserId = ctx.config.accountId;
  const media = postsInWindow<InstagramMedia>(
    (after) =>
      listMedia(ctx, { since: windowStart === undefined ? undefined : unixSeconds(windowStart), after }),
    (item) => item.timestamp,
    windowStart,
  );
  for await (const item of media) {
    if (item.comments_count === 0) continue;
    // Top-level comments come newest first, but a new reply can sit under an old comment: every
    // comment of the media is read, and the tracker keeps the new ones.
    let after: string | undefined;
    do {
      const page = await beforeCursorLimit(ctx, item.id, () => listMediaComments(ctx, item.id, { after }));
      for (const comment of page?.data ?? []) {
        yield instagramFacts(comment, item.id, igUserId);
        yield* instagramReplies(ctx, comment, item.id);
      }
      after = nextCursor(page?.paging);
    } while (after);
  }
}

async function* instagramReplies(ctx: Ctx, parent: InstagramComment, mediaId: string) {
  for (const reply of parent.replies?.data ?? [])
    yield instagramFacts(reply, mediaId, ctx.config.accountId, parent);
  let after = parent.id ? nextCursor(parent.replies?.paging) : undefined;
  while (after && parent.id) {
    const page = await listReplies(ctx, parent.id, { after });
    for (const reply of page.data) yield instagramFacts(reply, mediaId, ctx.config.accountId, parent);
    after = nextCursor(page.paging);
  }
}

/** The stream: records for the new comments, then one checkpoint covering them all. */
export async function* readComments(
  ctx: Ctx,
): AsyncGenerator<InteractionRecordInput | Checkpoint<CommentsCursor>, void> {
  const since = ctx.cursor ? Date.parse(ctx.cursor.newestCommentAt) : undefined;
  const windowStart = since === undefined ? undefined : since - ctx.config.lookbackDays * DAY_MS;
  const tracker = new CursorTracker(ctx.cursor);
  const comments =
    ctx.config.network === "facebook"
      ? facebookComments(ctx, since, windowStart)
      : instagramComments(ctx, windowStart);
  let skipped = 0;
  for await (const comment of comments) {
    if (!tracker.isNew(comment)) continue;
    tracker.saw(comment);
    const item = commentRecord(comment);
    if (item) yield item;
    else skipped++;
  }
  if (skipped > 0)
    ctx.logger.debug(`Skipped ${skipped} comments the brand wrote to itself (no customer in them).`);
  // The walk does not follow comment time, so the one checkpoint comes after every record.
  const next = tracker.next(Date.now());
  if (next) yield checkpoint(next);
}
