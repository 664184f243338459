// The normalized records a connector yields (from its streams and its webhooks), as zod schemas with
// their types, and small typed constructors for them. The field rules are the SDK's own
// (record-fields.ts, identities.ts, vocabulary.ts), and the hub's domain inputs are built from the same
// definitions: a record that passes here is an input the domain accepts. The SDK speaks the hub's
// enum values in lower case ("email", "inbound", "nps"); the hub stores them upper-case.
import { z } from "zod";
import { type IdentityInput, identitiesSchema } from "./identities.ts";
import { copyJson, copyJsonObject, NOT_COPIED } from "./json-copy.ts";
import { customerFields, feedbackFields, interactionFields } from "./record-fields.ts";
import {
  channelSchema,
  directionSchema,
  feedbackKindSchema,
  feedbackScoreProblem,
  instantSchema,
  lifecycleStageSchema,
} from "./vocabulary.ts";

// The vocabulary and identities records are written in, defined beside them and re-exported here so
// that this module stays the one place to read a record's contract.
export type { Identity, IdentityInput } from "./identities.ts";
export { identitiesSchema } from "./identities.ts";
export type { Channel, Direction, FeedbackKind, IdentityKind, LifecycleStage } from "./vocabulary.ts";
export {
  CHANNELS,
  channelSchema,
  DIRECTIONS,
  directionSchema,
  FEEDBACK_KINDS,
  IDENTITY_KINDS,
  LIFECYCLE_STAGES,
} from "./vocabulary.ts";

/** A JSON value: what cursors, traits and metadata are made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const json = z.json();

export const interactionRecordSchema = z.object({
  type: z.literal("interaction"),
  /** Its id at the provider: with the connector, what makes a re-sync or a repeated webhook harmless. */
  externalId: interactionFields.externalId,
  /** Who the customer is, in the provider's terms: their email, shop customer id, handle, … */
  identities: identitiesSchema,
  /** Defaults to the connector's channel. */
  channel: channelSchema.optional(),
  /** What happened, dotted and lower-case: "order.placed", "email.received", "social.mention". */
  kind: interactionFields.kind,
  direction: directionSchema,
  occurredAt: interactionFields.occurredAt,
  summary: interactionFields.summary,
  body: interactionFields.body,
  /** Money that moved: a decimal string (never a float) and an ISO 4217 currency. */
  amount: interactionFields.amount,
  /**
   * How the customer felt, on the hub's one scale: −1 to 1, `scoreSentiment` (sentiment.ts). Leave it
   * out of an inbound record with a body and the hub scores the body itself; give it when the words
   * that count are not the whole body (Gmail scores only the sender's new words, not the quoted
   * thread), computed with `scoreSentiment`. The hub does not score outbound records: the business's
   * own words are not the customer's mood.
   */
  sentiment: interactionFields.sentiment,
  /** Groups the messages of one thread, ticket or conversation. */
  conversationId: interactionFields.conversationId,
  /** Provider details worth keeping that have no field of their own. */
  metadata: interactionFields.metadata,
  /**
   * The provider's own version of this record: when it last changed there (Shopify's order
   * `updated_at`). Give it whenever the provider documents one: the hub then never lets an older
   * version overwrite a newer one (a captured webhook replayed, a sync page read before a webhook
   * arrived); the older one is skipped and counted as `skippedStale`. Every record derived from one
   * provider object (an order's placement, cancellation and refunds) carries that object's version.
   */
  sourceUpdatedAt: interactionFields.sourceUpdatedAt,
});

export const feedbackRecordSchema = z
  .object({
    type: z.literal("feedback"),
    externalId: feedbackFields.externalId,
    identities: identitiesSchema,
    kind: feedbackKindSchema,
    score: feedbackFields.score,
    comment: feedbackFields.comment,
    channel: channelSchema.optional(),
    /** What the answer is about: "checkout", "support.ticket.closed", … */
    touchpoint: feedbackFields.touchpoint,
    /** The externalId of the interaction (from this connector) the survey followed, when known. */
    interactionExternalId: interactionFields.externalId.optional(),
    sentiment: feedbackFields.sentiment,
    respondedAt: feedbackFields.respondedAt,
    /** The provider's own version of the answer (when it was last changed there); see interactions. */
    sourceUpdatedAt: feedbackFields.sourceUpdatedAt,
  })
  .superRefine((answer, ctx) => {
    const problem = feedbackScoreProblem(answer.kind, answer.score);
    if (problem) ctx.addIssue({ code: "custom", path: ["score"], message: problem });
  });

