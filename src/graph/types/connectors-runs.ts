// Sync runs for integrators, admins and analysts: each run with its trigger, status, counts and error,
// and the list of runs across connectors, newest first.

import { quotedValuesFor } from "../../auth/personal-data.ts";
import { MAX_RUN_WARNINGS, type SyncRunWarning } from "../../connectors/sync/sync-runs.ts";
import type { Prisma, SyncRun } from "../../generated/prisma/client.ts";
import { SyncRunStatus, SyncTrigger } from "../../generated/prisma/enums.ts";
import { builder, pagedConnection } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { DeadLetterStatusEnum, deadLetterWhere } from "./connectors-dead-letters.ts";
import { CONNECTOR_READERS } from "./connectors-scopes.ts";

export const SyncTriggerEnum = builder.enumType(SyncTrigger, {
  name: "SyncTrigger",
  description: "What started a sync run.",
  values: {
    MANUAL: { description: "Someone asked for it (triggerSync, or the CLI)." },
    SCHEDULED: { description: "The connector's sync interval came round." },
    WEBHOOK: {
      description:
        "A webhook delivery said the provider has changes it did not carry (Gmail's push): the streams run from their cursors.",
    },
  },
});

export const SyncRunStatusEnum = builder.enumType(SyncRunStatus, {
  name: "SyncRunStatus",
  description: "Where a sync run is. A connector has at most one QUEUED or RUNNING run.",
  values: {
    QUEUED: { description: "Waiting for a runner to claim it." },
    RUNNING: { description: "Fetching and storing records." },
    SUCCEEDED: { description: "Every stream was read to its end." },
    FAILED: { description: "A stream failed (see error); what was committed stays, with its checkpoint." },
    CANCELLED: {
      description: "Cancelled, or interrupted by a shutdown; the next run resumes from the last checkpoint.",
    },
  },
});

const SyncRunCounts = builder.objectRef<SyncRun>("SyncRunCounts").implement({
  description: "What a sync run did with the records it read, so far while it runs.",
  fields: (t) => ({
    fetched: t.exposeInt("recordsFetched", { description: "Values the plugin yielded." }),
    created: t.exposeInt("recordsCreated", { description: "Records stored for the first time." }),
    updated: t.exposeInt("recordsUpdated", { description: "Records the source corrected." }),
    unchanged: t.exposeInt("recordsUnchanged", { description: "Records already stored exactly so." }),
    deleted: t.exposeInt("recordsDeleted", {
      description: "Facts removed because the provider reported them deleted (and customers erased).",
    }),
    deadLettered: t.exposeInt("recordsDeadLettered", {
      description: "Records refused and kept as dead letters.",
    }),
    identitiesDropped: t.exposeInt("identitiesDropped", {
      description:
        "Not records: invalid identities (a malformed email, a phone without its country code) left out of records that were kept with their other identities. Each is in the run's warnings.",
    }),
  }),
});

const SyncRunWarningRef = builder.objectRef<SyncRunWarning>("SyncRunWarning").implement({
  description: "Something a sync run kept going past: an invalid identity left out of a record it kept, say.",
  fields: (t) => ({
    stream: t.exposeString("stream", { description: "The stream that yielded the record." }),
    externalId: t.exposeString("externalId", {
      nullable: true,
      description: "The record's provider id, when it has one.",
    }),
    path: t.exposeString("path", { description: 'Where in the record, as yielded ("identities.1.value").' }),
    message: t.string({
      description:
        "What was wrong and what the hub did. Quoted values are masked unless your API key has the `pii` scope.",
      resolve: (warning, _args, context) => quotedValuesFor(context.viewer, warning.message),
    }),
  }),
});

