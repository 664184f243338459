// The Identity type: one identifier that names a customer on a channel.

import { maskEmail, maskFreeText, maskPhone } from "../../auth/mask.ts";
import { canReadPersonalData } from "../../auth/personal-data.ts";
import { IdentityKind } from "../../generated/prisma/enums.ts";
import { builder } from "../builder.ts";
import { CUSTOMER_READERS } from "./customer-scopes.ts";

export const IdentityKindEnum = builder.enumType(IdentityKind, {
  name: "IdentityKind",
  description: "The kinds of identifiers that name a customer on some channel.",
  values: {
    EMAIL: { description: "An email address, trimmed and lower-cased." },
    PHONE: { description: "A phone number in E.164 form (+14155550123)." },
    SHOP_CUSTOMER_ID: { description: "A customer id in a shop; the namespace names the shop." },
    SOCIAL_HANDLE: {
      description: "A handle on a social network without the @; the namespace names the network.",
    },
    EXTERNAL_ID: {
      description: "Any other stable id from a system of record; the namespace names the system.",
    },
  },
});

builder.prismaObject("Identity", {
  authScopes: CUSTOMER_READERS,
  description:
    "An identifier that names exactly one customer. Identity resolution joins records from different channels through these.",
  fields: (t) => ({
    kind: t.expose("kind", { type: IdentityKindEnum, description: "What sort of identifier this is." }),
    namespace: t.exposeString("namespace", {
      description:
        "Where the value is unique: the shop or social network for ids and handles; empty for emails and phones.",
    }),
    value: t.string({
      description:
        "The normalized identifier (a lower-cased email, an E.164 phone, an id or a handle). Personal data: emails and phones (and any email or phone inside another kind's value) are masked (a•••@example.com, +1••••••0123) unless your API key has the `pii` scope.",
      resolve: (identity, _args, context) => {
        if (canReadPersonalData(context.viewer)) return identity.value;
        if (identity.kind === "EMAIL") return maskEmail(identity.value);
        if (identity.kind === "PHONE") return maskPhone(identity.value);
        // A shop id or external id may be an email the source used as its key.
        return maskFreeText(identity.value);
      },
    }),
    source: t.exposeString("source", {
      nullable: true,
      description: "The connector or API client that first reported this identity.",
    }),
    lastSeenAt: t.expose("lastSeenAt", {
      type: "DateTime",
      description: "When a record last carried this identity.",
    }),
  }),
});
