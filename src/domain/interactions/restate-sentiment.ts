// A data migration: brings stored sentiment onto the hub's one scale (src/sdk/sentiment.ts), once per
// database. Before that scale, two plugins stored a sentiment they computed on their own scales:
// Gmail tanh of AFINN's per-word average, Meta comments s / √(s² + 15) of the AFINN sum (already the
// hub's formula, but given for the brand's replies too). Their rows are rescored from the stored body
// to what a sync now stores for the same message, so that old and new messages average as one signal
// and a re-sync of an old message compares as unchanged.
//
// Only those plugins' rows: every other stored sentiment was given by its source (an API client, a
// provider's own rating, the demo's labels) and is not on an old scale of the hub's; rescoring it would
// overwrite what the hub cannot reproduce, and the source's next re-sync would undo it. The plugin is
// found through the connector named by the row's source; rows of a connector since removed are left
// as they are, since nothing says which plugin wrote them.
//
// It cannot be SQL (AFINN is a word list in JavaScript): it reads the rows in keyset-paged slices,
// scores them here and writes each slice in one statement, each slice in its own short transaction.
// Rescoring the customers it returns, and recording that it ran (data-migration-log.ts), are the
// caller's: only once both are done may it be skipped.
import type { Db } from "../../db/database.ts";
import { inTransaction } from "../../db/transaction.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { scoreSentiment } from "../../sdk/sentiment.ts";

/** Its name in the DataMigration table. */
export const RESTATE_SENTIMENT = "restate-sentiment-vader";

/** The plugins whose records carried a sentiment they computed on their own scales. */
const RESTATED_PLUGINS = ["gmail", "meta-comments"];

/** How a plugin's records are now scored, from the body the hub stored. */
export type BodyScorer = (body: string) => number | undefined;

export interface RestateSentimentOptions {
  /** Rows read and written per statement (bodies average a few kB). */
  sliceSize?: number;
  /**
   * Per plugin id, how its connector now scores a body, when that is not the hub's scoring of the
   * whole body. Gmail scores only the sender's own words of a reply (plugins/gmail `sentimentOf`);
   * without it a Gmail reply is scored with the thread it quotes, and a later re-sync of that
   * message records its own-words score as a correction.
   */
  scorers?: Readonly<Record<string, BodyScorer>>;
}

export interface RestateSentimentResult {
  /** Interactions whose sentiment changed. */
  updated: number;
  /**
   * The customers of every row it restates, changed now or by an earlier run that was cut short,
   * sorted: the caller rescores them.
   */
  customerIds: string[];
}

interface StoredRow {
  id: string;
  customerId: string;
  direction: string;
  body: string;
  pluginId: string;
}

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/**
 * Rescores the stored sentiment of Gmail and Meta comments interactions that have a body: an inbound
 * one gets its connector's score of the body (none when the body has no words), an outbound one none
 * (the hub does not score the business's own words). It only rewrites a row to the score of its body,
 * so running it again rewrites nothing and names the same customers: a run cut short before its
 * customers were rescored loses none of them.
 */
export async function restateSentiment(
  db: Db,
  { sliceSize = 1000, scorers = {} }: RestateSentimentOptions = {},
): Promise<RestateSentimentResult> {
  let updated = 0;
  const customerIds = new Set<string>();
  let after = NIL_UUID;
  for (;;) {
    const slice = await inTransaction(db, async (tx) => {
      // Locked, so that a sync correcting one of these messages meanwhile waits and then writes last.
      const rows = await tx.$queryRaw<StoredRow[]>`
        SELECT i."id", i."customerId", i."direction"::text AS direction, i."body", c."pluginId"
          FROM "Interaction" i JOIN "Connector" c ON c."name" = i."source"
         WHERE c."pluginId" = ANY(${RESTATED_PLUGINS}::text[])
           AND i."body" IS NOT NULL AND i."id" > ${after}::uuid
         ORDER BY i."id"
         LIMIT ${sliceSize}
           FOR UPDATE OF i`;
      const scores = rows.map((row) => rescore(row, scorers));
      const changed =
        rows.length === 0
          ? []
          : await tx.$queryRaw<Array<{ customerId: string }>>(Prisma.sql`
              UPDATE "Interaction" i SET "sentiment" = t.sentiment
                FROM unnest(${rows.map((row) => row.id)}::uuid[], ${scores}::float8[]) AS t(id, sentiment)
               WHERE i."id" = t.id AND i."sentiment" IS DISTINCT FROM t.sentiment
              RETURNING i."customerId"`);
      return { rows, changed };
    });
    updated += slice.changed.length;
    for (const { customerId } of slice.rows) customerIds.add(customerId);
    const last = slice.rows.at(-1);
    if (slice.rows.length < sliceSize || last === undefined) break;
    after = last.id;
  }
  return { updated, customerIds: [...customerIds].sort() };
}

/** What a sync now stores for the row's message: its connector's score of an inbound body, else none. */
function rescore(row: StoredRow, scorers: Readonly<Record<string, BodyScorer>>): number | null {
  if (row.direction !== "INBOUND") return null;
  const score = scorers[row.pluginId] ?? scoreSentiment;
  return score(row.body) ?? null;
}
