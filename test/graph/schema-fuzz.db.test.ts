// Fuzzes every query and mutation field with arguments generated from the schema
// (fuzz/arbitraries-from-schema.ts): whatever a client sends, the answer is never a 5xx, never
// "Unexpected error.", never an error without a code, and comes within a bounded time; a mutation
// refused to a non-admin changes no row. The seed is fixed (FUZZ_SEED overrides it) and fast-check
// prints it with the shrunk counterexample on failure, so every failure replays.
import fc from "fast-check";
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLObjectType,
  getNamedType,
  isCompositeType,
} from "graphql";
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";
import { argumentsArbitrary, type FuzzContext } from "./fuzz/arbitraries-from-schema.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const RUNS_PER_FIELD = Number(process.env.FUZZ_RUNS ?? 4);
/** No request may take longer, whatever it asks: the limits refuse what would. */
const REQUEST_TIME_LIMIT_MS = 10_000;

type Client = Awaited<ReturnType<typeof createTestClient>>;
interface Answer {
  status: number;
  errors: Array<{ message: string; extensions?: Record<string, unknown> }>;
  data: Record<string, unknown> | null | undefined;
}

function operationFor(kind: "query" | "mutation", field: GraphQLField<unknown, unknown>): string {
  const variables = field.args.map((arg: GraphQLArgument) => `$${arg.name}: ${String(arg.type)}`);
  const args = field.args.map((arg) => `${arg.name}: $${arg.name}`);
  const selection = isCompositeType(getNamedType(field.type)) ? " { __typename }" : "";
  return `${kind} Fuzz${variables.length ? `(${variables.join(", ")})` : ""} { ${field.name}${args.length ? `(${args.join(", ")})` : ""}${selection} }`;
}

async function send(client: Client, query: string, variables: Record<string, unknown>): Promise<Answer> {
  const started = performance.now();
  const response = await client.fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIME_LIMIT_MS),
  });
  const body = (await response.json()) as Omit<Answer, "status">;
  expect(performance.now() - started, "answered within the time limit").toBeLessThan(REQUEST_TIME_LIMIT_MS);
  return { status: response.status, errors: body.errors ?? [], data: body.data };
}

function expectWellTyped(answer: Answer): void {
  expect(answer.status, JSON.stringify(answer.errors)).toBeLessThan(500);
  for (const error of answer.errors) {
    expect(error.message).not.toMatch(/^Unexpected error/);
    expect(error.extensions?.code, error.message).toBeTypeOf("string");
  }
}

/** A digest of every row a mutation could change (API keys record their last use on every request). */
async function rowsDigest(db: Database): Promise<string> {
  const tables = await db.prisma.$queryRawUnsafe<Array<{ name: string }>>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('_prisma_migrations', 'ApiKey') ORDER BY 1`,
  );
  const parts = tables.map(({ name }) => `SELECT '${name}:' || t::text AS row FROM "${name}" t`);
  const [digest] = await db.prisma.$queryRawUnsafe<Array<{ md5: string | null }>>(
    `SELECT md5(string_agg(row, '|' ORDER BY row)) AS md5 FROM (${parts.join(" UNION ALL ")}) rows`,
  );
  return digest?.md5 ?? "";
}

function wasForbidden(answer: Answer, fieldName: string): boolean {
  const result = answer.data?.[fieldName] as { __typename?: string } | null | undefined;
  return (
    answer.errors.some((error) => error.extensions?.code === "FORBIDDEN") ||
    result?.__typename === "ForbiddenError"
  );
}

async function knownIds(client: Client): Promise<FuzzContext> {
  const response = await client.fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: `mutation { upsertCustomer(input: { displayName: "Fuzz", identities: [{ kind: EMAIL, value: "fuzz@example.com" }] }) { ... on UpsertCustomerPayload { customer { id } } } }`,
    }),
  });
  const body = (await response.json()) as { data: { upsertCustomer: { customer: { id: string } } } };
  return { knownIds: [body.data.upsertCustomer.customer.id] };
}

function fieldsOf(type: GraphQLObjectType | null | undefined): Array<GraphQLField<unknown, unknown>> {
  return Object.values(type?.getFields() ?? {}).sort((a, b) => a.name.localeCompare(b.name));
}

describe("schema fuzzing", () => {
  test("every query field, with generated arguments, answers typed and in time", async ({ db }) => {
    const admin = await createTestClient(db);
    const context = await knownIds(admin);
    for (const field of fieldsOf(admin.yoga.getEnveloped().schema.getQueryType())) {
      const query = operationFor("query", field);
      await fc.assert(
        fc.asyncProperty(argumentsArbitrary(field.args, context), async (variables) => {
          expectWellTyped(await send(admin, query, variables));
        }),
        { seed: SEED, numRuns: RUNS_PER_FIELD, endOnFailure: true },
      );
    }
  }, 180_000);

  test("every mutation, sent by a non-admin with generated arguments, answers typed and in time; a refused one changes nothing", async ({
    db,
  }) => {
    const admin = await createTestClient(db);
    const context = await knownIds(admin);
    const analyst = await createTestClient(db, { role: "ANALYST", scopes: [] });
    for (const field of fieldsOf(analyst.yoga.getEnveloped().schema.getMutationType())) {
      const query = operationFor("mutation", field);
      await fc.assert(
        fc.asyncProperty(argumentsArbitrary(field.args, context), async (variables) => {
          const before = await rowsDigest(db);
          const answer = await send(analyst, query, variables);
          expectWellTyped(answer);
          if (wasForbidden(answer, field.name))
            expect(await rowsDigest(db), `${field.name} refused`).toBe(before);
        }),
        { seed: SEED, numRuns: RUNS_PER_FIELD, endOnFailure: true },
      );
    }
  }, 180_000);
});
