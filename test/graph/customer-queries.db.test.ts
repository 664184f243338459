// Finding customers over GraphQL: by identity, filters, ordering, paging both ways, the 360 view.
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { defineJourney } from "../../src/domain/journeys/define-journey.ts";
import {
  AtRiskCustomersDocument,
  Customer360Document,
  CustomerListDocument,
} from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";
import { recordInteraction, submitFeedback, upsertCustomer } from "../helpers/writes.ts";

const day = (n: number) => new Date(Date.UTC(2026, 0, n, 12)).toISOString();

async function seed(db: Database) {
  const ana = await db.prisma.principal.create({ data: { name: "Ana" } });
  const order = (email: string, externalId: string, n: number) =>
    recordInteraction(db.prisma, {
      customer: { identities: [{ kind: "EMAIL", value: email }] },
      source: "shop",
      externalId,
      channel: "ECOMMERCE",
      kind: "order.placed",
      direction: "INBOUND",
      occurredAt: day(n),
      amount: { amount: "20.00", currency: "EUR" },
    });
  const ada = await order("ada@example.com", "o1", 3);
  await order("ada@example.com", "o2", 9);
  const grace = await order("grace@example.com", "o3", 5);
  await recordInteraction(db.prisma, {
    customer: { identities: [{ kind: "SOCIAL_HANDLE", namespace: "x", value: "@linus" }] },
    source: "x",
    externalId: "p1",
    channel: "SOCIAL",
    kind: "social.mention",
    direction: "INBOUND",
    occurredAt: day(7),
    summary: "Love it",
  });
  await submitFeedback(db.prisma, {
    customer: { id: ada.customerId },
    source: "survey",
    externalId: "s1",
    kind: "NPS",
    score: 9,
    respondedAt: day(10),
  });
  await db.prisma.customer.update({
    where: { id: ada.customerId },
    data: { displayName: "Ada Lovelace", ownerId: ana.id },
  });
  await db.prisma.customer.update({ where: { id: grace.customerId }, data: { displayName: "Grace Hopper" } });
  return { ana, adaId: ada.customerId, graceId: grace.customerId };
}

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");

