// The viewer: who the API key in use belongs to, with its role and scopes, so a page can greet its
// user and show only what their role allows.

import type { Viewer } from "../../auth/api-keys.ts";
import { Role } from "../../generated/prisma/enums.ts";
import { builder } from "../builder.ts";

export const RoleEnum = builder.enumType(Role, {
  name: "Role",
  description: "What an API key may do.",
  values: {
    ADMIN: { description: "Everything, including keys, connectors and model refits." },
    INTEGRATOR: { description: "Installs and runs connectors; reads sync runs and dead letters." },
    ANALYST: { description: "Reads every customer and the aggregate metrics." },
    ACCOUNT_MANAGER: { description: "Reads and works the customers they own, and their alerts." },
  },
});

const ViewerRef = builder.objectRef<Viewer>("Viewer").implement({
  description: "Who is calling: the principal behind the API key, and what the key may do.",
  fields: (t) => ({
    principal: t.prismaField({
      type: "Principal",
      description: "The person or service the key belongs to.",
      resolve: (query, viewer, _args, context) =>
        context.prisma.principal.findUniqueOrThrow({ ...query, where: { id: viewer.principalId } }),
    }),
    role: t.field({ type: RoleEnum, description: "The key's role.", resolve: (viewer) => viewer.role }),
    scopes: t.stringList({
      description:
        "Extra permissions beyond the role: pii (read personal data unmasked), customers (for integrator keys, read the customer graph).",
      resolve: (viewer) => [...viewer.scopes].sort(),
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    description: "Who you are: the principal behind your API key, its role and scopes.",
    resolve: (_parent, _args, context) => context.viewer,
  }),
}));
