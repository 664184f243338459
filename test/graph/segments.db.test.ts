// Segments over GraphQL: saved by admins and account managers, changed only by their creator or an
// admin, with live members and counts under the reader's visibility, and usable as a customer filter.
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { buildPopulation, POPULATION_NOW } from "../domain/segments/segment-population.ts";
import {
  CreateSegmentDocument,
  CustomerListDocument,
  DeleteSegmentDocument,
  SegmentMembersDocument,
  SegmentsDocument,
  UpdateSegmentDocument,
} from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");
const rawIds = (ids: string[]) => ids.map((id) => Buffer.from(id, "base64").toString().split(":")[1]).sort();
const clock = () => new Date(POPULATION_NOW);

async function createAtRisk(client: Awaited<ReturnType<typeof createTestClient>>, name = "At risk") {
  const result = await client.execute(CreateSegmentDocument, {
    input: {
      name,
      description: "Customers likely to leave soon.",
      definition: { churnRiskLevels: ["HIGH", "CRITICAL"] },
    },
  });
  expect(result.errors).toBeUndefined();
  const payload = result.data?.createSegment;
  if (payload?.__typename !== "SegmentPayload") throw new Error(`not created: ${JSON.stringify(payload)}`);
  return payload.segment;
}

async function members(client: Awaited<ReturnType<typeof createTestClient>>, id: string) {
  const result = await client.execute(SegmentMembersDocument, { id, first: 50 });
  expect(result.errors).toBeUndefined();
  const node = result.data?.node;
  if (node?.__typename !== "Segment") throw new Error("not a segment");
  return { count: node.memberCount, ids: rawIds(node.members.edges.map((edge) => edge.node.id)) };
}

async function managerOf(db: Database, principalId: string) {
  return createTestClient(db, { role: "ACCOUNT_MANAGER", principalId, scopes: [], clock });
}

