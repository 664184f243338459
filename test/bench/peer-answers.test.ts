// The mapping of PostGraphile's answers onto the hub's shape: a wrong mapping would make the peer
// bench's equality check fail on good answers or, worse, pass by comparing the wrong things.
import { describe, expect, it } from "vitest";
import { globalId } from "./baseline-shared.ts";
import { customer360ToHubShape, listToHubShape } from "./peer-answers.ts";
import { TIMELINE_FIRST } from "./peer-queries.ts";

const CUSTOMER = "5231ca98-b50f-41c7-9de8-3690e1409a60";
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function interaction(n: number, occurredAt: string, amount: string | null = null) {
  return {
    rowId: uuid(n),
    channel: "ECOMMERCE",
    kind: "order.placed",
    direction: "INBOUND",
    occurredAt,
    summary: `${n} CDs`,
    body: null,
    sentiment: null,
    amount,
    currency: amount === null ? null : "USD",
  };
}

const feedback = (n: number, respondedAt: string) => ({
  rowId: uuid(n),
  kind: "NPS",
  score: 9,
  comment: "fine",
  respondedAt,
});

function customer(overrides: Record<string, unknown> = {}) {
  return {
    customerByRowId: {
      rowId: CUSTOMER,
      displayName: "Mia Walker",
      lifecycleStage: "CUSTOMER",
      traits: { tier: "gold" },
      firstSeenAt: "1997-01-01T10:00:00+00:00",
      lastSeenAt: "1998-07-05T14:27:27.609123+00:00",
      createdAt: "1998-07-05T16:27:27.609+02:00",
      principalByOwnerId: null,
      identitiesByCustomerId: { nodes: [] },
      feedback: { totalCount: 0, nodes: [] },
      journeyProgressesByCustomerId: { nodes: [] },
      timelineInteractions: { nodes: [] },
      timelineFeedback: { nodes: [] },
      ...overrides,
    },
  };
}

describe("PostGraphile's answers in the hub's shape", () => {
  it("gives global IDs and millisecond UTC timestamps, whatever offset PostgreSQL printed", () => {
    const mapped = customer360ToHubShape(customer());
    expect(mapped.customer).toMatchObject({
      id: globalId("Customer", CUSTOMER),
      lastSeenAt: "1998-07-05T14:27:27.609Z",
      createdAt: "1998-07-05T14:27:27.609Z",
      owner: null,
    });
  });

  it("merges interactions and survey answers newest first, ties by id descending, cut to a page", () => {
    const same = "1998-01-01T00:00:00+00:00";
    const interactions = Array.from({ length: TIMELINE_FIRST + 1 }, (_, n) =>
      interaction(n + 10, `1997-0${1 + (n % 9)}-01T00:00:00+00:00`),
    );
    const mapped = customer360ToHubShape(
      customer({
        timelineInteractions: { nodes: [interaction(1, same), ...interactions] },
        timelineFeedback: { nodes: [feedback(2, same)] },
      }),
    );
    const timeline = mapped.customer?.timeline;
    expect(timeline?.edges).toHaveLength(TIMELINE_FIRST);
    expect(timeline?.pageInfo.hasNextPage).toBe(true);
    // Equal times: the larger id first, as the hub's ORDER BY at DESC, id DESC.
    expect(timeline?.edges.slice(0, 2).map((edge) => edge.node.id)).toEqual([
      globalId("Feedback", uuid(2)),
      globalId("Interaction", uuid(1)),
    ]);
    expect(timeline?.edges[0]?.cursor).toBe(
      Buffer.from(`1998-01-01T00:00:00.000Z|${uuid(2)}`).toString("base64url"),
    );
    expect(timeline?.pageInfo.endCursor).toBe(timeline?.edges.at(-1)?.cursor);
  });

  it("reads NUMERIC amounts as the hub's Money: the currency's decimals, no trailing zeros beyond", () => {
    const mapped = customer360ToHubShape(
      customer({
        timelineInteractions: {
          nodes: [
            interaction(1, "1998-01-03T00:00:00+00:00", "53.4600"),
            interaction(2, "1998-01-02T00:00:00+00:00", "14.0000"),
            interaction(3, "1998-01-01T00:00:00+00:00", "1.2345"),
          ],
        },
      }),
    );
    const amounts = mapped.customer?.timeline.edges.map(
      (edge) => (edge.node as { amount: { amount: string } | null }).amount?.amount,
    );
    expect(amounts).toEqual(["53.46", "14.00", "1.2345"]);
  });

  it("maps the list's relations onto the hub's fields", () => {
    const mapped = listToHubShape({
      allCustomers: {
        totalCount: 3,
        pageInfo: { hasNextPage: true },
        nodes: [
          {
            rowId: CUSTOMER,
            displayName: null,
            lifecycleStage: "LEAD",
            lastSeenAt: null,
            principalByOwnerId: { rowId: uuid(7), name: "Dev Patel" },
            identitiesByCustomerId: { nodes: [{ kind: "EMAIL", namespace: "", value: "a@b.example" }] },
            interactionsByCustomerId: {
              nodes: [
                {
                  rowId: uuid(1),
                  channel: "EMAIL",
                  kind: "message",
                  occurredAt: "1998-01-01T00:00:00+00:00",
                  summary: null,
                },
              ],
            },
          },
        ],
      },
    });
    expect(mapped.customers.edges[0]?.node).toEqual({
      id: globalId("Customer", CUSTOMER),
      displayName: null,
      lifecycleStage: "LEAD",
      lastSeenAt: null,
      owner: { id: globalId("Principal", uuid(7)), name: "Dev Patel" },
      identities: [{ kind: "EMAIL", namespace: "", value: "a@b.example" }],
      interactions: {
        edges: [
          {
            node: {
              id: globalId("Interaction", uuid(1)),
              channel: "EMAIL",
              kind: "message",
              occurredAt: "1998-01-01T00:00:00.000Z",
              summary: null,
            },
          },
        ],
      },
    });
  });
});
