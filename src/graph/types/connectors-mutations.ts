// The mutations of connector administration, for admins and integrators: install and configure a
// connector (its configuration validated per field by the plugin's schema; secrets write-only), pause,
// resume and remove it (its check is in connectors-check.ts), trigger and cancel a sync, replay or
// discard a dead letter. Each returns
// its payload or a typed error (see user-errors.ts); the work is the connector engine's (src/connectors).

import { requireEngine, storeDeps } from "../../connectors/connector-services.ts";
import {
  installConnector,
  pauseConnector,
  reconfigureConnector,
  removeConnector,
  resumeConnector,
} from "../../connectors/connector-store.ts";
import { discardDeadLetter, replayDeadLetter } from "../../connectors/dead-letters/replay-dead-letter.ts";
import type { IngestCounts } from "../../connectors/ingest/ingest-records.ts";
import { requestSyncCancel } from "../../connectors/sync/sync-runs.ts";
import type { CheckResult } from "../../sdk/define-connector.ts";
import { builder } from "../builder.ts";
import { atInput, openingSecrets } from "../connector-calls.ts";
import { writesOf } from "../context.ts";
import { expectGlobalId } from "../global-ids.ts";
import { storedConnectorField } from "./connector-payload-field.ts";
import { ConnectorCheckRef, runConnectorCheck } from "./connectors-check.ts";
import { CONNECTOR_WRITERS } from "./connectors-scopes.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";

const InstallConnectorInput = builder.inputType("InstallConnectorInput", {
  description: "A plugin to install under a name, with its configuration.",
  fields: (t) => ({
    pluginId: t.string({ required: true, description: "The plugin (see connectorPlugins)." }),
    name: t.string({
      required: true,
      description:
        'A unique name: 1 to 63 lower-case letters, digits and dashes ("shopify-eu"). It becomes the source of the records and the webhook path; it cannot be changed.',
    }),
    config: t.field({
      type: "JSONObject",
      description:
        "The configuration, as the plugin's configSchema describes it; secret fields are encrypted and never shown again.",
    }),
    syncIntervalSeconds: t.int({
      description: "Seconds between scheduled syncs (60 to 604800); null or omitted for manual syncs only.",
    }),
    check: t.boolean({
      defaultValue: true,
      description:
        "Run the plugin's check once installed (true by default), as `npm run connectors -- install` does; false installs without calling the provider.",
    }),
  }),
});

const ConfigureConnectorInput = builder.inputType("ConfigureConnectorInput", {
  description: "A new configuration and/or schedule for a connector; what is omitted stays.",
  fields: (t) => ({
    id: t.globalID({ required: true, description: "The connector." }),
    config: t.field({
      type: "JSONObject",
      description:
        "The fields to change, laid over the stored configuration (nested objects field by field), then validated as a whole: fields left out keep their stored value, so sending only { apiToken } rotates a token and keeps the rest; a field set to null is removed (it takes its default; refused when the plugin requires it). Omit to keep the configuration.",
    }),
    syncIntervalSeconds: t.int({
      description:
        "Seconds between scheduled syncs (60 to 604800); null for manual syncs only; omit to keep.",
    }),
  }),
});

const ConnectorPayload = builder.objectRef<{ connectorId: string }>("ConnectorPayload").implement({
  description: "A connector after a change.",
  fields: (t) => ({
    connector: storedConnectorField(t, "The connector, as stored now."),
  }),
});

const InstallConnectorPayload = builder
  .objectRef<{ connectorId: string; check: CheckResult | null }>("InstallConnectorPayload")
  .implement({
    description:
      "The connector installed, and what its check found. A failed check does not undo the install: fix the configuration with configureConnector, then checkConnector.",
    fields: (t) => ({
      connector: storedConnectorField(t, "The connector, as stored now."),
      check: t.field({
        type: ConnectorCheckRef,
        nullable: true,
        description: "What the plugin's check found; null when the input's check was false.",
        resolve: (payload) => payload.check,
      }),
    }),
  });

const RemoveConnectorPayload = builder
  .objectRef<{ id: string; name: string }>("RemoveConnectorPayload")
  .implement({
    description: "The connector that was removed, with its runs, cursors and dead letters; its facts stay.",
    fields: (t) => ({
      removedConnectorId: t.globalID({
        description: "The removed connector's global ID.",
        resolve: (payload) => ({ type: "Connector", id: payload.id }),
      }),
      name: t.exposeString("name", { description: "Its name (still the source of the facts it synced)." }),
    }),
  });