describe("segments over GraphQL", () => {
  test("an admin saves a segment; its members and count are exact", async ({ db }) => {
    const population = await buildPopulation(db);
    const admin = await createTestClient(db, { clock });
    const segment = await createAtRisk(admin);
    expect(segment).toMatchObject({
      name: "At risk",
      editable: true,
      memberCount: 3,
      definition: { churnRiskLevels: ["HIGH", "CRITICAL"], channels: null, search: null },
    });
    expect(await members(admin, segment.id)).toEqual({ count: 3, ids: population.named("bob", "cy", "eve") });
    const listed = await admin.execute(SegmentsDocument);
    expect(listed.data?.segments.map((s) => [s.name, s.memberCount])).toEqual([["At risk", 3]]);
  });

  test("an account manager sees only their own customers inside any segment", async ({ db }) => {
    const population = await buildPopulation(db);
    const admin = await createTestClient(db, { clock });
    const segment = await createAtRisk(admin);
    const ana = await managerOf(db, population.ana);
    const ben = await managerOf(db, population.ben);
    expect(await members(ana, segment.id)).toEqual({ count: 1, ids: population.named("bob") });
    expect(await members(ben, segment.id)).toEqual({ count: 2, ids: population.named("cy", "eve") });
    const filtered = await ana.execute(CustomerListDocument, {
      filter: { segmentId: segment.id },
      first: 50,
    });
    expect(filtered.data?.customers.totalCount).toBe(1);
    const listed = await ana.execute(SegmentsDocument);
    expect(listed.data?.segments.map((s) => [s.name, s.memberCount, s.editable])).toEqual([
      ["At risk", 1, false],
    ]);
    // An integrator key reads no customers, so no segment either.
    const integrator = await createTestClient(db, { role: "INTEGRATOR", scopes: [], clock });
    expect((await integrator.execute(SegmentsDocument)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  test("customers(filter: { segmentId }) narrows further with the other conditions", async ({ db }) => {
    const population = await buildPopulation(db);
    const admin = await createTestClient(db, { clock });
    const segment = await createAtRisk(admin);
    const result = await admin.execute(CustomerListDocument, {
      filter: { segmentId: segment.id, channels: ["EMAIL"] },
      first: 50,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.customers.totalCount).toBe(2);
    expect(rawIds(result.data?.customers.edges.map((edge) => edge.node.id) ?? [])).toEqual(
      population.named("bob", "eve"),
    );
    const missing = await admin.execute(CustomerListDocument, {
      filter: { segmentId: gid("Segment", "0193a0c4-0000-7000-8000-000000000000") },
    });
    expect(missing.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  test("account managers change only the segments they created; admins change any", async ({ db }) => {
    const population = await buildPopulation(db);
    const admin = await createTestClient(db, { clock });
    const ana = await managerOf(db, population.ana);
    const adminSegment = await createAtRisk(admin, "Admin's");
    const anaSegment = await createAtRisk(ana, "Ana's");
    expect(anaSegment.editable).toBe(true);

    const refused = await ana.execute(UpdateSegmentDocument, {
      input: { id: adminSegment.id, name: "Mine now" },
    });
    expect(refused.data?.updateSegment.__typename).toBe("ForbiddenError");
    const refusedDelete = await ana.execute(DeleteSegmentDocument, { input: { id: adminSegment.id } });
    expect(refusedDelete.data?.deleteSegment.__typename).toBe("ForbiddenError");

    const changed = await ana.execute(UpdateSegmentDocument, {
      input: { id: anaSegment.id, definition: { channels: ["SUPPORT"] } },
    });
    const payload = changed.data?.updateSegment;
    if (payload?.__typename !== "SegmentPayload") throw new Error(JSON.stringify(changed));
    expect(payload.segment.definition.channels).toEqual(["SUPPORT"]);
    expect(payload.segment.definition.churnRiskLevels).toBeNull();
    expect(payload.segment.memberCount).toBe(1);

    const byAdmin = await admin.execute(UpdateSegmentDocument, {
      input: { id: anaSegment.id, description: "Support" },
    });
    expect(byAdmin.data?.updateSegment.__typename).toBe("SegmentPayload");
    const deleted = await admin.execute(DeleteSegmentDocument, { input: { id: anaSegment.id } });
    expect(deleted.data?.deleteSegment).toEqual({
      __typename: "DeleteSegmentPayload",
      deletedSegmentId: anaSegment.id,
    });
    expect(await db.prisma.segment.count()).toBe(1);

    const analyst = await createTestClient(db, { role: "ANALYST", clock });
    const analystTry = await analyst.execute(CreateSegmentDocument, {
      input: { name: "Analyst's", definition: {} },
    });
    expect(analystTry.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  test("a definition naming an unknown journey stage, a segment or a taken name is refused", async ({
    db,
  }) => {
    await buildPopulation(db);
    const admin = await createTestClient(db, { clock });
    await createAtRisk(admin, "Taken");
    const stage = await admin.execute(CreateSegmentDocument, {
      input: {
        name: "Nowhere",
        definition: { journeyStages: [{ journeyKey: "onboarding", stageKey: "churned" }] },
      },
    });
    const refusal = stage.data?.createSegment;
    if (refusal?.__typename !== "ValidationError") throw new Error(JSON.stringify(stage));
    expect(refusal.issues).toEqual([
      { path: ["definition", "journeyStages", "0"], message: 'journey "onboarding" has no stage "churned"' },
    ]);
    const nested = await admin.execute(CreateSegmentDocument, {
      input: {
        name: "Nested",
        definition: { segmentId: gid("Segment", "0193a0c4-0000-7000-8000-000000000000") },
      },
    });
    expect(nested.data?.createSegment.__typename).toBe("ValidationError");
    const inverted = await admin.execute(CreateSegmentDocument, {
      input: { name: "Inverted", definition: { minLifetimeValue: 10, maxLifetimeValue: 5 } },
    });
    const invertedRefusal = inverted.data?.createSegment;
    if (invertedRefusal?.__typename !== "ValidationError") throw new Error(JSON.stringify(inverted));
    expect(invertedRefusal.issues).toEqual([
      { path: ["input", "definition", "maxLifetimeValue"], message: "is below the minimum (10)" },
    ]);
    const taken = await admin.execute(CreateSegmentDocument, { input: { name: "Taken", definition: {} } });
    expect(taken.data?.createSegment.__typename).toBe("ConflictError");
  });
});
