// The hub's side of the record contract: a validated SDK record (src/sdk/records.ts) as the input the
// write pipeline stores. For the sync engine, the webhook route and dead-letter replays; plugins never
// see domain inputs. The SDK's lower-case values become the hub's upper-case enums.
//
// The SDK's record schemas are built from the domain's field rules, so a validated record is a valid
// domain input: toRecordInput hands the pipeline the domain's parsed shape directly (storeRecords does
// not parse it again). The tests map records to the unparsed input shape too
// (test/connectors/ingest/unparsed-inputs.ts) and parse that with the domain's schemas, to show that
// both roads end in the same value.
import type { ParsedCustomer } from "../../domain/customers/customer-profiles.ts";
import type { ParsedFeedback } from "../../domain/feedback/submit-feedback.ts";
import type {
  IdentityInput as DomainIdentityInput,
  NormalizedIdentity,
} from "../../domain/identities/identity-input.ts";
import { withCustomerSentiment } from "../../domain/interactions/interaction-input.ts";
import type { ParsedInteraction } from "../../domain/interactions/record-interactions.ts";
import type { ParsedRecordInput } from "../../domain/records/store-records.ts";
import type {
  Channel,
  ConnectorRecord,
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

// Every record of a sync passes through here. The objects are built as literals, or by assigning to
// the fresh object a rest pattern made, not as \`{ ...fields, more }\`: on Node 20, an object literal that
// starts with a spread and adds properties after it costs about 3 µs a time (9 µs for an interaction,
// a tenth of a sync's CPU per record here), against a fraction of a microsecond for these forms.

/** Validated identities (normalized by the SDK's rules) as the hub stores and matches them. */
function toNormalizedIdentities(identities: Identity[]): NormalizedIdentity[] {
  return identities.map(({ kind, namespace, value }) => ({ kind: upper(kind), namespace, value }));
}

/** An interaction record as recordInteractionInputSchema would parse it (as the domain's input). */
export function toParsedInteraction(record: InteractionRecord, origin: RecordOrigin): ParsedInteraction {
  const { type: _type, identities, channel, direction, ...fields } = record;
  return withCustomerSentiment(
    Object.assign(fields, {
      source: origin.source,
      customer: { identities: toNormalizedIdentities(identities) },
      channel: upper(channel ?? origin.channel),
      direction: upper(direction),
    }),
  );
}

/** A feedback record as submitFeedbackInputSchema would parse it (as the domain's input). */
export function toParsedFeedback(record: FeedbackRecord, origin: RecordOrigin): ParsedFeedback {
  const { type: _type, identities, kind, channel, interactionExternalId: _external, ...fields } = record;
  return Object.assign(fields, {
    source: origin.source,
    customer: { identities: toNormalizedIdentities(identities) },
    kind: upper(kind),
    ...(channel !== undefined && { channel: upper(channel) }),
  });
}

/** A customer record as upsertCustomerInputSchema would parse it (as the domain's input). */
export function toParsedCustomer(record: CustomerRecord, origin: RecordOrigin): ParsedCustomer {
  const { type: _type, identities, lifecycleStage, ...fields } = record;
  return Object.assign(fields, {
    source: origin.source,
    identities: toNormalizedIdentities(identities),
    ...(lifecycleStage !== undefined && { lifecycleStage: upper(lifecycleStage) }),
  });
}

/**
 * The record as the pipeline's input when storeRecords stores it (customers, interactions, survey
 * answers); undefined for a deletion or a privacy request, which the ingest applies its own way
 * (ingest-records.ts, whose branches TypeScript holds to the same split). The sync maps each record
 * with this as it reads it (run-sync.ts), so that a new record type is placed here once.
 */
export function storedRecordInput(
  record: ConnectorRecord,
  origin: RecordOrigin,
): ParsedRecordInput | undefined {
  switch (record.type) {
    case "customer":
    case "interaction":
    case "feedback":
      return toRecordInput(record, origin);
    case "deletion":
    case "privacyRequest":
      return undefined;
    default: {
      // A record type added to the SDK must be placed here, in or out of the pipeline, before it compiles.
      const unplaced: never = record;
      throw new Error(`A record of a type the hub does not know: ${JSON.stringify(unplaced)}`);
    }
  }
}

/** A customer, interaction or feedback record as the pipeline's input, parsed already. */
export function toRecordInput(
  record: CustomerRecord | InteractionRecord | FeedbackRecord,
  origin: RecordOrigin,
): ParsedRecordInput {
  switch (record.type) {
    case "customer":
      return { type: "customer", parsed: toParsedCustomer(record, origin) };
    case "interaction":
      return { type: "interaction", parsed: toParsedInteraction(record, origin) };
    case "feedback":
      return {
        type: "feedback",
        parsed: toParsedFeedback(record, origin),
        ...(record.interactionExternalId !== undefined && {
          interactionExternalId: record.interactionExternalId,
        }),
      };
  }
}