export const customerRecordSchema = z.object({
  type: z.literal("customer"),
  identities: identitiesSchema,
  displayName: customerFields.displayName,
  /** Shallow-merged into the customer's traits. */
  traits: customerFields.traits,
  lifecycleStage: lifecycleStageSchema.optional(),
  /**
   * The provider's own version of this profile (Shopify's customer `updated_at`). With it, a profile
   * older than the one this connector last reported is skipped and counted as `skippedStale`: a
   * replayed customers/update cannot roll a name or a trait back.
   */
  sourceUpdatedAt: customerFields.sourceUpdatedAt,
});

export const DELETED_ENTITIES = ["interaction", "feedback", "customer"] as const;
export const deletionRecordSchema = z
  .object({
    type: z.literal("deletion"),
    /** What the provider no longer has. */
    entity: z.enum(DELETED_ENTITIES, { error: "entity is interaction, feedback or customer." }),
    /** The interaction's or answer's externalId, as this connector reported it. */
    externalId: interactionFields.externalId.optional(),
    /** The customer's identities at this provider (for entity "customer"). */
    identities: identitiesSchema.optional(),
    deletedAt: instantSchema.optional(),
    reason: z.string().max(1000).optional(),
  })
  .superRefine((deletion, ctx) => {
    if (deletion.entity === "customer") {
      if (!deletion.identities) {
        ctx.addIssue({
          code: "custom",
          path: ["identities"],
          message: "A customer deletion names the customer by the identities this provider reported.",
        });
      }
    } else if (deletion.externalId === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["externalId"],
        message: `A deletion of ${deletion.entity === "interaction" ? "an interaction" : "a feedback answer"} names it by the externalId it was reported with.`,
      });
    }
  });

export const PRIVACY_ACTIONS = ["erase", "export"] as const;
export const privacyRequestRecordSchema = z.object({
  type: z.literal("privacyRequest"),
  /** erase: remove the customer's personal data; export: hand it over to them. */
  action: z.enum(PRIVACY_ACTIONS, { error: 'action is "erase" or "export".' }),
  /** The provider's id of the request (or of the webhook delivery that carried it), for the audit trail. */
  requestId: z.string().trim().min(1, "Give the provider's id of the request.").max(500),
  identities: identitiesSchema,
  /** Records of this connector the request names (Shopify's orders_to_redact, orders_requested). */
  externalIds: z.array(interactionFields.externalId).max(10_000).optional(),
  requestedAt: instantSchema,
});

export const checkpointSchema = z.object({
  type: z.literal("checkpoint"),
  /** Where to resume from: any JSON value, stored as is and handed back as `ctx.cursor`. */
  cursor: json,
});

/** Any record a connector yields. */
export const connectorRecordSchema = z.discriminatedUnion("type", [
  customerRecordSchema,
  interactionRecordSchema,
  feedbackRecordSchema,
  deletionRecordSchema,
  privacyRequestRecordSchema,
]);

/** What a stream yields: records, and checkpoints after the records they cover. */
export const streamOutputSchema = z.discriminatedUnion("type", [
  customerRecordSchema,
  interactionRecordSchema,
  feedbackRecordSchema,
  deletionRecordSchema,
  privacyRequestRecordSchema,
  checkpointSchema,
]);

// Input types: what a connector writes. Output types: what the hub receives after validation.
export type CustomerRecordInput = z.input<typeof customerRecordSchema>;
export type CustomerRecord = z.output<typeof customerRecordSchema>;
export type InteractionRecordInput = z.input<typeof interactionRecordSchema>;
export type InteractionRecord = z.output<typeof interactionRecordSchema>;
export type FeedbackRecordInput = z.input<typeof feedbackRecordSchema>;
export type FeedbackRecord = z.output<typeof feedbackRecordSchema>;
export type DeletionRecordInput = z.input<typeof deletionRecordSchema>;
export type DeletionRecord = z.output<typeof deletionRecordSchema>;
export type PrivacyRequestRecordInput = z.input<typeof privacyRequestRecordSchema>;
export type PrivacyRequestRecord = z.output<typeof privacyRequestRecordSchema>;
export type ConnectorRecordInput = z.input<typeof connectorRecordSchema>;
export type ConnectorRecord = z.output<typeof connectorRecordSchema>;
export interface Checkpoint<Cursor = JsonValue> {
  type: "checkpoint";
  cursor: Cursor;
}
export type StreamOutput<Cursor = JsonValue> = ConnectorRecordInput | Checkpoint<Cursor>;
export type ValidStreamOutput = z.output<typeof streamOutputSchema>;

