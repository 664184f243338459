// Connectors for integrators and admins (analysts read): the plugins this hub can run, with their
// configuration as JSON Schema for a form; the installed connectors with their status, public
// configuration (never a secret's value), last run, runs and dead letters.
import { storedSecretFields } from "../../connectors/connector-store.ts";
import { listStreamCheckpoints } from "../../connectors/sync/stream-checkpoints.ts";
import { ValidationError } from "../../domain/errors.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import { ConnectorStatus } from "../../generated/prisma/enums.ts";
import type { AnyConnector } from "../../sdk/define-connector.ts";
import { configJsonSchema, secretPaths } from "../../sdk/secrets.ts";
import { builder, pagedConnection } from "../builder.ts";
import { expectGlobalId } from "../global-ids.ts";
import { DeadLetterStatusEnum, deadLetterWhere, NEWEST_LETTER_FIRST } from "./connectors-dead-letters.ts";
import { NEWEST_RUN_FIRST, SyncRunNode, SyncRunStatusEnum, syncRunWhere } from "./connectors-runs.ts";
import { CONNECTOR_READERS } from "./connectors-scopes.ts";
import { ConnectorStreamCheckpointRef } from "./connectors-streams.ts";
import { ChannelEnum } from "./interaction.ts";

export const ConnectorStatusEnum = builder.enumType(ConnectorStatus, {
  name: "ConnectorStatus",
  description: "Whether an installed connector syncs.",
  values: {
    ACTIVE: { description: "Syncs on its interval and on demand." },
    PAUSED: { description: "Does not sync (webhooks are still received): resume it to sync again." },
    FAILING: {
      description:
        "Its last run failed in a way that needs a person (refused credentials, a configuration the plugin no longer accepts): the scheduler skips it until it is reconfigured or resumed.",
    },
  },
});

const ConnectorStream = builder
  .objectRef<{ name: string; description?: string | undefined }>("ConnectorStream")
  .implement({
    description: "One kind of data a plugin reads from its provider, with its own checkpoint.",
    fields: (t) => ({
      name: t.exposeString("name", { description: 'The stream\'s name ("tickets", "orders").' }),
      description: t.string({
        nullable: true,
        description: "What it reads.",
        resolve: (stream) => stream.description ?? null,
      }),
    }),
  });

export const ConnectorPluginRef = builder.objectRef<AnyConnector>("ConnectorPlugin").implement({
  description: "A connector plugin loaded in this hub: what can be installed, and how to configure it.",
  authScopes: CONNECTOR_READERS,
  fields: (t) => ({
    id: t.exposeString("id", { description: 'The plugin\'s id, given to installConnector ("shopify").' }),
    name: t.exposeString("name", { description: "What people read." }),
    channel: t.field({
      type: ChannelEnum,
      description: "The channel its records belong to.",
      resolve: (plugin) => plugin.channel.toUpperCase() as "EMAIL",
    }),
    version: t.exposeString("version", { description: "The plugin's own version (semver)." }),
    description: t.string({
      nullable: true,
      description: "What it connects.",
      resolve: (plugin) => plugin.description ?? null,
    }),
    documentationUrl: t.string({
      nullable: true,
      description: "The provider's API documentation the plugin follows.",
      resolve: (plugin) => plugin.documentationUrl ?? null,
    }),
    configSchema: t.field({
      type: "JSONObject",
      description:
        "The configuration as JSON Schema (draft 2020-12), to render a form: descriptions, defaults, and `writeOnly: true` on secret fields, which are stored encrypted and never shown again.",
      resolve: (plugin) => configJsonSchema(plugin),
    }),
    secretFields: t.stringList({
      description: 'The secret fields of the configuration, as dotted paths ("apiToken", "auth.token").',
      resolve: (plugin) => secretPaths(plugin.config).map((path) => path.join(".")),
    }),
    streams: t.field({
      type: [ConnectorStream],
      description: "What it reads on each sync.",
      resolve: (plugin) =>
        Object.entries(plugin.streams).map(([name, stream]) => ({
          name,
          description: (stream as { description?: string }).description,
        })),
    }),
    webhooks: t.boolean({
      description: "Whether it also receives the provider's webhooks (at the connector's webhookPath).",
      resolve: (plugin) => Boolean(plugin.webhooks),
    }),
  }),
});

