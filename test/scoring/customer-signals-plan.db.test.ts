// The signals statement (customer-signals.ts) is prepared, so after five executions on a connection
// PostgreSQL may run it with its generic plan. That plan must find a batch's customers through the
// primary key whatever the statistics say: right after a first sync nothing is analyzed, and an index
// on live customers alone that does not lead with the id (Customer_live_slice_key_idx there, another
// here) then looked cheaper, though PostgreSQL reads such an index whole for each id of the array (a
// sync's end drain spent 1.7 s on a batch of 2,000 customers that way). The test's tables are never
// analyzed either.
import { describe, expect } from "vitest";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { readCustomerSignals } from "../../src/scoring/customer-signals.ts";
import { test } from "../helpers/database.ts";
import { insertRows } from "../helpers/insert-rows.ts";

const CUSTOMERS = 3_000;
const BATCH = 2_000;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** The statement readCustomerSignals sends for these customers, and its values, without running it. */
async function signalsStatement(customerIds: string[]) {
  let sent: { sql: string; values: unknown[] } | undefined;
  const recorder = {
    $queryRawUnsafe: async (sql: string, ...values: unknown[]) => {
      sent = { sql, values };
      return [];
    },
  };
  await readCustomerSignals(recorder as never, {
    customerIds,
    asOf: new Date("2026-06-01T12:00:00Z"),
    policy: DEFAULT_SCORING_POLICY,
  });
  if (!sent) throw new Error("readCustomerSignals sent no statement");
  return sent;
}

/** A value as a literal of EXECUTE's argument list: arrays as array literals, the rest as text. */
function literal(value: unknown): string {
  const text = (item: unknown) => String(item).replaceAll("'", "''");
  if (Array.isArray(value)) {
    return `'{${value.map((item) => `"${text(item).replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}'`;
  }
  return value === null ? "NULL" : `'${text(value)}'`;
}

describe("the signals statement's generic plan", () => {
  test("finds a batch's customers through the primary key when nothing is analyzed", async ({ db }) => {
    const ids = Array.from(
      { length: CUSTOMERS },
      (_, index) => `00000000-0000-7000-8000-${String(index).padStart(12, "0")}`,
    );
    await insertRows(
      db.prisma,
      "Customer",
      ids.map((id) => ({ id })),
    );
    const { sql, values } = await signalsStatement(ids.slice(0, BATCH));

    const plan = await db.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`PREPARE signals AS ${sql}`);
      await tx.$executeRawUnsafe("SET LOCAL plan_cache_mode = force_generic_plan");
      const [row] = await tx.$queryRawUnsafe<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>(
        `EXPLAIN (FORMAT JSON) EXECUTE signals(${values.map(literal).join(", ")})`,
      );
      await tx.$executeRawUnsafe("DEALLOCATE signals");
      return nodesOf(row?.["QUERY PLAN"][0].Plan as PlanNode);
    });

    const described = plan.map((node) => `${node["Node Type"]} ${node["Index Name"] ?? ""}`).join(" > ");
    const customerIndexes = plan
      .map((node) => node["Index Name"])
      .filter((name): name is string => name?.startsWith("Customer_") === true);
    expect(customerIndexes, described).toEqual(["Customer_pkey"]);
  });
});