type Fields<T> = T extends unknown ? Omit<T, "type"> : never;

/** Typed constructors: `yield record.interaction({...})`. They do not validate: the hub does, per record. */
export const record = {
  customer: (fields: Fields<CustomerRecordInput>): CustomerRecordInput => ({ type: "customer", ...fields }),
  interaction: (fields: Fields<InteractionRecordInput>): InteractionRecordInput => ({
    type: "interaction",
    ...fields,
  }),
  feedback: (fields: Fields<FeedbackRecordInput>): FeedbackRecordInput => ({ type: "feedback", ...fields }),
  deletion: (fields: Fields<DeletionRecordInput>): DeletionRecordInput => ({ type: "deletion", ...fields }),
  privacyRequest: (fields: Fields<PrivacyRequestRecordInput>): PrivacyRequestRecordInput => ({
    type: "privacyRequest",
    ...fields,
  }),
};

/**
 * Where the stream may resume from. Yield it only after every record it covers: the hub stores it
 * once the records yielded before it are committed, and hands it back as `ctx.cursor` next run.
 */
export function checkpoint<const Cursor extends JsonValue>(cursor: Cursor): Checkpoint<Cursor> {
  return { type: "checkpoint", cursor };
}

/** Identity constructors, so that kinds and namespaces are written the same way everywhere. */
export const identity = {
  email: (value: string): IdentityInput => ({ kind: "email", value }),
  /** International format, with the country code: +14155550123. */
  phone: (value: string): IdentityInput => ({ kind: "phone", value }),
  /** A customer id in a shop; `shop` names the shop ("acme.myshopify.com"). */
  shopCustomer: (shop: string, id: string | number): IdentityInput => ({
    kind: "shop_customer_id",
    namespace: shop,
    value: String(id),
  }),
  /** A handle on a social network ("x", "instagram"), with or without its @. */
  social: (network: string, handle: string): IdentityInput => ({
    kind: "social_handle",
    namespace: network,
    value: handle,
  }),
  /** A stable id in another system of record ("zendesk"). */
  external: (system: string, id: string | number): IdentityInput => ({
    kind: "external_id",
    namespace: system,
    value: String(id),
  }),
};

/** One problem with a yielded value, at its path ("identities.0.value"). */
export interface RecordIssue {
  path: string;
  message: string;
}

export type Validated<T> =
  | {
      success: true;
      data: T;
      /**
       * Identities left out because they were invalid, one entry each with why (at its path as
       * yielded, "identities.1.value"): the record is kept with the others. Absent when none was.
       */
      droppedIdentities?: RecordIssue[];
    }
  | { success: false; reason: string; issues: RecordIssue[] };

const RECORD_TYPES = new Set([
  "customer",
  "interaction",
  "feedback",
  "deletion",
  "privacyRequest",
  "checkpoint",
]);

/** The records that name their customer by identities, and so may drop a bad one. */
const NAMED_BY_IDENTITIES = new Set(["customer", "interaction", "feedback"]);

function validate<T>(schema: z.ZodType<T>, value: unknown): Validated<T> {
  const result = schema.safeParse(value);
  if (result.success) return { success: true, data: result.data };
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  const kept = withoutBadIdentities(schema, value, result.error.issues);
  if (kept) return kept;
  const type = typeof value === "object" && value !== null ? (value as { type?: unknown }).type : undefined;
  const known = typeof type === "string" && RECORD_TYPES.has(type);
  const what = known ? `The ${type} ${type === "checkpoint" ? "" : "record"}`.trimEnd() : "The yielded value";
  const first = issues[0];
  const where = first?.path ? ` at ${first.path}` : "";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return { success: false, reason: `${what} is invalid${where}: ${first?.message}${more}`, issues };
}

/**
 * A record whose only problems are some of its identities, valid once those are left out: kept, with
 * the dropped ones and why. Plugins are told to give every identity they have (an email, a phone, the
 * provider's id), so one malformed phone must not cost the order it came with. A record with no valid
 * identity left, or any other problem, is not kept: undefined.
 */
