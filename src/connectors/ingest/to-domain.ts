// The hub's side of the record contract: a validated SDK record (src/sdk/records.ts) as the input the
// write pipeline stores. For the sync engine, the webhook route and dead-letter replays; plugins never
// see domain inputs. The SDK's lower-case values become the hub's upper-case enums.
import type { UpsertCustomerInput } from "../../domain/customers/customer-input.ts";
import type { SubmitFeedbackInput } from "../../domain/feedback/feedback-input.ts";
import type { IdentityInput as DomainIdentityInput } from "../../domain/identities/identity-input.ts";
import type { RecordInteractionInput } from "../../domain/interactions/interaction-input.ts";
import type { RecordInput } from "../../domain/records/store-records.ts";
import type {
  Channel,
  CustomerRecord,
  FeedbackRecord,
  Identity,
  InteractionRecord,
} from "../../sdk/records.ts";

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

/** A customer, interaction or feedback record as the pipeline's input. */
export function toRecordInput(
  record: CustomerRecord | InteractionRecord | FeedbackRecord,
  origin: RecordOrigin,
): RecordInput {
  switch (record.type) {
    case "customer":
      return { type: "customer", input: toCustomerInput(record, origin) };
    case "interaction":
      return { type: "interaction", input: toInteractionInput(record, origin) };
    case "feedback":
      return {
        type: "feedback",
        input: toFeedbackInput(record, origin),
        ...(record.interactionExternalId !== undefined && {
          interactionExternalId: record.interactionExternalId,
        }),
      };
  }
}
