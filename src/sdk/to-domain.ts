// The hub's side of the record contract: a validated record (records.ts output) as the input of the
// domain function that stores it. For the sync engine and the webhook route; not part of the public
// SDK (plugins never see domain inputs). The SDK's lower-case values become the hub's upper-case enums.
// The return types are inferred rather than named after the domain's inputs, so that nothing in
// src/sdk imports the domain; the callers (src/connectors) hand the results to the domain functions,
// whose parameter types check them.
import type { Channel, CustomerRecord, FeedbackRecord, Identity, InteractionRecord } from "./records.ts";

const upper = <T extends string>(value: T) => value.toUpperCase() as Uppercase<T>;

/** Where a record came from: the connector instance (its name is the records' source) and its channel. */
export interface RecordOrigin {
  source: string;
  channel: Channel;
}

export function toDomainIdentities(identities: Identity[]) {
  return identities.map(({ kind, namespace, value }) => ({ kind: upper(kind), namespace, value }));
}

export function toInteractionInput(record: InteractionRecord, origin: RecordOrigin) {
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
export function toFeedbackInput(record: FeedbackRecord, origin: RecordOrigin, interactionId?: string) {
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

export function toCustomerInput(record: CustomerRecord, origin: RecordOrigin) {
  const { type: _type, identities, lifecycleStage, ...fields } = record;
  return {
    ...fields,
    source: origin.source,
    identities: toDomainIdentities(identities),
    lifecycleStage: lifecycleStage === undefined ? undefined : upper(lifecycleStage),
  };
}
