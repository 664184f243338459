// A connector's check over GraphQL: checkConnector runs the plugin's check with the stored
// configuration, and installConnector runs it right after installing (connectors-mutations.ts), as
// `npm run connectors -- install` does, so that a wrong token shows at once, not at the first sync.
import { checkConnector } from "../../connectors/check-connector.ts";
import { storeDeps } from "../../connectors/connector-services.ts";
import type { CheckResult } from "../../sdk/define-connector.ts";
import { builder } from "../builder.ts";
import { openingSecrets } from "../connector-calls.ts";
import type { GraphContext } from "../context.ts";
import { expectGlobalId } from "../global-ids.ts";
import { storedConnectorField } from "./connector-payload-field.ts";
import { CONNECTOR_WRITERS } from "./connectors-scopes.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";

/** The plugin's sentence, or ours when it gave none. */
const checkMessage = (result: CheckResult) =>
  result.message ?? (result.ok ? "The provider accepted the configuration." : "The check failed.");

/** Runs an installed connector's check; secrets that cannot be opened are a ConflictError saying why. */
export function runConnectorCheck(context: GraphContext, connectorId: string): Promise<CheckResult> {
  return openingSecrets(context, () =>
    checkConnector(storeDeps(context.prisma, context.connectors), { id: connectorId }),
  );
}

export const ConnectorCheckRef = builder.objectRef<CheckResult>("ConnectorCheck").implement({
  description:
    "What the plugin's check found: whether the provider accepts the connector's configuration (one cheap call).",
  fields: (t) => ({
    ok: t.exposeBoolean("ok", { description: "true when the provider accepted the credentials." }),
    message: t.string({
      description: "What the plugin found, or what is wrong and what to do about it.",
      resolve: checkMessage,
    }),
  }),
});

const CheckConnectorPayload = builder
  .objectRef<CheckResult & { connectorId: string }>("CheckConnectorPayload")
  .implement({
    description: "Whether the connector reaches its provider with its stored configuration.",
    fields: (t) => ({
      ok: t.exposeBoolean("ok", { description: "true when the provider accepted the credentials." }),
      message: t.string({
        description: "What the plugin found, or what is wrong and what to do about it.",
        resolve: checkMessage,
      }),
      connector: storedConnectorField(t, "The connector checked."),
    }),
  });

builder.mutationFields((t) => ({
  checkConnector: t.field({
    type: CheckConnectorPayload,
    authScopes: CONNECTOR_WRITERS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Runs the plugin's check with the stored configuration: one cheap call to the provider, to learn whether the credentials work. Changes nothing.",
    args: { id: t.arg.globalID({ required: true, description: "The connector's global ID." }) },
    resolve: async (_parent, args, context) => {
      const id = expectGlobalId(args.id, "Connector", ["id"]);
      return { connectorId: id, ...(await runConnectorCheck(context, id)) };
    },
  }),
}));
