// How many customers meet the list's conditions. The count of every live customer (the unfiltered
// list of a viewer who sees them all) is read from the tally that triggers keep (CustomerTally in
// prisma/schema.prisma), so that it costs the same at any number of customers; any other condition
// counts the customers that meet it, which an index narrows.
import type { Db } from "../../db/database.ts";
import { directSql } from "../../db/direct-sql.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import { customerWhereSql } from "./customer-where-sql.ts";
import { isPlainObject } from "./prisma-argument-shapes.ts";

/** The live customers' count: the sum of the tally's slots (none yet on an empty database). */
const LIVE_CUSTOMERS_SQL = Prisma.sql`(SELECT COALESCE(sum("live"), 0)::int FROM "CustomerTally")`;

/**
 * An SQL expression (one int) of how many customers meet `where`, the customer row named `c` in it;
 * null when customer-where-sql.ts cannot read a condition.
 */
export function customerCountSql(where: Prisma.CustomerWhereInput[]): Prisma.Sql | null {
  if (isEveryLiveCustomer(where)) return LIVE_CUSTOMERS_SQL;
  const condition = customerWhereSql(where, "c");
  return condition && Prisma.sql`(SELECT count(*)::int FROM "Customer" c WHERE ${condition})`;
}

/** How many customers meet `where`: in SQL where customerCountSql reads it, through Prisma otherwise. */
export async function countCustomers(db: Db, where: Prisma.CustomerWhereInput[]): Promise<number> {
  const count = customerCountSql(where);
  if (count === null) return db.customer.count({ where: { AND: where } });
  const statement = Prisma.sql`SELECT ${count} AS "count"`;
  const [row] = await directSql(db).query<{ count: number }>(statement.text, statement.values);
  return row?.count ?? 0;
}

/**
 * Whether `where` says "live" and nothing else: `{ mergedIntoId: null }` at least once, with only
 * empty conditions (a viewer who sees every customer) and ANDs of the same beside it.
 */
export function isEveryLiveCustomer(where: Prisma.CustomerWhereInput[]): boolean {
  return onlyLive(where, { owner: false });
}

/**
 * Whether `where` says "live", and at most that the customers are one principal's (`{ ownerId }`, an
 * account manager's view or an owner filter): the unfiltered list of any viewer.
 */
export function isLiveOfOneOwnerAtMost(where: Prisma.CustomerWhereInput[]): boolean {
  return onlyLive(where, { owner: true });
}

function onlyLive(where: Prisma.CustomerWhereInput[], allow: { owner: boolean }): boolean {
  let live = false;
  const owners = new Set<string>();
  const check = (conditions: unknown[]): boolean =>
    conditions.every((condition) => {
      if (!isPlainObject(condition)) return false;
      return Object.entries(condition).every(([field, value]) => {
        if (value === undefined) return true;
        if (field === "mergedIntoId" && value === null) {
          live = true;
          return true;
        }
        if (allow.owner && field === "ownerId" && typeof value === "string") {
          owners.add(value);
          return true;
        }
        return field === "AND" && Array.isArray(value) && check(value);
      });
    });
  return check(where) && live && owners.size <= 1;
}
