// The GraphQL schema: every type module, then the build. Import order does not matter to Pothos.
import type { GraphQLSchema } from "graphql";
import { builder } from "./builder.ts";
import { describeGeneratedParts } from "./describe-generated-parts.ts";
import "./types/alert-digests.ts";
import "./types/alerts.ts";
import "./types/alerts-mutations.ts";
import "./types/alerts-subscriptions.ts";
import "./types/api-keys.ts";
import "./types/api-keys-mutations.ts";
import "./types/connectors.ts";
import "./types/connectors-check.ts";
import "./types/connectors-dead-letters.ts";
import "./types/connectors-dry-run.ts";
import "./types/connectors-mutations.ts";
import "./types/connectors-privacy.ts";
import "./types/connectors-runs.ts";
import "./types/connectors-streams.ts";
import "./types/conversation-response-times.ts";
import "./types/customer.ts";
import "./types/customer-mutations.ts";
import "./types/customer-queries.ts";
import "./types/feedback.ts";
import "./types/feedback-metrics.ts";
import "./types/identity.ts";
import "./types/ingest-mutations.ts";
import "./types/interaction.ts";
import "./types/journey.ts";
import "./types/journey-map.ts";
import "./types/key-touchpoints.ts";
import "./types/node-queries.ts";
import "./types/principal.ts";
import "./types/response-speed.ts";
import "./types/score.ts";
import "./types/score-model.ts";
import "./types/segment.ts";
import "./types/segment-mutations.ts";
import "./types/segment-persona.ts";
import "./types/segment-subscriptions.ts";
import "./types/segment-trend.ts";
import "./types/timeline.ts";
import "./types/user-errors.ts";
import "./types/viewer.ts";
import "./types/webhooks.ts";
import "./types/webhooks-mutations.ts";

let built: GraphQLSchema | undefined;

/**
 * The hub's GraphQL schema, built once per process. It holds no state of a server's: every resolver
 * takes the database, the clock and the viewer from the request's context. Building it costs about
 * 150 ms of CPU, which each hub in one process paid again (every test's client, each instance of the
 * multi-instance tests): 12% of the database test files' CPU in a profile.
 */
export function graphSchema(): GraphQLSchema {
  built ??= describeGeneratedParts(builder.toSchema({ sortSchema: true }));
  return built;
}
