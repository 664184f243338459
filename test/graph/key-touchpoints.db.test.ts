// Key touchpoints over GraphQL: the typed operation of schema/operations/key-touchpoints.graphql, the
// request's clock as "now", and an account manager's book only.
import { describe, expect } from "vitest";
import { createSegment } from "../../src/domain/segments/manage-segments.ts";
import { KeyTouchpointsDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";
import {
  AS_OF,
  generateTouchpointCustomers,
  PERIOD,
  seedTouchpointPopulation,
} from "../helpers/touchpoint-population.ts";

const clock = () => AS_OF;
const period = { from: PERIOD.from.toISOString(), to: PERIOD.to.toISOString() };
const principalId = (id: string) => Buffer.from(`Principal:${id}`).toString("base64");
const customers = generateTouchpointCustomers(400, 17);

describe("keyTouchpoints", () => {
  test("ranks the drivers with their intervals, counts and sentences", async ({ db }) => {
    await seedTouchpointPopulation(db, customers);
    const client = await createTestClient(db, { role: "ANALYST", clock });
    const result = await client.execute(KeyTouchpointsDocument, {
      outcome: "NPS_DETRACTOR",
      filter: { period },
    });
    expect(result.errors).toBeUndefined();
    const analysis = result.data?.keyTouchpoints;
    expect(analysis).toMatchObject({
      outcome: "NPS_DETRACTOR",
      asOf: AS_OF.toISOString(),
      to: PERIOD.to.toISOString(),
      slowReplyHours: 4,
      customers: 400,
      outcomeCustomers: customers.filter((c) => c.detractor).length,
    });
    const slow = analysis?.drivers.find((driver) => driver.key === "SLOW_FIRST_REPLY");
    // The slow reply and the Onboarded stage are the two strongest drivers (domain tests rank them).
    expect(slow).toMatchObject({ family: "RESPONSE_DELAY", direction: "RAISES" });
    expect(slow?.rank).toBeLessThanOrEqual(2);
    expect(slow?.customers).toBe(customers.filter((c) => c.touchpoints.slowReply).length);
    expect(slow?.riskRatio.lower).toBeGreaterThan(1);
    expect(slow?.sentence).toContain(`, ${slow?.customers} customers.`);
    expect(analysis?.drivers.map((driver) => driver.rank)).toEqual(
      analysis?.drivers.map((_, index) => index + 1),
    );
    const stage = analysis?.drivers.find((driver) => driver.family === "JOURNEY_STAGE");
    expect(stage?.journeyStageId).toBeTruthy();
  });

  test("shows an account manager only their own customers, whatever owner they ask for", async ({ db }) => {
    const [alice, bob] = await Promise.all(
      ["Alice", "Bob"].map((name) => db.prisma.principal.create({ data: { name } })),
    );
    if (!alice || !bob) throw new Error("no principals");
    await seedTouchpointPopulation(db, customers, [alice.id, bob.id]);
    const bobs = await createTestClient(db, { role: "ACCOUNT_MANAGER", principalId: bob.id, clock });
    const result = await bobs.execute(KeyTouchpointsDocument, {
      outcome: "NPS_DETRACTOR",
      filter: { period, ownerId: principalId(alice.id) },
      touchpoints: ["RESPONSE_DELAY"],
    });
    expect(result.errors).toBeUndefined();
    const his = customers.filter((_, index) => index % 2 === 1);
    expect(result.data?.keyTouchpoints.customers).toBe(his.length);
    expect(result.data?.keyTouchpoints.outcomeCustomers).toBe(his.filter((c) => c.detractor).length);
    expect(result.data?.keyTouchpoints.drivers.map((driver) => [driver.key, driver.customers])).toEqual([
      ["SLOW_FIRST_REPLY", his.filter((c) => c.touchpoints.slowReply).length],
    ]);
  });

  test("narrows to a segment's members, as an owner filter would", async ({ db }) => {
    const [alice, bob] = await Promise.all(
      ["Alice", "Bob"].map((name) => db.prisma.principal.create({ data: { name } })),
    );
    if (!alice || !bob) throw new Error("no principals");
    await seedTouchpointPopulation(db, customers, [alice.id, bob.id]);
    const client = await createTestClient(db, { role: "ADMIN", clock });
    const segment = await createSegment(
      db.prisma,
      { principalId: client.principal.id, mayEditAny: true },
      { name: "Alice's book", definition: { ownerId: alice.id } },
      AS_OF,
    );
    const bySegment = await client.execute(KeyTouchpointsDocument, {
      outcome: "NPS_DETRACTOR",
      filter: { period, segmentId: Buffer.from(`Segment:${segment.id}`).toString("base64") },
      touchpoints: ["RESPONSE_DELAY"],
    });
    const byOwner = await client.execute(KeyTouchpointsDocument, {
      outcome: "NPS_DETRACTOR",
      filter: { period, ownerId: principalId(alice.id) },
      touchpoints: ["RESPONSE_DELAY"],
    });
    expect(bySegment.errors).toBeUndefined();
    const hers = customers.filter((_, index) => index % 2 === 0);
    expect(bySegment.data?.keyTouchpoints.customers).toBe(hers.length);
    expect(bySegment.data?.keyTouchpoints).toEqual(byOwner.data?.keyTouchpoints);
  });

  test("refuses a lapse whose horizon is not over, a past end for today's churn risk, and a negative delay, saying what to fix", async ({
    db,
  }) => {
    const client = await createTestClient(db, { role: "ANALYST", clock });
    const lapse = await client.execute(KeyTouchpointsDocument, { outcome: "LAPSED", filter: { period } });
    expect(lapse.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(lapse.errors?.[0]?.message).toMatch(/period\.to at least 90 days before now/);
    const delay = await client.execute(KeyTouchpointsDocument, {
      outcome: "CSAT_SATISFIED",
      slowReplyHours: -1,
    });
    expect(delay.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(delay.errors?.[0]?.message).toMatch(/slowReplyHours/);
    const pastRisk = await client.execute(KeyTouchpointsDocument, {
      outcome: "HIGH_CHURN_RISK",
      filter: { period },
    });
    expect(pastRisk.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(pastRisk.errors?.[0]?.message).toMatch(/current churn risk.*leave period\.to out/);
  });
});
