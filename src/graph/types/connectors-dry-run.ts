// dryRunConnector: a connector's streams read from its provider as a sync reads them, with nothing
// written, showing the records a sync would store, the ones it would refuse and why, and the
// checkpoints it would keep. A mutation because it calls the provider (and so may cost its rate
// limit), though it changes nothing in the hub. Records are personal data: masked as dead-letter
// payloads are, unless the key has the `pii` scope.
import { maskPayload } from "../../auth/mask-payload.ts";
import { canReadPersonalData, quotedValuesFor } from "../../auth/personal-data.ts";
import { storeDeps } from "../../connectors/connector-services.ts";
import { findConnector } from "../../connectors/connector-store.ts";
import { payloadText } from "../../connectors/dead-letters/write-dead-letters.ts";
import {
  DRY_RUN_DEFAULT_LIMIT,
  DRY_RUN_MAX_LIMIT,
  type DryRunRecord,
  type DryRunStream,
  dryRunConnector,
} from "../../connectors/sync/dry-run.ts";
import { builder } from "../builder.ts";
import { atInput, openingSecrets } from "../connector-calls.ts";
import { expectGlobalId } from "../global-ids.ts";
import { DeadLetterIssue } from "./connectors-dead-letters.ts";
import { CONNECTOR_WRITERS } from "./connectors-scopes.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";

const DryRunRecordRef = builder.objectRef<DryRunRecord>("DryRunRecord").implement({
  description:
    "One value a stream yielded in a dry run: a record a sync would store, or one it would refuse.",
  fields: (t) => ({
    type: t.string({
      nullable: true,
      description:
        'The record\'s type ("interaction", "customer", "feedback", …); null when the value has none.',
      resolve: (record) => record.type,
    }),
    externalId: t.string({
      nullable: true,
      description: "The provider's id of the fact, when the record has one.",
      resolve: (record) => record.externalId,
    }),
    valid: t.exposeBoolean("valid", {
      description: "true: a sync would store it; false: it would be refused as a dead letter (see reason).",
    }),
    reason: t.string({
      nullable: true,
      description:
        "Why a sync would refuse it; null when valid. Quoted values are masked without the `pii` scope.",
      resolve: (record, _args, context) =>
        record.reason === null ? null : quotedValuesFor(context.viewer, record.reason),
    }),
    issues: t.field({
      type: [DeadLetterIssue],
      description: "The validation problems, one per field (empty when valid).",
      resolve: (record, _args, context) =>
        record.issues.map((issue) => ({
          path: issue.path,
          message: quotedValuesFor(context.viewer, issue.message),
        })),
    }),
    droppedIdentities: t.field({
      type: [DeadLetterIssue],
      description:
        "Invalid identities a sync would leave out of this record, keeping it with its other identities (empty when none).",
      resolve: (record, _args, context) =>
        record.droppedIdentities.map((issue) => ({
          path: issue.path,
          message: quotedValuesFor(context.viewer, issue.message),
        })),
    }),
    payload: t.string({
      description:
        "The value as the plugin yielded it (JSON text): personal data, masked as a dead letter's payload is unless your API key has the `pii` scope.",
      resolve: (record, _args, context) => {
        const text = payloadText(record.payload);
        return canReadPersonalData(context.viewer) ? text : maskPayload(text);
      },
    }),
  }),
});

const DryRunStreamRef = builder.objectRef<DryRunStream>("DryRunStream").implement({
  description: "What a sync of one stream would do, read from the provider in a dry run.",
  fields: (t) => ({
    stream: t.exposeString("stream", { description: "The stream's name." }),
    startedFrom: t.field({
      type: "JSON",
      nullable: true,
      description: "The checkpoint it read from; null: from the start.",
      resolve: (stream) => stream.startedFrom,
    }),
    records: t.field({
      type: [DryRunRecordRef],
      description: "The values it read, in order, up to the limit.",
      resolve: (stream) => stream.records,
    }),
    checkpoints: t.field({
      type: ["JSON"],
      description:
        "The checkpoints a sync would store, in order, each after the records before it; the last is where the next sync would resume.",
      resolve: (stream) => stream.checkpoints,
    }),
    complete: t.exposeBoolean("complete", {
      description: "true when the stream was read to its end; false when it stopped at the limit.",
    }),
    error: t.string({
      nullable: true,
      description:
        "Why the stream failed (the provider refused, the stored checkpoint does not fit, …); null if it did not. It may quote the start of the provider's answer: quoted values, emails and phones are masked unless your API key has the `pii` scope.",
      resolve: (stream, _args, context) =>
        stream.error === null ? null : quotedValuesFor(context.viewer, stream.error),
    }),
  }),
});

const DryRunConnectorInput = builder.inputType("DryRunConnectorInput", {
  description: "What to read in a dry run.",
  fields: (t) => ({
    connectorId: t.globalID({ required: true, description: "The connector's global ID." }),
    stream: t.string({ description: "One stream (see Connector.streams); every stream when omitted." }),
    limit: t.int({
      description: `Values to read per stream, 1 to ${DRY_RUN_MAX_LIMIT} (default ${DRY_RUN_DEFAULT_LIMIT}); checkpoints are not counted.`,
    }),
    fromStart: t.boolean({
      description:
        "Read from the start, as after a reset, instead of from the stored checkpoint. Default false.",
    }),
  }),
});

const DryRunConnectorPayload = builder
  .objectRef<{ connectorId: string; streams: DryRunStream[] }>("DryRunConnectorPayload")
  .implement({
    description: "What a sync would do now, read from the provider; nothing was written.",
    fields: (t) => ({
      streams: t.field({
        type: [DryRunStreamRef],
        description: "Each stream read, in the plugin's order.",
        resolve: (payload) => payload.streams,
      }),
      connector: t.prismaField({
        type: "Connector",
        description: "The connector, unchanged.",
        resolve: (query, payload, _args, context) =>
          context.prisma.connector.findUniqueOrThrow({ ...query, where: { id: payload.connectorId } }),
      }),
    }),
  });

builder.mutationField("dryRunConnector", (t) =>
  t.field({
    type: DryRunConnectorPayload,
    authScopes: CONNECTOR_WRITERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Reads the connector's streams from its provider as a sync would (stored configuration and checkpoint) and writes nothing: no records, checkpoints, runs or dead letters; plugins are told it is a dry run, so that they change nothing at the provider either (no webhook or watch registered). Shows the records a sync would store, the ones it would refuse with their issues, and the checkpoints it would keep. A failing stream is reported in its error; the others are still read.",
    args: { input: t.arg({ type: DryRunConnectorInput, required: true, description: "What to read." }) },
    resolve: async (_parent, { input }, context) => {
      const id = expectGlobalId(input.connectorId, "Connector", ["input", "connectorId"]);
      const connector = await findConnector(context.prisma, { id });
      const streams = await openingSecrets(context, () =>
        atInput(() =>
          dryRunConnector(
            {
              ...storeDeps(context.prisma, context.connectors),
              stream: input.stream ?? undefined,
              limit: input.limit ?? undefined,
              fromStart: input.fromStart ?? false,
            },
            connector,
          ),
        ),
      );
      return { connectorId: id, streams };
    },
  }),
);