const SyncRunPayload = builder.objectRef<{ runId: string }>("SyncRunPayload").implement({
  description: "A sync run after a change.",
  fields: (t) => ({
    run: t.prismaField({
      type: "SyncRun",
      description: "The run, as stored now.",
      resolve: (query, payload, _args, context) =>
        context.prisma.syncRun.findUniqueOrThrow({ ...query, where: { id: payload.runId } }),
    }),
  }),
});

const IngestCountsRef = builder.objectRef<IngestCounts>("IngestCounts").implement({
  description: "What storing a batch of records did.",
  fields: (t) => ({
    created: t.exposeInt("created", { description: "Records stored for the first time." }),
    updated: t.exposeInt("updated", { description: "Records that corrected stored ones." }),
    unchanged: t.exposeInt("unchanged", { description: "Records already stored exactly so." }),
    deleted: t.exposeInt("deleted", { description: "Facts deleted or customers erased." }),
    deadLettered: t.exposeInt("deadLettered", { description: "Records refused again, as new dead letters." }),
    identitiesDropped: t.exposeInt("identitiesDropped", {
      description: "Invalid identities left out of records that were stored with their other identities.",
    }),
  }),
});

const ReplayDeadLetterPayload = builder
  .objectRef<{ letterId: string; replayed: boolean; counts?: IngestCounts | undefined }>(
    "ReplayDeadLetterPayload",
  )
  .implement({
    description:
      "What replaying a dead letter did: stored (REPLAYED), or still refused (PENDING, with the new reason).",
    fields: (t) => ({
      replayed: t.exposeBoolean("replayed", {
        description: "true when it was stored; false when it is still refused (see deadLetter.reason).",
      }),
      counts: t.field({
        type: IngestCountsRef,
        nullable: true,
        description: "What storing it did; null when it was not stored.",
        resolve: (payload) => payload.counts ?? null,
      }),
      deadLetter: t.prismaField({
        type: "DeadLetter",
        description: "The dead letter, as stored now.",
        resolve: (query, payload, _args, context) =>
          context.prisma.deadLetter.findUniqueOrThrow({ ...query, where: { id: payload.letterId } }),
      }),
    }),
  });

const DeadLetterPayload = builder.objectRef<{ letterId: string }>("DeadLetterPayload").implement({
  description: "A dead letter after a change.",
  fields: (t) => ({
    deadLetter: t.prismaField({
      type: "DeadLetter",
      description: "The dead letter, as stored now.",
      resolve: (query, payload, _args, context) =>
        context.prisma.deadLetter.findUniqueOrThrow({ ...query, where: { id: payload.letterId } }),
    }),
  }),
});

