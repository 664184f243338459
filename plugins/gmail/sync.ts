// The messages stream, as Google's "Synchronize clients with Gmail" guide describes it. A full sync
// lists the messages (newest first) and fetches each; it checkpoints once, at the end, with the
// mailbox's historyId read from users.getProfile before listing, so a change made while it ran is
// read again next time rather than lost. A partial sync reads users.history.list from the stored
// historyId (oldest change first), fetches added messages, reports deleted ones, and checkpoints
// after every page. Gmail answers 404 to a startHistoryId it no longer keeps: then a full sync runs.
import {
  type Checkpoint,
  type ConnectorRecordInput,
  checkpoint,
  record,
  type StreamContext,
} from "cx-hub/sdk";
import { createGmailClient, type GmailClient, type GmailConfig } from "./client.ts";
import { fromGmailMessage, isSkipped, mailRecords } from "./mapping.ts";

export type GmailCursor = {
  /** Where the next partial sync starts: history records after this id. */
  historyId: string;
  /** When the users.watch registration runs out (epoch ms), if the connector made one. */
  watchExpiration?: string;
};

type Ctx = StreamContext<GmailConfig, GmailCursor>;
type Output = ConnectorRecordInput | Checkpoint<GmailCursor>;

/** How many messages.get calls run at once: quick, and well under Gmail's per-user limits. */
const CONCURRENT_GETS = 5;
/** Google asks for users.watch at least every 7 days and recommends daily: renew a day after. */
const RENEW_WATCH_WHEN_LEFT_MS = 6 * 24 * 60 * 60 * 1000;

export async function* readMessages(ctx: Ctx): AsyncGenerator<Output, void> {
  const gmail = createGmailClient(ctx);
  const watch = await renewWatch(gmail, ctx);
  const start = ctx.cursor?.historyId;
  if (start) {
    const outcome = yield* partialSync(gmail, ctx, start, watch);
    if (outcome === "done") return;
    ctx.logger.warn(
      `Gmail no longer keeps history from historyId ${start} (history.list answered 404, as it does once a historyId is too old): running a full sync instead.`,
      { startHistoryId: start },
    );
  }
  yield* fullSync(gmail, ctx, watch);
}

/** A cursor without undefined fields: it is stored as JSON. */
function cursorOf(historyId: string, watch: { watchExpiration?: string }): GmailCursor {
  return watch.watchExpiration ? { historyId, watchExpiration: watch.watchExpiration } : { historyId };
}

async function* fullSync(gmail: GmailClient, ctx: Ctx, watch: { watchExpiration?: string }) {
  const profile = await gmail.profile();
  let pageToken: string | undefined;
  let pages = 0;
  do {
    ctx.signal.throwIfAborted();
    const page = await gmail.listMessages({
      pageToken,
      q: ctx.config.query,
      labelId: ctx.config.labelId,
    });
    yield* messagesRecords(
      gmail,
      ctx,
      (page.messages ?? []).map((message) => message.id),
    );
    pageToken = page.nextPageToken;
    pages++;
  } while (pageToken);
  ctx.logger.info(
    `Full sync read ${pages} page(s) of messages; partial syncs go on from historyId ${profile.historyId}.`,
  );
  yield checkpoint(cursorOf(profile.historyId, watch));
}

async function* partialSync(
  gmail: GmailClient,
  ctx: Ctx,
  startHistoryId: string,
  watch: { watchExpiration?: string },
): AsyncGenerator<Output, "done" | "expired"> {
  let pageToken: string | undefined;
  do {
    ctx.signal.throwIfAborted();
    const page = await gmail.listHistory({ startHistoryId, pageToken, labelId: ctx.config.labelId });
    if (page === "expired") return "expired";
    for (const change of page.history ?? []) {
      const added = (change.messagesAdded ?? []).map(({ message }) => message.id);
      yield* messagesRecords(gmail, ctx, added);
      for (const { message } of change.messagesDeleted ?? []) {
        yield record.deletion({ entity: "interaction", externalId: message.id, reason: "deleted in Gmail" });
      }
    }
    pageToken = page.nextPageToken;
    // Records come oldest first: every change up to the page's last record is yielded, so a run that
    // stops here resumes after it. The last page says the mailbox's current history id.
    const last = page.history?.at(-1)?.id;
    if (!pageToken) yield checkpoint(cursorOf(page.historyId, watch));
    else if (last) yield checkpoint(cursorOf(last, watch));
  } while (pageToken);
  return "done";
}

/** Fetches the messages a few at a time and yields their records in the order given. */
async function* messagesRecords(gmail: GmailClient, ctx: Ctx, ids: string[]) {
  const options = { mailbox: ctx.config.mailbox, aliases: ctx.config.aliases };
  for (let i = 0; i < ids.length; i += CONCURRENT_GETS) {
    ctx.signal.throwIfAborted();
    const batch = ids.slice(i, i + CONCURRENT_GETS);
    const messages = await Promise.all(batch.map((id) => gmail.getMessage(id)));
    for (const [index, message] of messages.entries()) {
      if (!message) {
        // Deleted between the listing and the fetch; the history reports the deletion.
        ctx.logger.debug(`Message ${batch[index]} is gone from Gmail (404); skipped.`);
        continue;
      }
      const mail = fromGmailMessage(message);
      if (isSkipped(mail)) continue;
      yield* mailRecords(mail, options);
    }
  }
}

/**
 * Keeps the users.watch registration alive when a Pub/Sub topic is configured: a watch lasts 7 days,
 * so it is renewed once less than 6 days are left. A refused watch (the topic missing, Gmail not
 * allowed to publish) is logged and the sync goes on; the next run tries again. Not during a dry run.
 */
async function renewWatch(gmail: GmailClient, ctx: Ctx): Promise<{ watchExpiration?: string }> {
  const topicName = ctx.config.pubsubTopic;
  if (!topicName) return {};
  const current = ctx.cursor?.watchExpiration;
  // users.watch registers a push channel: a dry run promises to change nothing, at the provider too.
  if (ctx.dryRun) return current ? { watchExpiration: current } : {};
  if (current && Number(current) - Date.now() > RENEW_WATCH_WHEN_LEFT_MS) return { watchExpiration: current };
  try {
    const labelIds = ctx.config.labelId ? [ctx.config.labelId] : undefined;
    const answer = await gmail.watch({ topicName, labelIds });
    const watchExpiration = String(answer.expiration);
    ctx.logger.info(
      `Gmail push notifications go to ${topicName} until ${new Date(Number(watchExpiration)).toISOString()}.`,
    );
    return { watchExpiration };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    ctx.logger.warn(
      `users.watch failed, so push notifications may stop; syncing goes on: ${(error as Error).message}`,
      {
        topicName,
      },
    );
    return {};
  }
}
