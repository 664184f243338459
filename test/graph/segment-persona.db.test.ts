// A segment's persona figures over GraphQL, exactly, on the hand-built population: an admin's over
// every live member, an account manager's over their own customers only.
import { describe, expect } from "vitest";
import { buildPopulation, POPULATION_NOW } from "../domain/segments/segment-population.ts";
import { CreateSegmentDocument, SegmentPersonaDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const clock = () => new Date(POPULATION_NOW);

describe("segment personas", () => {
  test("a persona's size, value, risk, NPS and channels, under each reader's visibility", async ({ db }) => {
    const population = await buildPopulation(db);
    const admin = await createTestClient(db, { clock });
    const created = await admin.execute(CreateSegmentDocument, {
      input: { name: "Everyone", description: "Every live customer.", definition: {} },
    });
    const payload = created.data?.createSegment;
    if (payload?.__typename !== "SegmentPayload") throw new Error(JSON.stringify(created));
    const id = payload.segment.id;

    const persona = async (client: typeof admin) => {
      const result = await client.execute(SegmentPersonaDocument, { id });
      expect(result.errors).toBeUndefined();
      const node = result.data?.node;
      if (node?.__typename !== "Segment") throw new Error("not a segment");
      return node.persona;
    };

    // Live: Ada 500, Bob 100, Cy —, Dee 50, Eve 900, Frank —; Zed (merged away) counts nowhere.
    expect(await persona(admin)).toEqual({
      description: "Every live customer.",
      size: 6,
      valuedCustomers: 4,
      medianLifetimeValue: { amount: "300.00", currency: "USD" },
      meanLifetimeValue: { amount: "387.50", currency: "USD" },
      scoredCustomers: 6,
      meanChurnRisk: 0.575,
      nps: { score: (100 * (2 - 1)) / 3, responses: 3, promoters: 2, detractors: 1 },
      preferredChannels: [
        { channel: "ECOMMERCE", interactions: 3, customers: 2, share: 0.6 },
        { channel: "SOCIAL", interactions: 1, customers: 1, share: 0.2 },
        { channel: "SUPPORT", interactions: 1, customers: 1, share: 0.2 },
      ],
    });

    const ana = await createTestClient(db, {
      role: "ACCOUNT_MANAGER",
      principalId: population.ana,
      scopes: [],
      clock,
    });
    expect(await persona(ana)).toEqual({
      description: "Every live customer.",
      size: 2,
      valuedCustomers: 2,
      medianLifetimeValue: { amount: "300.00", currency: "USD" },
      meanLifetimeValue: { amount: "300.00", currency: "USD" },
      scoredCustomers: 2,
      meanChurnRisk: 0.525,
      nps: { score: 0, responses: 2, promoters: 1, detractors: 1 },
      preferredChannels: [
        { channel: "ECOMMERCE", interactions: 2, customers: 1, share: 2 / 3 },
        { channel: "SUPPORT", interactions: 1, customers: 1, share: 1 / 3 },
      ],
    });
  });
});
