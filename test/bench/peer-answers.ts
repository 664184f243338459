// PostGraphile's answers (peer-queries.ts) in the hub's shape, so that compare-answers.ts can hold them
// against the hub's: database ids become the hub's global IDs, PostgreSQL's timestamps the DateTime
// scalar's ISO strings, relation fields the hub's names, amounts the Money type's decimals, and the two
// newest-first lists of the 360 page the hub's merged timeline with its cursors. Only the check runs
// this; the timed requests take PostGraphile's answers as they come.
import { type CustomerProfileColumns, withMinorUnits } from "./baseline-customer-360.ts";
import { globalId } from "./baseline-shared.ts";
import { TIMELINE_FIRST } from "./peer-queries.ts";

interface Owner {
  rowId: string;
  name: string;
}

interface Nodes<T> {
  nodes: T[];
}

interface ListCustomer {
  rowId: string;
  displayName: string | null;
  lifecycleStage: string;
  lastSeenAt: string | null;
  principalByOwnerId: Owner | null;
  identitiesByCustomerId: Nodes<{ kind: string; namespace: string; value: string }>;
  interactionsByCustomerId: Nodes<{
    rowId: string;
    channel: string;
    kind: string;
    occurredAt: string;
    summary: string | null;
  }>;
}

interface PeerListData {
  allCustomers: { totalCount: number; pageInfo: { hasNextPage: boolean }; nodes: ListCustomer[] };
}

interface PeerFeedback {
  rowId: string;
  kind: string;
  score: number;
  comment: string | null;
  respondedAt: string;
}

interface PeerInteraction {
  rowId: string;
  channel: string;
  kind: string;
  direction: string;
  occurredAt: string;
  summary: string | null;
  body: string | null;
  sentiment: number | null;
  amount: string | null;
  currency: string | null;
}

interface PeerJourneyProgress {
  journeyByJourneyId: { key: string; name: string };
  journeyStageByCurrentStageId: { key: string; name: string };
  stageEnteredAt: string;
  completedAt: string | null;
  journeyTransitionsByProgressId: Nodes<{
    journeyStageByFromStageId: { key: string } | null;
    journeyStageByToStageId: { key: string };
    occurredAt: string;
  }>;
}

interface Peer360Data {
  customerByRowId:
    | (CustomerProfileColumns & {
        rowId: string;
        principalByOwnerId: Owner | null;
        identitiesByCustomerId: Nodes<{
          kind: string;
          namespace: string;
          value: string;
          lastSeenAt: string | null;
        }>;
        feedback: { totalCount: number; nodes: PeerFeedback[] };
        journeyProgressesByCustomerId: Nodes<PeerJourneyProgress>;
        timelineInteractions: Nodes<PeerInteraction>;
        timelineFeedback: Nodes<PeerFeedback>;
      })
    | null;
}

