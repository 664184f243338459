// The requests of the PostGraphile comparison (issue 15): each page asked of the hub (and the baseline)
// in the hub's shape and of PostGraphile in its own (amber preset: allCustomers, customerByRowId,
// relations named after their foreign keys), for the same data in the same order. peer-answers.ts maps
// PostGraphile's answers onto the hub's so that the three are checked equal before anything is timed.
import type pg from "pg";
import { body, customer360Body, sampleCustomerIds } from "./scenarios.ts";

/** The customer list: the first 20 live customers by last seen, with identities and five interactions each. */
export const HUB_PEER_LIST = `query PeerCustomerList($first: Int) {
  customers(first: $first) {
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
 * The same page from PostGraphile: live customers (mergedIntoId null) in the hub's default order,
 * last seen DESC NULLS LAST (serve.mjs sets pgOrderByNullsLast), ties by id DESC; identities by kind
 * then value and interactions newest first, ties by id DESC, as the hub orders them.
 */
export const POSTGRAPHILE_LIST = `query PeerCustomerList($first: Int) {
  allCustomers(first: $first, condition: { mergedIntoId: null }, orderBy: [LAST_SEEN_AT_DESC, ROW_ID_DESC]) {
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
    {
      name: "CustomerList (first: 20, identities, 5 interactions each)",
      kind: "list",
      bodies: [body("PeerCustomerList", HUB_PEER_LIST, { first: 20 })],
      peerBodies: [body("PeerCustomerList", POSTGRAPHILE_LIST, { first: 20 })],
    },
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
