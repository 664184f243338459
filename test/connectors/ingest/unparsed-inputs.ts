// SDK records mapped to the domain's unparsed input shapes (what a GraphQL mutation hands the domain),
// for tests that parse them with the domain's own schemas: a validated record must pass them, and
// parsed, equal what src/connectors/ingest/to-domain.ts hands the pipeline without parsing again.
import { type RecordOrigin, toDomainIdentities } from "../../../src/connectors/ingest/to-domain.ts";
import type { UpsertCustomerInput } from "../../../src/domain/customers/customer-input.ts";
import type { SubmitFeedbackInput } from "../../../src/domain/feedback/feedback-input.ts";
import type { RecordInteractionInput } from "../../../src/domain/interactions/interaction-input.ts";
import type { CustomerRecord, FeedbackRecord, InteractionRecord } from "../../../src/sdk/records.ts";

const upper = <T extends string>(value: T) => value.toUpperCase() as Uppercase<T>;

export function toInteractionInput(record: InteractionRecord, origin: RecordOrigin): RecordInteractionInput {
  const { type: _type, identities, channel, direction, ...fields } = record;
  return {
    ...fields,
    source: origin.source,
    customer: { identities: toDomainIdentities(identities) },
    channel: upper(channel ?? origin.channel),
    direction: upper(direction),
  };
}

/** The answer's interactionExternalId is resolved by the pipeline (see toRecordInput). */
export function toFeedbackInput(record: FeedbackRecord, origin: RecordOrigin): SubmitFeedbackInput {
  const { type: _type, identities, kind, channel, interactionExternalId: _external, ...fields } = record;
  return {
    ...fields,
    source: origin.source,
    customer: { identities: toDomainIdentities(identities) },
    kind: upper(kind),
    channel: channel === undefined ? undefined : upper(channel),
  };
}

export function toCustomerInput(record: CustomerRecord, origin: RecordOrigin): UpsertCustomerInput {
  const { type: _type, identities, lifecycleStage, ...fields } = record;
  return {
    ...fields,
    source: origin.source,
    identities: toDomainIdentities(identities),
    lifecycleStage: lifecycleStage === undefined ? undefined : upper(lifecycleStage),
  };
}
