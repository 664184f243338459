// The checkpoints of a connector's streams (Connector.streams, in connectors.ts) and their reset
// (resetConnectorStream), for integrators who need a stream to sync from the start again: after a
// plugin changed its cursor format, or to re-read what the provider corrected.
import { findConnector } from "../../connectors/connector-store.ts";
import { resetStreamCheckpoint, type StreamCheckpoint } from "../../connectors/sync/stream-checkpoints.ts";
import { builder } from "../builder.ts";
import { atInput } from "../connector-calls.ts";
import { expectGlobalId } from "../global-ids.ts";
import { CONNECTOR_WRITERS } from "./connectors-scopes.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";

export const ConnectorStreamCheckpointRef = builder
  .objectRef<StreamCheckpoint>("ConnectorStreamCheckpoint")
  .implement({
    description:
      "One stream of an installed connector with its checkpoint: where its next sync resumes from.",
    fields: (t) => ({
      name: t.exposeString("name", { description: 'The stream\'s name ("tickets", "orders").' }),
      checkpoint: t.field({
        type: "JSON",
        nullable: true,
        description:
          "The cursor the next run resumes from, as the plugin stored it; null when the next run reads everything from the start.",
        resolve: (stream) => stream.checkpoint,
      }),
      updatedAt: t.field({
        type: "DateTime",
        nullable: true,
        description: "When the checkpoint was stored (with the batch of records it follows); null with none.",
        resolve: (stream) => stream.updatedAt,
      }),
    }),
  });

const ResetConnectorStreamInput = builder.inputType("ResetConnectorStreamInput", {
  description: "The stream whose checkpoint to forget.",
  fields: (t) => ({
    connectorId: t.globalID({ required: true, description: "The connector's global ID." }),
    stream: t.string({ required: true, description: "The stream's name (see Connector.streams)." }),
  }),
});

const ResetConnectorStreamPayload = builder
  .objectRef<{ connectorId: string; stream: string; previous: StreamCheckpoint }>(
    "ResetConnectorStreamPayload",
  )
  .implement({
    description: "A stream whose checkpoint was forgotten: its next sync reads from the start.",
    fields: (t) => ({
      stream: t.exposeString("stream", { description: "The stream reset." }),
      previousCheckpoint: t.field({
        type: "JSON",
        nullable: true,
        description:
          "The checkpoint it had (null: it had none), to restore by hand if the reset was a mistake.",
        resolve: (payload) => payload.previous.checkpoint,
      }),
      connector: t.prismaField({
        type: "Connector",
        description: "The connector, as stored now.",
        resolve: (query, payload, _args, context) =>
          context.prisma.connector.findUniqueOrThrow({ ...query, where: { id: payload.connectorId } }),
      }),
    }),
  });

builder.mutationField("resetConnectorStream", (t) =>
  t.field({
    type: ResetConnectorStreamPayload,
    authScopes: CONNECTOR_WRITERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Forgets the checkpoint of one stream of a connector, so that its next sync reads everything from the start (records read again are stored as unchanged). A ValidationError at input.stream lists the streams; a ConflictError names a run still active (cancel it first).",
    args: {
      input: t.arg({ type: ResetConnectorStreamInput, required: true, description: "The stream." }),
    },
    resolve: async (_parent, { input }, context) => {
      const id = expectGlobalId(input.connectorId, "Connector", ["input", "connectorId"]);
      const connector = await findConnector(context.prisma, { id });
      const { previous } = await atInput(() =>
        resetStreamCheckpoint(context.prisma, context.connectors.registry, connector, input.stream),
      );
      return { connectorId: id, stream: input.stream, previous };
    },
  }),
);