export const ConnectorNode = builder.prismaNode("Connector", {
  description:
    "An installed connector: a plugin under a unique name, with its configuration and schedule. Its name is the source of the records it syncs.",
  id: { field: "id", description: "The connector's global ID." },
  authScopes: CONNECTOR_READERS,
  fields: (t) => ({
    name: t.exposeString("name", {
      description: "Unique; the source of its records and the last part of its webhook path.",
    }),
    pluginId: t.exposeString("pluginId", { description: "The id of the plugin it runs." }),
    plugin: t.field({
      type: ConnectorPluginRef,
      nullable: true,
      description: "The plugin it runs; null when that plugin is not loaded in this hub.",
      resolve: (connector, _args, context) => context.connectors.registry.get(connector.pluginId) ?? null,
    }),
    status: t.expose("status", { type: ConnectorStatusEnum, description: "Whether it syncs." }),
    config: t.expose("config", {
      type: "JSONObject",
      description:
        "Its configuration without the secret fields, which are write-only (see setSecrets for which are set).",
    }),
    setSecrets: t.stringList({
      nullable: true,
      description:
        "The secret fields that hold a value, as dotted paths; their values are never shown. Null when this hub's key cannot open them (no CXHUB_SECRET_KEY, or another key).",
      select: { encryptedSecrets: true, pluginId: true, name: true },
      resolve: (connector, _args, context) => {
        const secrets = storedSecretFields(
          { plugins: context.connectors.registry, secretKey: context.connectors.secretKey },
          connector,
        );
        return "set" in secrets ? secrets.set : null;
      },
    }),
    syncIntervalSeconds: t.exposeInt("syncIntervalSeconds", {
      nullable: true,
      description: "Seconds between scheduled syncs; null for manual syncs only.",
    }),
    webhookPath: t.string({
      nullable: true,
      description:
        "Where the provider posts its webhooks, on this hub's address (/webhooks/<name>); null when the plugin takes none.",
      resolve: (connector, _args, context) =>
        context.connectors.registry.get(connector.pluginId)?.webhooks ? `/webhooks/${connector.name}` : null,
    }),
    streams: t.field({
      type: [ConnectorStreamCheckpointRef],
      description:
        "Its streams with their checkpoints, in the plugin's order (then any stored checkpoint of a stream the plugin no longer has). resetConnectorStream forgets one.",
      resolve: (connector, _args, context) =>
        listStreamCheckpoints(context.prisma, context.connectors.registry, connector),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was installed." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When it was last changed." }),
    lastRun: t.field({
      type: SyncRunNode,
      nullable: true,
      description: "Its newest sync run (queued, running or ended); null before the first.",
      select: (_args, _context, nestedSelection) => ({
        runs: nestedSelection({ take: 1, orderBy: NEWEST_RUN_FIRST }),
      }),
      resolve: (connector) => connector.runs[0] ?? null,
    }),
    syncRuns: t.relatedConnection("runs", {
      description: "Its sync runs, newest first.",
      cursor: "id",
      totalCount: true,
      ...pagedConnection,
      args: { status: t.arg({ type: [SyncRunStatusEnum], description: "Only runs in these states." }) },
      query: (args) => ({ where: syncRunWhere({ status: args.status }), orderBy: NEWEST_RUN_FIRST }),
    }),
    deadLetters: t.relatedConnection("deadLetters", {
      description: "The records it refused, newest first.",
      cursor: "id",
      totalCount: true,
      ...pagedConnection,
      args: {
        status: t.arg({
          type: [DeadLetterStatusEnum],
          description: "Only letters in these states (PENDING: the ones waiting for a fix).",
        }),
      },
      query: (args) => ({ where: deadLetterWhere({ status: args.status }), orderBy: NEWEST_LETTER_FIRST }),
    }),
  }),
});

builder.queryFields((t) => ({
  connectorPlugins: t.field({
    type: [ConnectorPluginRef],
    authScopes: CONNECTOR_READERS,
    description: "The connector plugins loaded in this hub, by id: what installConnector can install.",
    resolve: (_parent, _args, context) => [...context.connectors.plugins],
  }),
  connectors: t.prismaConnection(
    {
      type: "Connector",
      cursor: "id",
      ...pagedConnection,
      authScopes: CONNECTOR_READERS,
      description: "The installed connectors, by name.",
      args: {
        status: t.arg({ type: [ConnectorStatusEnum], description: "Only connectors in these states." }),
        pluginId: t.arg.string({ description: "Only connectors of this plugin." }),
      },
      totalCount: (_parent, args, context) => context.prisma.connector.count({ where: connectorWhere(args) }),
      resolve: (query, _parent, args, context) =>
        context.prisma.connector.findMany({
          ...query,
          where: connectorWhere(args),
          orderBy: [{ name: "asc" }],
        }),
    },
    { name: "ConnectorConnection" },
    { name: "ConnectorEdge" },
  ),
  connector: t.prismaField({
    type: "Connector",
    nullable: true,
    authScopes: CONNECTOR_READERS,
    description: "One connector, by global ID or by name (give exactly one); null when there is none.",
    args: {
      id: t.arg.globalID({ description: "The connector's global ID." }),
      name: t.arg.string({ description: 'The connector\'s name ("shopify-eu").' }),
    },
    resolve: (query, _parent, args, context) => {
      if ((args.id == null) === (args.name == null)) {
        throw new ValidationError("Give exactly one of id or name to find a connector.", [
          { path: ["id"], message: "give either id or name" },
        ]);
      }
      const where = args.id
        ? { id: expectGlobalId(args.id, "Connector", ["id"]) }
        : { name: args.name as string };
      return context.prisma.connector.findUnique({ ...query, where });
    },
  }),
}));

function connectorWhere(args: {
  status?: ConnectorStatus[] | null;
  pluginId?: string | null;
}): Prisma.ConnectorWhereInput {
  return {
    ...(args.status?.length ? { status: { in: args.status } } : {}),
    ...(args.pluginId ? { pluginId: args.pluginId } : {}),
  };
}