describe("finding customers", () => {
  test("finds a customer by any identity, written any way", async ({ db }) => {
    const { adaId } = await seed(db);
    const client = await createTestClient(db);
    const result = await client.execute(Customer360Document, {
      identity: { kind: "EMAIL", value: "  ADA@Example.com " },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.customer?.id).toBe(gid("Customer", adaId));
    expect(result.data?.customer?.owner?.name).toBe("Ana");
  });

  test("gives null for an unknown identity and a typed error for asking two ways at once", async ({ db }) => {
    const { adaId } = await seed(db);
    const client = await createTestClient(db);
    const unknown = await client.execute(Customer360Document, {
      identity: { kind: "EMAIL", value: "nobody@example.com" },
    });
    expect(unknown.data?.customer).toBeNull();
    const both = await client.execute(Customer360Document, {
      id: gid("Customer", adaId),
      identity: { kind: "EMAIL", value: "ada@example.com" },
    });
    expect(both.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(both.errors?.[0]?.message).toMatch(/exactly one of id or identity/);
  });

  test("filters by text, channel, owner and last-seen window", async ({ db }) => {
    const { ana } = await seed(db);
    const client = await createTestClient(db);
    const names = async (filter: Record<string, unknown>) => {
      const result = await client.execute(CustomerListDocument, { first: 10, filter });
      expect(result.errors).toBeUndefined();
      return result.data?.customers.edges.map(
        (edge) => edge.node.displayName ?? edge.node.identities[0]?.value,
      );
    };
    expect(await names({ search: "grace" })).toEqual(["Grace Hopper"]);
    expect(await names({ search: "linus" })).toEqual(["linus"]);
    expect(await names({ channel: "SOCIAL" })).toEqual(["linus"]);
    expect(await names({ ownerId: gid("Principal", ana.id) })).toEqual(["Ada Lovelace"]);
    expect(await names({ unowned: true, channel: "ECOMMERCE" })).toEqual(["Grace Hopper"]);
    expect(await names({ lastSeen: { from: day(6), to: day(9) } })).toEqual(["linus"]);
  });

  test("searches emails only with the pii scope", async ({ db }) => {
    await seed(db);
    const withPii = await createTestClient(db, { role: "ANALYST", scopes: ["pii"] });
    const without = await createTestClient(db, { role: "ANALYST", scopes: [] });
    const count = async (client: typeof withPii) =>
      (await client.execute(CustomerListDocument, { first: 10, filter: { search: "ada@example" } })).data
        ?.customers.totalCount;
    expect(await count(withPii)).toBe(1);
    expect(await count(without)).toBe(0);
  });

  test("orders by name both ways and by last seen", async ({ db }) => {
    await seed(db);
    const client = await createTestClient(db);
    const order = async (orderBy: { field: "NAME" | "CREATED" | "LAST_SEEN"; direction: "ASC" | "DESC" }) =>
      (await client.execute(CustomerListDocument, { first: 10, orderBy })).data?.customers.edges.map(
        (edge) => edge.node.displayName,
      );
    expect(await order({ field: "NAME", direction: "ASC" })).toEqual(["Ada Lovelace", "Grace Hopper", null]);
    expect(await order({ field: "NAME", direction: "DESC" })).toEqual(["Grace Hopper", "Ada Lovelace", null]);
    expect(await order({ field: "LAST_SEEN", direction: "DESC" })).toEqual([
      "Ada Lovelace",
      null,
      "Grace Hopper",
    ]);
  });

  test("narrows a customer's interactions by channel, kind and time, counting only those", async ({ db }) => {
    const { adaId } = await seed(db);
    await recordInteraction(db.prisma, {
      customer: { id: adaId },
      source: "mail",
      externalId: "m1",
      channel: "EMAIL",
      kind: "email.received",
      direction: "INBOUND",
      occurredAt: day(8),
    });
    const client = await createTestClient(db);
    const kinds = async (args: string) => {
      const response = await client.fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
        body: JSON.stringify({
          query: `{ customer(id: "${gid("Customer", adaId)}") { interactions(first: 10${args}) {
            totalCount edges { node { kind occurredAt } } } } }`,
        }),
      });
      const { data, errors } = await response.json();
      expect(errors).toBeUndefined();
      return [
        data.customer.interactions.totalCount,
        data.customer.interactions.edges.map(
          (edge: { node: { occurredAt: string } }) => edge.node.occurredAt,
        ),
      ];
    };
    expect(await kinds("")).toEqual([3, [day(9), day(8), day(3)]]);
    expect(await kinds(", channels: [EMAIL]")).toEqual([1, [day(8)]]);
    expect(await kinds(', kinds: ["order.placed"]')).toEqual([2, [day(9), day(3)]]);
    expect(await kinds(`, occurred: { from: "${day(4)}", to: "${day(9)}" }`)).toEqual([1, [day(8)]]);
  });

  test("pages backwards with last/before", async ({ db }) => {
    await seed(db);
    const client = await createTestClient(db);
    const response = await client.fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify({
        query: `{ customers(last: 2, orderBy: { field: NAME, direction: ASC }) {
          pageInfo { hasPreviousPage startCursor } edges { node { displayName } } } }`,
      }),
    });
    const { data } = await response.json();
    expect(
      data.customers.edges.map((edge: { node: { displayName: string | null } }) => edge.node.displayName),
    ).toEqual(["Grace Hopper", null]);
    expect(data.customers.pageInfo.hasPreviousPage).toBe(true);
  });

  test("shows the 360 timeline of interactions and answers newest first, paged by cursor", async ({ db }) => {
    const { adaId } = await seed(db);
    const client = await createTestClient(db);
    const first = await client.execute(Customer360Document, { id: gid("Customer", adaId), timelineFirst: 2 });
    const timeline = first.data?.customer?.timeline;
    expect(timeline?.edges.map((edge) => edge.node.__typename)).toEqual(["Feedback", "Interaction"]);
    expect(timeline?.pageInfo.hasNextPage).toBe(true);
    const next = await client.execute(Customer360Document, {
      id: gid("Customer", adaId),
      timelineFirst: 2,
      timelineAfter: timeline?.pageInfo.endCursor,
    });
    const rest = next.data?.customer?.timeline;
    expect(rest?.edges).toHaveLength(1);
    expect(rest?.pageInfo.hasNextPage).toBe(false);
    const last = rest?.edges[0]?.node;
    expect(last?.__typename === "Interaction" && last.occurredAt).toBe(day(3));
    expect(first.data?.customer?.feedback.totalCount).toBe(1);
  });

  test("the 360's time in a journey stage runs to the server's clock, not the machine's", async ({ db }) => {
    await defineJourney(db.prisma, {
      key: "purchase",
      name: "Purchase",
      stages: [
        { key: "ordered", name: "Ordered", enteredBy: ["order.placed"] },
        { key: "reviewed", name: "Reviewed", enteredBy: ["review.posted"] },
      ],
    });
    const { adaId } = await seed(db);
    // Ada's last order (day 9) moved her nowhere new: she entered "ordered" with the first, on day 3.
    const client = await createTestClient(db, { clock: () => new Date(day(10)) });
    const page = await client.execute(Customer360Document, { id: gid("Customer", adaId) });
    expect(page.errors).toBeUndefined();
    const [purchase] = page.data?.customer?.journeys ?? [];
    expect(purchase?.stageEnteredAt).toBe(day(3));
    expect(purchase?.timeInStageSeconds).toBe(7 * 86_400);
  });

  test("an account manager's at-risk list by value at risk: ties by ID, no clv last, every page once", async ({
    db,
  }) => {
    const ana = await db.prisma.principal.create({ data: { name: "Ana" } });
    const bo = await db.prisma.principal.create({ data: { name: "Bo" } });
    // Scores set as stored, so the order checked here is the list's, whatever the churn model says.
    const scored = async (name: string, ownerId: string, clv: string | null, churnRisk: number) => {
      const { customer } = await upsertCustomer(
        db.prisma,
        { identities: [{ kind: "EMAIL", value: `${name.toLowerCase()}@example.com` }], displayName: name },
        {},
        { clock: () => new Date("2026-06-15T12:00:00Z") },
      );
      await db.prisma.customer.update({ where: { id: customer.id }, data: { ownerId } });
      const level = churnRisk >= 0.8 ? "CRITICAL" : churnRisk >= 0.6 ? "HIGH" : "LOW";
      await db.prisma.score.update({
        where: { customerId: customer.id },
        data: { clv, currency: clv === null ? null : "USD", churnRisk, churnRiskLevel: level },
      });
      return customer.id;
    };
    const ids = {
      a: await scored("A", ana.id, "1000.00", 0.9), // 900 at risk
      b: await scored("B", ana.id, "1500.00", 0.6), // 900
      c: await scored("C", ana.id, "900.00", 1), // 900
      g: await scored("G", ana.id, "100.00", 0.8), // 80
      e: await scored("E", ana.id, null, 0.95), // no clv: last
      f: await scored("F", ana.id, null, 0.7), // no clv: last
      low: await scored("Low", ana.id, "2000.00", 0.3), // 600, but not at risk
      bos: await scored("Bos", bo.id, "5000.00", 0.9), // 4500, someone else's
    };
    const byId = (direction: 1 | -1) => (x: string, y: string) => (x < y ? -direction : direction);
    const tied = [ids.a, ids.b, ids.c];
    const unvalued = [ids.e, ids.f];
    const expected = {
      DESC: [...[...tied].sort(byId(-1)), ids.g, ...[...unvalued].sort(byId(-1))],
      ASC: [ids.g, ...[...tied].sort(byId(1)), ...[...unvalued].sort(byId(1))],
    };

    const manager = await createTestClient(db, { role: "ACCOUNT_MANAGER", principalId: ana.id });
    for (const direction of ["DESC", "ASC"] as const) {
      const seen: string[] = [];
      let after: string | null | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const result = await manager.execute(AtRiskCustomersDocument, {
          orderBy: "VALUE_AT_RISK",
          direction,
          first: 2,
          after,
        });
        expect(result.errors).toBeUndefined();
        const page = result.data?.customers;
        expect(page?.totalCount).toBe(6);
        seen.push(...(page?.edges.map((edge) => edge.node.id) ?? []));
        if (!page?.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen, direction).toEqual(expected[direction].map((id) => gid("Customer", id)));
    }

    const top = await manager.execute(AtRiskCustomersDocument, { orderBy: "VALUE_AT_RISK", first: 1 });
    expect(top.data?.customers.edges[0]?.node.score?.valueAtRisk).toEqual({
      amount: "900.00",
      currency: "USD",
    });

    // Backwards, from the end to the start: the same list, in pages of two.
    const backwards: string[] = [];
    let before: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const response = await manager.fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
        body: JSON.stringify({
          query: `query ($before: String) { customers(last: 2, before: $before,
            filter: { churnRiskLevels: [HIGH, CRITICAL] }, orderBy: { field: VALUE_AT_RISK, direction: DESC }) {
            pageInfo { hasPreviousPage startCursor } edges { node { id } } } }`,
          variables: { before },
        }),
      });
      const { data, errors } = await response.json();
      expect(errors).toBeUndefined();
      backwards.unshift(...data.customers.edges.map((edge: { node: { id: string } }) => edge.node.id));
      if (!data.customers.pageInfo.hasPreviousPage) break;
      before = data.customers.pageInfo.startCursor;
    }
    expect(backwards).toEqual(expected.DESC.map((id) => gid("Customer", id)));

    // Without a score filter the list may hold customers not scored yet: they sort last too.
    await db.prisma.score.delete({ where: { customerId: ids.g } });
    const book = await manager.execute(AtRiskCustomersDocument, {
      orderBy: "VALUE_AT_RISK",
      levels: null,
      first: 10,
    });
    expect(book.data?.customers.edges.map((edge) => edge.node.id)).toEqual(
      [...[...tied].sort(byId(-1)), ids.low, ...[ids.e, ids.f, ids.g].sort(byId(-1))].map((id) =>
        gid("Customer", id),
      ),
    );
  });
});