builder.mutationFields((t) => ({
  installConnector: t.field({
    type: InstallConnectorPayload,
    authScopes: CONNECTOR_WRITERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Installs a plugin under a unique name, then runs its check (unless input.check is false) and reports what it found, so that a wrong token shows now rather than at the first sync. The configuration is validated by the plugin's schema (a ValidationError lists every bad field, at paths such as input.config.apiToken); secret fields are encrypted and never returned. Needs CXHUB_SECRET_KEY when the plugin has secret fields.",
    args: { input: t.arg({ type: InstallConnectorInput, required: true, description: "The connector." }) },
    resolve: async (_parent, { input }, context) => {
      const view = await atInput(() =>
        installConnector(storeDeps(context.prisma, context.connectors), {
          pluginId: input.pluginId,
          name: input.name,
          config: input.config ?? {},
          syncIntervalSeconds: input.syncIntervalSeconds ?? null,
        }),
      );
      const check = input.check === false ? null : await runConnectorCheck(context, view.id);
      return { connectorId: view.id, check };
    },
  }),

  configureConnector: t.field({
    type: ConnectorPayload,
    authScopes: CONNECTOR_WRITERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Changes a connector's configuration and/or schedule. The configuration given is merged with the stored one, so a form sends only what changed (secrets left out keep their value). A FAILING connector whose configuration is fixed becomes ACTIVE.",
    args: {
      input: t.arg({ type: ConfigureConnectorInput, required: true, description: "What to change." }),
    },
    resolve: async (_parent, { input }, context) => {
      const id = expectGlobalId(input.id, "Connector", ["input", "id"]);
      const view = await atInput(() =>
        reconfigureConnector(
          storeDeps(context.prisma, context.connectors),
          { id },
          {
            config: input.config ?? undefined,
            // Omitted keeps the schedule; null means manual syncs only.
            syncIntervalSeconds: input.syncIntervalSeconds,
          },
        ),
      );
      return { connectorId: view.id };
    },
  }),

  pauseConnector: t.field({
    type: ConnectorPayload,
    authScopes: CONNECTOR_WRITERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Stops the connector's scheduled and manual syncs (a run in progress finishes; cancel it to stop it). Webhooks are still received.",
    args: { id: t.arg.globalID({ required: true, description: "The connector's global ID." }) },
    resolve: async (_parent, args, context) => {
      const view = await pauseConnector(storeDeps(context.prisma, context.connectors), {
        id: expectGlobalId(args.id, "Connector", ["id"]),
      });
      return { connectorId: view.id };
    },
  }),

  resumeConnector: t.field({
    type: ConnectorPayload,
    authScopes: CONNECTOR_WRITERS,
    errors: { types: MUTATION_ERRORS },
    description: "Makes a PAUSED or FAILING connector ACTIVE again: it syncs on its schedule and on demand.",
    args: { id: t.arg.globalID({ required: true, description: "The connector's global ID." }) },
    resolve: async (_parent, args, context) => {
      const view = await resumeConnector(storeDeps(context.prisma, context.connectors), {
        id: expectGlobalId(args.id, "Connector", ["id"]),
      });
      return { connectorId: view.id };
    },
  }),

  removeConnector: t.field({
    type: RemoveConnectorPayload,
    authScopes: CONNECTOR_WRITERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Removes a connector with its runs, cursors and dead letters; the facts it synced stay. Refused with a ConflictError while it has an active run: cancel it first.",
    args: { id: t.arg.globalID({ required: true, description: "The connector's global ID." }) },
    resolve: async (_parent, args, context) => {
      const view = await removeConnector(storeDeps(context.prisma, context.connectors), {
        id: expectGlobalId(args.id, "Connector", ["id"]),
      });
      return { id: view.id, name: view.name };
    },
  }),

  triggerSync: t.field({
    type: SyncRunPayload,
    authScopes: CONNECTOR_WRITERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Starts a sync of the connector now and returns its run (QUEUED or RUNNING); follow it through syncRuns or node. A ConflictError names the run when one is already active, or says the connector is paused.",
    args: { connectorId: t.arg.globalID({ required: true, description: "The connector's global ID." }) },
    resolve: async (_parent, args, context) => {
      const engine = requireEngine(context.connectors);
      const run = await engine.trigger({
        id: expectGlobalId(args.connectorId, "Connector", ["connectorId"]),
      });
      return { runId: run.id };
    },
  }),

  cancelSync: t.field({
    type: SyncRunPayload,
    authScopes: CONNECTOR_WRITERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Cancels a sync run: a queued one at once; a running one stops at once on this instance, or at its next batch on another (cancelRequestedAt is set). What it committed stays, with its checkpoint.",
    args: { runId: t.arg.globalID({ required: true, description: "The run's global ID." }) },
    resolve: async (_parent, args, context) => {
      const runId = expectGlobalId(args.runId, "SyncRun", ["runId"]);
      const engine = context.connectors.engine;
      const run = engine ? await engine.cancel(runId) : await requestSyncCancel(context.prisma, runId);
      return { runId: run.id };
    },
  }),

  replayDeadLetter: t.field({
    type: ReplayDeadLetterPayload,
    authScopes: CONNECTOR_WRITERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Replays a PENDING dead letter after its cause was fixed: the stored record (or the corrected payload given) is validated and stored; still refused, it stays PENDING with the new reason. A delivery kept whole is parsed again by its plugin.",
    args: {
      id: t.arg.globalID({ required: true, description: "The dead letter's global ID." }),
      payload: t.arg({
        type: "JSON",
        description:
          "A corrected copy of a RECORD letter's record (the payload with the bad field fixed); the stored one when omitted.",
      }),
    },
    resolve: async (_parent, args, context) => {
      const id = expectGlobalId(args.id, "DeadLetter", ["id"]);
      const result = await openingSecrets(context, () =>
        replayDeadLetter(
          {
            db: context.prisma,
            plugins: context.connectors.registry,
            secretKey: context.connectors.secretKey,
            writes: writesOf(context),
          },
          id,
          args.payload == null ? {} : { payload: args.payload },
        ),
      );
      return { letterId: id, replayed: result.replayed, counts: result.counts };
    },
  }),

  discardDeadLetter: t.field({
    type: DeadLetterPayload,
    authScopes: CONNECTOR_WRITERS,
    errors: { types: MUTATION_ERRORS },
    description: "Ends a PENDING dead letter without storing it.",
    args: { id: t.arg.globalID({ required: true, description: "The dead letter's global ID." }) },
    resolve: async (_parent, args, context) => {
      const letter = await discardDeadLetter(context.prisma, expectGlobalId(args.id, "DeadLetter", ["id"]));
      return { letterId: letter.id };
    },
  }),
}));
