// Privacy requests for admins: the audit trail of the erasures and exports that providers asked for
// through their connectors, and the stored exports to hand over (personal data: the `pii` scope too).

import type { Prisma } from "../../generated/prisma/client.ts";
import { PrivacyAction } from "../../generated/prisma/enums.ts";
import { builder, pagedConnection } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";

const ADMINS = { admin: true };

const PrivacyActionEnum = builder.enumType(PrivacyAction, {
  name: "PrivacyAction",
  description: "What a privacy request asks for.",
  values: {
    ERASE: {
      description:
        "Remove the person's personal data (identities, names, message texts, comments); facts, amounts and scores stay, pseudonymous.",
    },
    EXPORT: { description: "Collect everything the hub holds on the person, for an admin to hand over." },
  },
});

builder.prismaNode("PrivacyRequest", {
  description:
    "A privacy request a provider sent (Shopify's customers/redact, Tiny Desk's erasure requests, …), as carried out. Admins only.",
  id: { field: "id", description: "The request's global ID." },
  authScopes: ADMINS,
  fields: (t) => ({
    connector: t.relation("connector", {
      nullable: true,
      description: "The connector it came through; null once that connector was removed.",
    }),
    source: t.exposeString("source", { description: "The connector's name, kept when it is removed." }),
    requestId: t.exposeString("requestId", { description: "The provider's id of the request." }),
    action: t.expose("action", { type: PrivacyActionEnum, description: "Erase or export." }),
    requestedAt: t.expose("requestedAt", { type: "DateTime", description: "When the provider asked." }),
    completedAt: t.expose("completedAt", { type: "DateTime", description: "When the hub carried it out." }),
    customerIds: t.field({
      type: ["ID"],
      description: "Global IDs of the customers it named; empty when the hub knew nobody by its identities.",
      resolve: (request) => request.customerIds.map((id) => Buffer.from(`Customer:${id}`).toString("base64")),
    }),
    summary: t.expose("summary", {
      type: "JSONObject",
      description: "What was done: counts of the rows scrubbed or removed (ERASE), or exported (EXPORT).",
    }),
    export: t.expose("export", {
      type: "JSONObject",
      nullable: true,
      authScopes: { $all: { admin: true, pii: true } },
      description:
        "EXPORT: everything the hub held on the customers, as JSON, to hand over; null for erasures and once the same customers were erased. It is the data subject's own data for the subject, so it is whole, never masked: only admins whose API key has the `pii` scope read it (FORBIDDEN otherwise).",
    }),
  }),
});

builder.queryFields((t) => ({
  privacyRequests: t.prismaConnection(
    {
      type: "PrivacyRequest",
      cursor: "id",
      ...pagedConnection,
      authScopes: ADMINS,
      description: "Privacy requests carried out, newest first. Admins only.",
      args: {
        connectorId: t.arg.globalID({ description: "Only the requests that came through this connector." }),
        action: t.arg({ type: PrivacyActionEnum, description: "Only erasures, or only exports." }),
      },
      totalCount: (_parent, args, context) =>
        context.prisma.privacyRequest.count({ where: privacyWhere(args) }),
      resolve: (query, _parent, args, context) =>
        context.prisma.privacyRequest.findMany({
          ...query,
          where: privacyWhere(args),
          orderBy: [{ completedAt: "desc" }, { id: "desc" }],
        }),
    },
    { name: "PrivacyRequestConnection" },
    { name: "PrivacyRequestEdge" },
  ),
}));

function privacyWhere(args: {
  connectorId?: { typename: string; id: string } | null;
  action?: PrivacyAction | null;
}): Prisma.PrivacyRequestWhereInput {
  return {
    ...(args.connectorId
      ? { connectorId: expectGlobalId(args.connectorId, "Connector", ["connectorId"]) }
      : {}),
    ...(args.action ? { action: args.action } : {}),
  };
}
