// A one-customer write (a mutation) stops planning its prepared statements: sent in their one-row
// form (prepared-statements.ts), PostgreSQL takes their generic plans after five executions, where the
// array form (an array parameter is costed as ten elements in a generic plan) kept it making a custom
// plan on every execution. A statement marked for one row is not prepared for a batch.
import { describe, expect } from "vitest";
import { runTransaction, transactionSql } from "../../src/db/transaction-sql.ts";
import { findLiveCustomerIds } from "../../src/domain/customers/find-customer.ts";
import { markSeen } from "../../src/domain/customers/mark-seen.ts";
import { databaseKind, test } from "../helpers/database.ts";

const LIMITS = { maxWait: 15_000, timeout: 30_000 };
const A = "01900000-0000-7000-8000-000000000001";
const B = "01900000-0000-7000-8000-000000000002";

interface Prepared extends Record<string, unknown> {
  statement: string;
  generic_plans: number;
  custom_plans: number;
}

describe.skipIf(databaseKind !== "postgres")("one-row statements on PostgreSQL", () => {
  test("a one-customer write's statements take their generic plans; a batch's are not prepared", async ({
    db,
  }) => {
    await db.prisma.customer.createMany({ data: [{ id: A }, { id: B }] });
    // One transaction: one connection, whose prepared statements pg_prepared_statements lists.
    const prepared = await runTransaction(
      db.prisma,
      async (tx) => {
        for (let n = 0; n < 8; n++) {
          const at = new Date(Date.UTC(2026, 0, 1 + n));
          expect(await findLiveCustomerIds(tx, [A])).toEqual(new Map([[A, A]]));
          await markSeen(tx, new Map([[A, { first: at, last: at }]]), new Map());
        }
        expect(await findLiveCustomerIds(tx, [A, B])).toEqual(
          new Map([
            [A, A],
            [B, B],
          ]),
        );
        return transactionSql(tx).query<Prepared>(
          `SELECT statement, generic_plans::int AS generic_plans, custom_plans::int AS custom_plans
             FROM pg_prepared_statements`,
        );
      },
      LIMITS,
    );
    const of = (text: string) => prepared.filter((row) => row.statement.includes(text));
    const [seen] = of(`UPDATE "Customer" c`);
    const [live] = of(`coalesce(m."id", c."id")`);
    for (const statement of [seen, live]) {
      expect(statement?.statement).toContain("ARRAY[$1::uuid]");
      expect(statement?.generic_plans).toBeGreaterThanOrEqual(3);
      expect(statement?.custom_plans).toBeLessThanOrEqual(5);
    }
    expect(of(`coalesce(m."id", c."id")`)).toHaveLength(1);
  });
});
