// The requests of the PostGraphile comparison (issue 15): each page asked of the hub (and the baseline)
// in the hub's shape and of PostGraphile in its own (amber preset: allCustomers, customerByRowId,
// relations named after their foreign keys), for the same data in the same order. peer-answers.ts maps
// PostGraphile's answers onto the hub's so that the three are checked equal before anything is timed.
import type pg from "pg";
import { body, customer360Body, sampleCustomerIds } from "./scenarios.ts";

/** The customer list: the first 20 live customers by last seen, with identities and five interactions each. */
export const HUB_PEER_LIST = `query PeerCustomerList($first: Int, $orderBy: CustomerOrder) {
  customers(first: $first, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage }
    edges {
      node {
        id
        displayName
        lifecycleStage
        lastSeenAt
        owner { id name }
        identities { kind namespace value }
        interactions(first: 5) { edges { node { id channel kind occurredAt summary } } }
      }
    }
  }
}`;

/**
 * The same page from PostGraphile: live customers (mergedIntoId null) in the hub's order (LIST_ORDERS;
 * NULLS LAST, as serve.mjs sets pgOrderByNullsLast), ties by id DESC; identities by kind then value
 * and interactions newest first, ties by id DESC, as the hub orders them.
 */
export const POSTGRAPHILE_LIST = `query PeerCustomerList($first: Int, $orderBy: [CustomerOrderBy!]) {
  allCustomers(first: $first, condition: { mergedIntoId: null }, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage }
    nodes {
      rowId
      displayName
      lifecycleStage
      lastSeenAt
      principalByOwnerId { rowId name }
      identitiesByCustomerId(orderBy: [KIND_ASC, VALUE_ASC]) { nodes { kind namespace value } }
      interactionsByCustomerId(first: 5, orderBy: [OCCURRED_AT_DESC, ROW_ID_DESC]) {
        nodes { rowId channel kind occurredAt summary }
      }
    }
  }
}`;

/** How many timeline entries the Customer360 page asks for (its document's default). */
export const TIMELINE_FIRST = 20;

/**
 * The Customer360 page from PostGraphile. It has no merged timeline, so it reads each side's newest
 * TIMELINE_FIRST + 1 rows (interactions and survey answers), which the mapping merges and cuts as the
 * hub does; the extra row tells whether another page follows.
 */
export const POSTGRAPHILE_360 = `query PeerCustomer360($rowId: UUID!, $timelineFirst: Int!) {
  customerByRowId(rowId: $rowId) {
    rowId
    displayName
    lifecycleStage
    traits
    firstSeenAt
    lastSeenAt
    createdAt
    principalByOwnerId { rowId name }
    identitiesByCustomerId(orderBy: [KIND_ASC, VALUE_ASC]) { nodes { kind namespace value lastSeenAt } }
    feedback: feedbacksByCustomerId(first: 5, orderBy: [RESPONDED_AT_DESC, ROW_ID_DESC]) {
      totalCount
      nodes { rowId kind score comment respondedAt }
    }
    journeyProgressesByCustomerId {
      nodes {
        journeyByJourneyId { key name }
        journeyStageByCurrentStageId { key name }
        stageEnteredAt
        completedAt
        journeyTransitionsByProgressId(orderBy: [OCCURRED_AT_ASC, ROW_ID_ASC]) {
          nodes {
            journeyStageByFromStageId { key }
            journeyStageByToStageId { key }
            occurredAt
          }
        }
      }
    }
    timelineInteractions: interactionsByCustomerId(first: $timelineFirst, orderBy: [OCCURRED_AT_DESC, ROW_ID_DESC]) {
      nodes { rowId channel kind direction occurredAt summary body sentiment amount currency }
    }
    timelineFeedback: feedbacksByCustomerId(first: $timelineFirst, orderBy: [RESPONDED_AT_DESC, ROW_ID_DESC]) {
      nodes { rowId kind score comment respondedAt }
    }
  }
}`;

/**
 * The list's orders on both sides: the hub's default (last seen) and the creation order, where issue 15
 * measured PostGraphile answering while the hub answered nothing.
 */
const LIST_ORDERS = [
  { hub: "LAST_SEEN", postgraphile: ["LAST_SEEN_AT_DESC", "ROW_ID_DESC"] },
  { hub: "CREATED", postgraphile: ["CREATED_AT_DESC", "ROW_ID_DESC"] },
];

export interface PeerScenario {
  name: string;
  kind: "list" | "360";
  /** Request bodies for the hub and the baseline, sent in turn. */
  bodies: string[];
  /** PostGraphile's request for the same page, one for each of `bodies`. */
  peerBodies: string[];
}

export async function buildPeerScenarios(client: pg.Client): Promise<PeerScenario[]> {
  const ids = await sampleCustomerIds(client);
  return [
    ...LIST_ORDERS.map(({ hub, postgraphile }) => ({
      name: `CustomerList by ${hub} (first: 20, 5 interactions each)`,
      kind: "list" as const,
      bodies: [
        body("PeerCustomerList", HUB_PEER_LIST, { first: 20, orderBy: { field: hub, direction: "DESC" } }),
      ],
      peerBodies: [body("PeerCustomerList", POSTGRAPHILE_LIST, { first: 20, orderBy: postgraphile })],
    })),
    {
      name: `Customer360 (${ids.length} customers)`,
      kind: "360",
      bodies: ids.map(customer360Body),
      peerBodies: ids.map((rowId) =>
        body("PeerCustomer360", POSTGRAPHILE_360, { rowId, timelineFirst: TIMELINE_FIRST + 1 }),
      ),
    },
  ];
}