/** PostgreSQL's timestamptz text (microseconds, an offset) as the hub's DateTime: milliseconds, UTC. */
function dateTime(value: string): string;
function dateTime(value: string | null): string | null;
function dateTime(value: string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

const owner = (principal: Owner | null) =>
  principal ? { id: globalId("Principal", principal.rowId), name: principal.name } : null;

export function listToHubShape(data: PeerListData) {
  const { totalCount, pageInfo, nodes } = data.allCustomers;
  return {
    customers: {
      totalCount,
      pageInfo: { hasNextPage: pageInfo.hasNextPage },
      edges: nodes.map((customer) => ({
        node: {
          id: globalId("Customer", customer.rowId),
          displayName: customer.displayName,
          lifecycleStage: customer.lifecycleStage,
          lastSeenAt: dateTime(customer.lastSeenAt),
          owner: owner(customer.principalByOwnerId),
          identities: customer.identitiesByCustomerId.nodes,
          interactions: {
            edges: customer.interactionsByCustomerId.nodes.map((interaction) => ({
              node: {
                id: globalId("Interaction", interaction.rowId),
                channel: interaction.channel,
                kind: interaction.kind,
                occurredAt: dateTime(interaction.occurredAt),
                summary: interaction.summary,
              },
            })),
          },
        },
      })),
    },
  };
}

const feedbackNode = (feedback: PeerFeedback) => ({
  id: globalId("Feedback", feedback.rowId),
  measure: feedback.kind,
  score: feedback.score,
  comment: feedback.comment,
  respondedAt: dateTime(feedback.respondedAt),
});

/** NUMERIC's text without trailing zeros ("53.4600" → "53.46"), as the hub reads a Decimal. */
const trimScale = (amount: string) => (amount.includes(".") ? amount.replace(/\.?0+$/, "") : amount);

const interactionNode = (interaction: PeerInteraction) => ({
  __typename: "Interaction",
  id: globalId("Interaction", interaction.rowId),
  channel: interaction.channel,
  kind: interaction.kind,
  direction: interaction.direction,
  occurredAt: dateTime(interaction.occurredAt),
  summary: interaction.summary,
  body: interaction.body,
  sentiment: interaction.sentiment,
  amount:
    interaction.amount !== null && interaction.currency !== null
      ? {
          amount: withMinorUnits(trimScale(interaction.amount), interaction.currency),
          currency: interaction.currency,
        }
      : null,
});

/** Seconds in the current stage as the hub counts them (now, for a journey still under way). */
function timeInStageSeconds(progress: PeerJourneyProgress, now: number): number {
  if (progress.completedAt !== null) return 0;
  return Math.max(0, Math.floor((now - Date.parse(progress.stageEnteredAt)) / 1000));
}

const journey = (now: number) => (progress: PeerJourneyProgress) => ({
  journeyKey: progress.journeyByJourneyId.key,
  journeyName: progress.journeyByJourneyId.name,
  currentStage: progress.journeyStageByCurrentStageId,
  stageEnteredAt: dateTime(progress.stageEnteredAt),
  timeInStageSeconds: timeInStageSeconds(progress, now),
  completedAt: dateTime(progress.completedAt),
  transitions: progress.journeyTransitionsByProgressId.nodes.map((transition) => ({
    fromStageKey: transition.journeyStageByFromStageId?.key ?? null,
    toStageKey: transition.journeyStageByToStageId.key,
    occurredAt: dateTime(transition.occurredAt),
  })),
});

/** Both newest-first lists merged newest first (ties by id DESC, as the hub), cut to the page. */
function timeline(interactions: PeerInteraction[], feedback: PeerFeedback[]) {
  const entries = [
    ...interactions.map((entry) => ({ at: entry.occurredAt, id: entry.rowId, node: interactionNode(entry) })),
    ...feedback.map((entry) => ({
      at: entry.respondedAt,
      id: entry.rowId,
      node: { __typename: "Feedback", ...feedbackNode(entry) },
    })),
  ].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0));
  const edges = entries.slice(0, TIMELINE_FIRST).map((entry) => ({
    cursor: Buffer.from(`${dateTime(entry.at)}|${entry.id}`).toString("base64url"),
    node: entry.node,
  }));
  return {
    pageInfo: { hasNextPage: entries.length > TIMELINE_FIRST, endCursor: edges.at(-1)?.cursor ?? null },
    edges,
  };
}

export function customer360ToHubShape(data: Peer360Data, now = Date.now()) {
  const customer = data.customerByRowId;
  if (!customer) return { customer: null };
  return {
    customer: {
      id: globalId("Customer", customer.rowId),
      displayName: customer.displayName,
      lifecycleStage: customer.lifecycleStage,
      traits: customer.traits,
      firstSeenAt: dateTime(customer.firstSeenAt),
      lastSeenAt: dateTime(customer.lastSeenAt),
      createdAt: dateTime(customer.createdAt),
      owner: owner(customer.principalByOwnerId),
      identities: customer.identitiesByCustomerId.nodes.map((identity) => ({
        ...identity,
        lastSeenAt: dateTime(identity.lastSeenAt),
      })),
      feedback: {
        totalCount: customer.feedback.totalCount,
        edges: customer.feedback.nodes.map((node) => ({ node: feedbackNode(node) })),
      },
      // PostGraphile cannot order by the journey's key, a column of another table: sorted here.
      journeys: customer.journeyProgressesByCustomerId.nodes
        .map(journey(now))
        .sort((a, b) => (a.journeyKey < b.journeyKey ? -1 : a.journeyKey > b.journeyKey ? 1 : 0)),
      timeline: timeline(customer.timelineInteractions.nodes, customer.timelineFeedback.nodes),
    },
  };
}

/** PostGraphile's answer to a scenario's request in the hub's shape. */
export function peerAnswerToHubShape(kind: "list" | "360", data: unknown) {
  return kind === "list" ? listToHubShape(data as PeerListData) : customer360ToHubShape(data as Peer360Data);
}