export const SyncRunNode = builder.prismaNode("SyncRun", {
  description: "One run of a connector's streams, with what it did.",
  id: { field: "id", description: "The run's global ID." },
  authScopes: CONNECTOR_READERS,
  fields: (t) => ({
    connector: t.relation("connector", { description: "The connector that ran." }),
    trigger: t.expose("trigger", { type: SyncTriggerEnum, description: "What started it." }),
    status: t.expose("status", { type: SyncRunStatusEnum, description: "Where it is." }),
    queuedAt: t.expose("queuedAt", { type: "DateTime", description: "When it was asked for." }),
    startedAt: t.expose("startedAt", {
      type: "DateTime",
      nullable: true,
      description: "When a runner started it; null while queued.",
    }),
    finishedAt: t.expose("finishedAt", {
      type: "DateTime",
      nullable: true,
      description: "When it ended; null while queued or running.",
    }),
    durationMs: t.exposeInt("durationMs", {
      nullable: true,
      description: "Milliseconds from start to end; null until it ends.",
    }),
    counts: t.field({
      type: SyncRunCounts,
      description: "What it did with the records it read.",
      resolve: (run) => run,
    }),
    error: t.exposeString("error", {
      nullable: true,
      description: "Why it failed or was stopped: one line per failed stream. Null when it succeeded.",
    }),
    warnings: t.field({
      type: [SyncRunWarningRef],
      description: `Its first ${MAX_RUN_WARNINGS} warnings, in order (counts.identitiesDropped says how many identities were left out in all).`,
      resolve: (run) => (Array.isArray(run.warnings) ? (run.warnings as unknown as SyncRunWarning[]) : []),
    }),
    cancelRequestedAt: t.expose("cancelRequestedAt", {
      type: "DateTime",
      nullable: true,
      description: "When someone asked to cancel it; its runner stops at its next batch or heartbeat.",
    }),
    deadLetters: t.relatedConnection("deadLetters", {
      description: "The records this run refused, newest first.",
      cursor: "id",
      totalCount: true,
      ...pagedConnection,
      args: {
        status: t.arg({ type: [DeadLetterStatusEnum], description: "Only letters in these states." }),
      },
      query: (args) => ({
        where: deadLetterWhere({ status: args.status }),
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      }),
    }),
  }),
});

export function syncRunWhere(filter: {
  connectorId?: string | null;
  status?: readonly SyncRunStatus[] | null;
}): Prisma.SyncRunWhereInput {
  return {
    ...(filter.connectorId ? { connectorId: filter.connectorId } : {}),
    ...(filter.status?.length ? { status: { in: [...filter.status] } } : {}),
  };
}

/** Newest first; ids (UUIDv7) break ties in the same order. */
export const NEWEST_RUN_FIRST: Prisma.SyncRunOrderByWithRelationInput[] = [
  { queuedAt: "desc" },
  { id: "desc" },
];

builder.queryFields((t) => ({
  syncRuns: t.prismaConnection(
    {
      type: "SyncRun",
      cursor: "id",
      ...pagedConnection,
      authScopes: CONNECTOR_READERS,
      description: "Sync runs of every connector (or of one), newest first.",
      args: {
        connectorId: t.arg.globalID({ description: "Only the runs of this connector." }),
        status: t.arg({ type: [SyncRunStatusEnum], description: "Only runs in these states." }),
      },
      totalCount: (_parent, args, context) => context.prisma.syncRun.count({ where: runsFilter(args) }),
      resolve: (query, _parent, args, context) =>
        context.prisma.syncRun.findMany({ ...query, where: runsFilter(args), orderBy: NEWEST_RUN_FIRST }),
    },
    { name: "SyncRunConnection" },
    { name: "SyncRunEdge" },
  ),
}));

function runsFilter(args: {
  connectorId?: { typename: string; id: string } | null;
  status?: SyncRunStatus[] | null;
}): Prisma.SyncRunWhereInput {
  return syncRunWhere({
    connectorId: args.connectorId ? expectGlobalId(args.connectorId, "Connector", ["connectorId"]) : null,
    status: args.status,
  });
}
