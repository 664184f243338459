// Fixture rows written in bulk, for tests that seed hundreds or thousands of rows. Prisma's createMany
// compiles and maps every value in its client: about 1 ms a row on the test machine (10,000
// interactions took 10-15 s, the largest part of the suite's slowest files). The hub's own bulk path
// (src/db/insert-json-rows.ts: one JSON document per 1,000 rows) takes a tenth of that.
//
// The rows are createMany's own input types, and what Prisma's client would fill in is filled in the
// same way: a uuid(7) id where the row gives none (a table keyed by one), and `updatedAt` (an @updatedAt column) as now.

import type { PrismaClient } from "../../src/db/database.ts";
import { insertJsonRows } from "../../src/db/insert-json-rows.ts";
import { transactionSql } from "../../src/db/transaction-sql.ts";
import { uuidv7 } from "../../src/db/uuid-v7.ts";
import { Prisma } from "../../src/generated/prisma/client.ts";

/** The tables a test seeds in bulk, each with createMany's input for its rows. */
interface RowsOf {
  Customer: Prisma.CustomerCreateManyInput;
  Identity: Prisma.IdentityCreateManyInput;
  Interaction: Prisma.InteractionCreateManyInput;
  Feedback: Prisma.FeedbackCreateManyInput;
  JourneyProgress: Prisma.JourneyProgressCreateManyInput;
  JourneyTransition: Prisma.JourneyTransitionCreateManyInput;
  Score: Prisma.ScoreCreateManyInput;
}

/** The tables among them keyed by an `id` of @default(uuid(7)), which Prisma's client makes. */
const HAS_GENERATED_ID: ReadonlySet<keyof RowsOf> = new Set([
  "Customer",
  "Identity",
  "Interaction",
  "Feedback",
  "JourneyProgress",
  "JourneyTransition",
]);

/** The tables among them with an @updatedAt column, which Prisma's client sets on create. */
const HAS_UPDATED_AT: ReadonlySet<keyof RowsOf> = new Set(["Customer", "JourneyProgress"]);

/** Inserts `rows` into `table` as createMany would (without skipDuplicates); returns how many. */
export function insertRows<Table extends keyof RowsOf>(
  prisma: PrismaClient,
  table: Table,
  rows: readonly RowsOf[Table][],
): Promise<number> {
  const now = new Date();
  const complete = rows.map((row): Record<string, unknown> => {
    const given: Record<string, unknown> = row;
    refuseNullMarkers(table, given);
    return {
      ...given,
      ...(HAS_GENERATED_ID.has(table) ? { id: given.id ?? uuidv7() } : {}),
      ...(HAS_UPDATED_AT.has(table) ? { updatedAt: given.updatedAt ?? now } : {}),
    };
  });
  return insertJsonRows(transactionSql(prisma), table, complete);
}

/**
 * Prisma's null markers (Prisma.JsonNull, DbNull, AnyNull) mean something only to Prisma's client: in
 * the JSON document they would be written as objects, a JSON column holding `{}`. Refused by name.
 */
function refuseNullMarkers(table: string, row: Record<string, unknown>): void {
  for (const [column, value] of Object.entries(row)) {
    if (value === Prisma.JsonNull || value === Prisma.DbNull || value === Prisma.AnyNull) {
      throw new Error(
        `insertRows(${table}): ${column} is one of Prisma's null markers, which only Prisma's client understands; give null for an SQL NULL, or seed this row with createMany.`,
      );
    }
  }
}
