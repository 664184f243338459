// Dead letters as the API shows them: what was refused, why, and the raw payload. A payload is the
// provider's record as received, so it holds personal data: admins and integrators read it whole with
// the `pii` scope and masked without it; analysts see the letters but not their payloads. Reasons
// quote the refused value ("li.wei at example.org" is not an email address): masked the same way.

import { maskPayload } from "../../auth/mask-payload.ts";
import { canReadPersonalData, quotedValuesFor } from "../../auth/personal-data.ts";
import type { DeadLetter, Prisma } from "../../generated/prisma/client.ts";
import { DeadLetterKind, DeadLetterStatus } from "../../generated/prisma/enums.ts";
import { builder, pagedConnection } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { CONNECTOR_READERS, CONNECTOR_WRITERS } from "./connectors-scopes.ts";

export const DeadLetterStatusEnum = builder.enumType(DeadLetterStatus, {
  name: "DeadLetterStatus",
  description: "Where a dead letter stands.",
  values: {
    PENDING: {
      description: "Waiting for a fix: replay it (with a corrected payload if needed) or discard it.",
    },
    REPLAYED: { description: "Replayed and stored." },
    DISCARDED: { description: "Ended without being stored." },
  },
});

const DeadLetterKindEnum = builder.enumType(DeadLetterKind, {
  name: "DeadLetterKind",
  description: "What a dead letter holds.",
  values: {
    RECORD: {
      description:
        "One record a stream yielded or a webhook carried (JSON text), refused by validation or by the store.",
    },
    WEBHOOK_DELIVERY: {
      description: "A whole webhook delivery whose body the plugin could not read (its raw body).",
    },
  },
});

interface StoredIssue {
  path: string;
  message: string;
}

export const DeadLetterIssue = builder.objectRef<StoredIssue>("DeadLetterIssue").implement({
  description: "One problem with one field of a refused record.",
  fields: (t) => ({
    path: t.exposeString("path", {
      description: 'Where in the record, dotted: "identities.0.value" (empty for the record as a whole).',
    }),
    message: t.exposeString("message", {
      description: "What is wrong there. Quoted values are masked unless your API key has the `pii` scope.",
    }),
  }),
});

builder.prismaNode("DeadLetter", {
  description:
    "A record refused during a sync or a webhook, kept raw with the reason so that nothing good is lost: fix the cause, then replay it (or discard it).",
  id: { field: "id", description: "The dead letter's global ID." },
  authScopes: CONNECTOR_READERS,
  fields: (t) => ({
    connector: t.relation("connector", {
      nullable: true,
      description: "The connector that received it.",
    }),
    syncRun: t.relation("syncRun", {
      nullable: true,
      description: "The sync run that read it; null for webhooks.",
    }),
    kind: t.expose("kind", { type: DeadLetterKindEnum, description: "A record, or a whole delivery." }),
    stream: t.exposeString("stream", {
      nullable: true,
      description: 'The stream or webhook topic it came from ("tickets", "webhook").',
    }),
    reason: t.string({
      description: "Why it was refused. Quoted values are masked unless your API key has the `pii` scope.",
      resolve: (letter, _args, context) => quotedValuesFor(context.viewer, letter.reason),
    }),
    issues: t.field({
      type: [DeadLetterIssue],
      description: "The validation problems, one per field (empty when the store refused it).",
      resolve: (letter, _args, context) =>
        storedIssues(letter).map((issue) => ({
          path: issue.path,
          message: quotedValuesFor(context.viewer, issue.message),
        })),
    }),
    payload: t.string({
      nullable: true,
      authScopes: CONNECTOR_WRITERS,
      description:
        "The record exactly as received (JSON text, or a delivery's raw body): personal data. With the `pii` scope it is whole; without it every value but record types, kinds, channels, external ids, times and amounts is masked (a•••@example.com), and a body that is not JSON reads •••. Admins and integrators only.",
      resolve: (letter, _args, context) =>
        canReadPersonalData(context.viewer) ? letter.payload : maskPayload(letter.payload),
    }),
    status: t.expose("status", {
      type: DeadLetterStatusEnum,
      description: "Pending, replayed or discarded.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was refused." }),
    replayedAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When it was replayed and stored; null unless REPLAYED.",
      resolve: (letter) => (letter.status === "REPLAYED" ? letter.resolvedAt : null),
    }),
    discardedAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When it was discarded; null unless DISCARDED.",
      resolve: (letter) => (letter.status === "DISCARDED" ? letter.resolvedAt : null),
    }),
  }),
});

export function deadLetterWhere(filter: {
  connectorId?: string | null;
  status?: readonly DeadLetterStatus[] | null;
}): Prisma.DeadLetterWhereInput {
  return {
    ...(filter.connectorId ? { connectorId: filter.connectorId } : {}),
    ...(filter.status?.length ? { status: { in: [...filter.status] } } : {}),
  };
}

export const NEWEST_LETTER_FIRST: Prisma.DeadLetterOrderByWithRelationInput[] = [
  { createdAt: "desc" },
  { id: "desc" },
];

builder.queryFields((t) => ({
  deadLetters: t.prismaConnection(
    {
      type: "DeadLetter",
      cursor: "id",
      ...pagedConnection,
      authScopes: CONNECTOR_READERS,
      description: "Dead letters of every connector (or of one), newest first.",
      args: {
        connectorId: t.arg.globalID({ description: "Only the letters of this connector." }),
        status: t.arg({
          type: [DeadLetterStatusEnum],
          description: "Only letters in these states (PENDING: the ones waiting for a fix).",
        }),
      },
      totalCount: (_parent, args, context) => context.prisma.deadLetter.count({ where: lettersFilter(args) }),
      resolve: (query, _parent, args, context) =>
        context.prisma.deadLetter.findMany({
          ...query,
          where: lettersFilter(args),
          orderBy: NEWEST_LETTER_FIRST,
        }),
    },
    { name: "DeadLetterConnection" },
    { name: "DeadLetterEdge" },
  ),
}));

function lettersFilter(args: {
  connectorId?: { typename: string; id: string } | null;
  status?: DeadLetterStatus[] | null;
}): Prisma.DeadLetterWhereInput {
  return deadLetterWhere({
    connectorId: args.connectorId ? expectGlobalId(args.connectorId, "Connector", ["connectorId"]) : null,
    status: args.status,
  });
}

function storedIssues(letter: DeadLetter): StoredIssue[] {
  const issues = (letter.details as { issues?: unknown } | null)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues
    .filter((issue): issue is { path?: unknown; message: string } => typeof issue?.message === "string")
    .map((issue) => ({ path: typeof issue.path === "string" ? issue.path : "", message: issue.message }));
}
