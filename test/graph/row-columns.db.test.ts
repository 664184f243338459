// Every field of the row types answers the same when the page statement reads only the columns the
// mapping names for it (src/graph/row-columns.ts) as when it reads every column: field by field, so
// that no other field of the request brings in a column the one field needs, on the list page and the
// customer page, for a reader with the `pii` scope, one without (whose answers are masked by other
// columns) and an account manager (whose visibility is checked on the rows). The fields are taken
// from the built schema: a field added later is checked here too.
import {
  type GraphQLField,
  GraphQLInterfaceType,
  GraphQLObjectType,
  type GraphQLOutputType,
  GraphQLUnionType,
  getNamedType,
  isLeafType,
  isRequiredArgument,
} from "graphql";
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { ROW_TYPES } from "../../src/graph/row-columns.ts";
import { graphSchema } from "../../src/graph/schema.ts";
import { test } from "../helpers/database.ts";
import { createTestClient, type TestClientOptions } from "../helpers/graphql.ts";

async function seed(db: Database) {
  const owner = await db.prisma.principal.create({ data: { name: "Owner", email: "owner@example.com" } });
  const customers = [];
  for (const i of [0, 1]) {
    const customer = await db.prisma.customer.create({
      data: {
        displayName: i ? `Customer ${i}` : "someone@example.com",
        traits: { plan: "gold", personalEmail: `c${i}@example.com`, note: "call +14155550123" },
        lifecycleStage: "CUSTOMER",
        ownerId: owner.id,
        firstSeenAt: new Date(Date.UTC(2026, 0, 1)),
        lastSeenAt: new Date(Date.UTC(2026, 0, 2 + i)),
        identities: {
          create: [
            // An address free text would not take for one: masked as an email only by its kind.
            { kind: "EMAIL", value: `c${i}@localhost`, source: "shop" },
            { kind: "SHOP_CUSTOMER_ID", namespace: "shop", value: `c${i}@example.com`, source: "shop" },
          ],
        },
        interactions: {
          create: [0, 1, 2].map((j) => ({
            source: "shop",
            externalId: `${i}-${j}`,
            channel: "EMAIL" as const,
            kind: "order.placed",
            direction: "INBOUND" as const,
            occurredAt: new Date(Date.UTC(2026, 0, 1, j)),
            summary: `Order from c${i}@example.com`,
            body: "Please call me at +14155550123",
            amount: "12.3400",
            currency: "USD",
            sentiment: 0.5,
            conversationId: `thread-${j}`,
            metadata: { status: "open", email: "c@example.com" },
          })),
        },
        feedback: {
          create: [0, 1].map((j) => ({
            source: "survey",
            externalId: `${i}-${j}`,
            kind: "NPS" as const,
            score: 9,
            comment: "Great, write to c@example.com",
            channel: "EMAIL" as const,
            touchpoint: "checkout by c@example.com",
            sentiment: 0.8,
            respondedAt: new Date(Date.UTC(2026, 0, 3, j)),
          })),
        },
      },
    });
    customers.push(customer);
  }
  return { owner, customers };
}

const schema = graphSchema();

/** A selection under a field of `type`: its leaf fields without required arguments, or its __typename. */
function under(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return "";
  if (named instanceof GraphQLUnionType || named instanceof GraphQLInterfaceType) return "{ __typename }";
  const leaves = Object.values((named as GraphQLObjectType).getFields()).filter(
    (field) => isLeafType(getNamedType(field.type)) && !field.args.some(isRequiredArgument),
  );
  return `{ __typename ${leaves.map((field) => field.name).join(" ")} }`;
}

const fieldOf = (field: GraphQLField<unknown, unknown>) => `${field.name} ${under(field.type)}`;

/**
 * A fragment on the timeline's union, which the mapping is not sure of: both sides of the page are
 * read whole, also where the timeline reads its own page (a list's customers, one by one).
 */
const WHOLE_ENTRY = "... on TimelineEntry { __typename }";

