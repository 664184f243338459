// What a unit of work's rescoring reads besides the customers: which score model is the newest, and
// the saved segments (whose entries the unit records). Each was a statement of its own in every write
// (a round trip of the hub's one thread, and usually the answer "the same model", "no segment"); here
// both are one statement, sent when the unit rescores.
import { PREPARED } from "../db/prepared-statements.ts";
import { transactionSql } from "../db/transaction-sql.ts";
import type { SegmentRow } from "../domain/segments/segment-entries.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { type FittedScoreModel, scoreModelAt } from "../scoring/score-model.ts";

export interface UnitSettings {
  /** The model in use (score-model.ts's currentScoreModel, as of this statement). */
  model: FittedScoreModel | null;
  /** Every saved segment, definitions as their JSON text (recordSegmentEntries parses them). */
  segments: SegmentRow[];
}

export async function readUnitSettings(tx: Prisma.TransactionClient): Promise<UnitSettings> {
  const rows = await transactionSql(tx).query<{ kind: "model" | "segment"; id: string; detail: string }>(
    `${PREPARED}
     SELECT 'model' AS kind, m."id"::text AS id, m.xmin::text AS detail
       FROM (SELECT "id", xmin FROM "ScoreModel" ORDER BY "fittedAt" DESC, "id" DESC LIMIT 1) m
     UNION ALL
     SELECT 'segment', s."id"::text, s."definition"::text FROM "Segment" s`,
  );
  const newest = rows.find((row) => row.kind === "model");
  return {
    model: await scoreModelAt(tx, newest ? { id: newest.id, rowVersion: newest.detail } : null),
    segments: rows
      .filter((row) => row.kind === "segment")
      .map((row) => ({ id: row.id, definition: row.detail })),
  };
}