function withoutBadIdentities<T>(
  schema: z.ZodType<T>,
  value: unknown,
  issues: z.core.$ZodIssue[],
): Validated<T> | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const fields = value as { type?: unknown; identities?: unknown };
  if (!NAMED_BY_IDENTITIES.has(fields.type as string) || !Array.isArray(fields.identities)) return undefined;
  // One entry per dropped identity: its first problem.
  const bad = new Map<number, RecordIssue>();
  for (const issue of issues) {
    const [field, index] = issue.path;
    if (field !== "identities" || typeof index !== "number") return undefined;
    if (!bad.has(index)) bad.set(index, { path: issue.path.map(String).join("."), message: issue.message });
  }
  const identities = fields.identities.filter((_, index) => !bad.has(index));
  if (identities.length === 0) return undefined;
  const retried = schema.safeParse({ ...fields, identities });
  if (!retried.success) return undefined;
  return {
    success: true,
    data: retried.data,
    droppedIdentities: [...bad.values()],
  };
}

// The fast path. Every record a sync reads is validated here, and zod's interpreted parser cost about
// 20 µs of CPU per order (a sixth of the hub's CPU in a sync, most of it allocation the collector then
// traced). z.compile makes a schema's parser straight-line code, but refuses any schema with a
// recursive part, and z.json() (metadata, traits, cursors) is one. So each schema has a twin whose
// JSON fields are checked and copied by a plain walk (json-copy.ts), compiled; the twin accepts a
// subset of what the schema accepts, with the same output. A value the twin refuses is parsed by the
// schema itself, so whatever it refuses is refused as before, with the same issues.

/** A JSON field of the twins: what z.json() accepts and outputs, for the values json-copy.ts takes. */
const jsonTwin = (copy: (value: unknown) => unknown) =>
  z.unknown().transform((value, ctx) => {
    const copied = copy(value);
    if (copied !== NOT_COPIED) return copied as JsonValue;
    // Not necessarily invalid: the full schema decides, and says why.
    ctx.addIssue({ code: "custom", message: "Left to the full schema." });
    return z.NEVER;
  });
const jsonObjectTwin = jsonTwin((value) => copyJsonObject(value)) as unknown as z.ZodType<
  Record<string, JsonValue>
>;

const interactionTwin = interactionRecordSchema.extend({ metadata: jsonObjectTwin.optional() });
const customerTwin = customerRecordSchema.extend({ traits: jsonObjectTwin.optional() });
const checkpointTwin = checkpointSchema.extend({ cursor: jsonTwin(copyJson) });

/** The twins, before compiling: exported for the tests, which compile them strictly. */
export const recordTwins = {
  connectorRecord: z.discriminatedUnion("type", [
    customerTwin,
    interactionTwin,
    feedbackRecordSchema,
    deletionRecordSchema,
    privacyRequestRecordSchema,
  ]),
  streamOutput: z.discriminatedUnion("type", [
    customerTwin,
    interactionTwin,
    feedbackRecordSchema,
    deletionRecordSchema,
    privacyRequestRecordSchema,
    checkpointTwin,
  ]),
};

/** The twins, compiled (z.compile hands a schema it cannot compile back as it is, still correct). */
export const compiledTwins = {
  connectorRecord: z.compile(recordTwins.connectorRecord) as z.ZodType<ConnectorRecord>,
  streamOutput: z.compile(recordTwins.streamOutput) as z.ZodType<ValidStreamOutput>,
};

/** The compiled twin's answer when it takes the value, else the schema's own (see above). */
function validateFast<T>(twin: z.ZodType<T>, schema: z.ZodType<T>, value: unknown): Validated<T> {
  const quick = twin.safeParse(value);
  if (quick.success) return { success: true, data: quick.data };
  return validate(schema, value);
}

/** Validates one value a stream yielded (a record or a checkpoint); never throws. */
export function validateStreamOutput(value: unknown): Validated<ValidStreamOutput> {
  return validateFast(compiledTwins.streamOutput, streamOutputSchema, value);
}

/** Validates one record a webhook produced; never throws. */
export function validateRecord(value: unknown): Validated<ConnectorRecord> {
  return validateFast(compiledTwins.connectorRecord, connectorRecordSchema, value);
}