/**
 * Where each row type sits under a customer, with `field` selected there; `whole`, the same for the
 * forms that read every column (see `document`).
 */
const AT: Record<keyof typeof ROW_TYPES, (field: string, whole: boolean) => string> = {
  customer: (field) => field,
  owner: (field) => `owner { ${field} }`,
  identities: (field) => `identities { ${field} }`,
  interactions: (field) => `interactions(first: 2) { edges { cursor node { ${field} } } }`,
  feedback: (field) => `feedback(first: 1) { edges { node { ${field} } } pageInfo { hasNextPage } }`,
  timelineInteractions: (field, whole) =>
    `timeline(first: 4) { edges { cursor node { __typename ... on Interaction { ${field} } ${whole ? WHOLE_ENTRY : ""} } } }`,
  timelineFeedback: (field, whole) =>
    `timeline(first: 4) { pageInfo { endCursor } edges { node { __typename ... on Feedback { ${field} } ${whole ? WHOLE_ENTRY : ""} } } }`,
};

/**
 * The list page and the customer page with the one field at its place, each twice: as selected, and
 * with a fragment on the Node interface, which the mapping is not sure of, so that row reads every column.
 */
const document = (narrow: string, whole: string) => `query Rows($id: ID!) {
  narrowList: customers(first: 2) { edges { node { id ${narrow} } } }
  wholeList: customers(first: 2) { edges { node { id ${whole} ... on Node { id } } } }
  narrowOne: customer(id: $id) { id ${narrow} }
  wholeOne: customer(id: $id) { id ${whole} ... on Node { id } }
}`;

describe("each field of the page statement's rows", () => {
  test("answers the same from the columns it names as from every column", { timeout: 240_000 }, async ({
    db,
  }) => {
    const { owner, customers } = await seed(db);
    const readers: TestClientOptions[] = [
      { role: "ADMIN", scopes: ["pii"] },
      { role: "ANALYST", scopes: [] },
      { role: "ACCOUNT_MANAGER", scopes: [], principalId: owner.id },
    ];
    const clients = await Promise.all(readers.map((options) => createTestClient(db, options)));
    const id = Buffer.from(`Customer:${customers[0]?.id}`).toString("base64");
    let compared = 0;
    for (const [table, { type }] of Object.entries(ROW_TYPES) as [
      keyof typeof ROW_TYPES,
      { type: string },
    ][]) {
      const objectType = schema.getType(type);
      if (!(objectType instanceof GraphQLObjectType))
        throw new Error(`the schema has no ${type} object type`);
      for (const field of Object.values(objectType.getFields())) {
        const query = document(AT[table](fieldOf(field), false), AT[table](fieldOf(field), true));
        for (const [r, client] of clients.entries()) {
          const response = await client.fetch("/graphql", {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
            body: JSON.stringify({ query, variables: { id } }),
          });
          const body = (await response.json()) as {
            data?: Record<string, unknown> | null;
            errors?: { message: string; path?: (string | number)[] }[];
          };
          const where = `${type}.${field.name} for ${readers[r]?.role}`;
          expect(body.data, `${where}: ${JSON.stringify(body.errors)}`).toBeTruthy();
          const { narrowList, wholeList, narrowOne, wholeOne } = body.data ?? {};
          expect(wholeList, where).toBeTruthy();
          expect(narrowList, where).toEqual(wholeList);
          expect(narrowOne, where).toEqual(wholeOne);
          // The errors (a field the reader may not see) come in pairs, one for each form, in any order.
          const errorsOf = (form: string) =>
            (body.errors ?? [])
              .filter((error) => String(error.path?.[0]).startsWith(form))
              .map(
                (error) =>
                  `${String(error.path?.[0]).slice(form.length)}.${error.path?.slice(1).join(".")}: ${error.message}`,
              )
              .sort();
          expect(errorsOf("narrow"), where).toEqual(errorsOf("whole"));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
