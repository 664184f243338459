// The hub's side of the record contract: a validated record (records.ts output) as the input of the
// domain function that stores it. For the sync engine and the webhook route; not part of the public
// SDK (plugins never see domain inputs). The SDK's lower-case values become the hub's upper-case enums.
import type { UpsertCustomerInput } from "../domain/customers/customer-input.ts";
import type { SubmitFeedbackInput } from "../domain/feedback/feedback-input.ts";
import type { IdentityInput as DomainIdentityInput } from "../domain/identities/identity-input.ts";
import type { RecordInteractionInput } from "../domain/interactions/interaction-input.ts";
import type { Channel, CustomerRecord, FeedbackRecord, Identity, InteractionRecord } from "./records.ts";

const upper = <T extends string>(value: T) => value.toUpperCase() as Uppercase<T>;

/** Where a record came from: the connector instance (its name is the records' source) and its channel. */
export interface RecordOrigin {
  source: string;
  channel: Channel;
}

export function toDomainIdentities(identities: Identity[]): DomainIdentityInput[] {
  return identities.map(({ kind, namespace, value }) => ({ kind: upper(kind), namespace, value }));
}

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

/**
 * `interactionId`: the hub's id of the interaction the record's interactionExternalId names (looked
 * up by source and externalId), when it is stored.
 */
export function toFeedbackInput(
  record: FeedbackRecord,
  origin: RecordOrigin,
  interactionId?: string,
): SubmitFeedbackInput {
  const { type: _type, identities, kind, channel, interactionExternalId: _external, ...fields } = record;
  return {
    ...fields,
    source: origin.source,
    customer: { identities: toDomainIdentities(identities) },
    kind: upper(kind),
    channel: channel === undefined ? undefined : upper(channel),
    interactionId,
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
