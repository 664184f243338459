// Managing outgoing webhooks over GraphQL, for admins: create, change, rotate the secret of and
// delete endpoints, and replay a delivery. Each returns its payload or a typed error (user-errors.ts);
// the rules are src/webhooks/manage-endpoints.ts and src/webhooks/deliver-webhooks.ts.
import { encodeGlobalID } from "@pothos/plugin-relay";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  type EndpointDeps,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "../../webhooks/manage-endpoints.ts";
import { replayWebhookDelivery } from "../../webhooks/replay-delivery.ts";
import { builder } from "../builder.ts";
import { atInput, openingSecrets } from "../connector-calls.ts";
import type { GraphContext } from "../context.ts";
import { expectGlobalId } from "../global-ids.ts";
import { MUTATION_ERRORS } from "./user-errors.ts";
import { WEBHOOK_ADMINS, WebhookEventTypeEnum, WebhookFormatEnum } from "./webhooks.ts";

const CreateWebhookEndpointInput = builder.inputType("CreateWebhookEndpointInput", {
  description: "Where to post events, and which.",
  fields: (t) => ({
    url: t.string({
      required: true,
      description:
        "An http or https URL. Loopback, private and link-local addresses are refused unless the hub runs with CXHUB_WEBHOOK_ALLOW_PRIVATE_URLS=true.",
    }),
    eventTypes: t.field({
      type: [WebhookEventTypeEnum],
      required: true,
      description: "The event types to receive (at least one).",
    }),
    description: t.string({ description: "What the endpoint is for (at most 500 characters)." }),
    format: t.field({ type: WebhookFormatEnum, description: "The body to receive; STANDARD when omitted." }),
    includePersonalData: t.boolean({
      description:
        "Send personal data (names, notes) unmasked; needs an admin key with the pii scope. False when omitted.",
    }),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType("UpdateWebhookEndpointInput", {
  description: "What to change on an endpoint; what is omitted stays.",
  fields: (t) => ({
    id: t.globalID({ required: true, description: "The endpoint's global ID." }),
    url: t.string({ description: "A new URL (the same rules as at creation)." }),
    eventTypes: t.field({
      type: [WebhookEventTypeEnum],
      description: "The event types to receive from now on.",
    }),
    description: t.string({ description: "A new description; null clears it." }),
    format: t.field({ type: WebhookFormatEnum, description: "A new body format." }),
    includePersonalData: t.boolean({
      description: "Send personal data unmasked (needs the pii scope to turn on).",
    }),
    enabled: t.boolean({
      description:
        "False stops deliveries (pending ones wait); true resumes them and clears the reason the hub disabled it for.",
    }),
  }),
});

const WebhookEndpointPayload = builder.objectRef<{ endpointId: string }>("WebhookEndpointPayload").implement({
  description: "The endpoint as it is now.",
  fields: (t) => ({
    endpoint: t.prismaField({
      type: "WebhookEndpoint",
      description: "The endpoint.",
      resolve: (query, payload, _args, context) =>
        context.prisma.webhookEndpoint.findUniqueOrThrow({ ...query, where: { id: payload.endpointId } }),
    }),
  }),
});

const WebhookEndpointSecretPayload = builder
  .objectRef<{ endpointId: string; secret: string }>("WebhookEndpointSecretPayload")
  .implement({
    description: "The endpoint and its signing secret, shown this once: give it to the receiver now.",
    fields: (t) => ({
      secret: t.exposeString("secret", {
        description:
          "The signing secret (whsec_ and base64), for the receiver to verify webhook-signature with. It is stored encrypted and never shown again.",
      }),
      endpoint: t.prismaField({
        type: "WebhookEndpoint",
        description: "The endpoint.",
        resolve: (query, payload, _args, context) =>
          context.prisma.webhookEndpoint.findUniqueOrThrow({ ...query, where: { id: payload.endpointId } }),
      }),
    }),
  });

const DeleteWebhookEndpointPayload = builder
  .objectRef<{ deletedId: string }>("DeleteWebhookEndpointPayload")
  .implement({
    description: "The endpoint deleted, with its deliveries.",
    fields: (t) => ({
      deletedEndpointId: t.id({
        description: "The global ID the endpoint had.",
        resolve: (payload) => encodeGlobalID("WebhookEndpoint", payload.deletedId),
      }),
    }),
  });

const WebhookDeliveryPayload = builder.objectRef<{ deliveryId: string }>("WebhookDeliveryPayload").implement({
  description: "A delivery as it is now.",
  fields: (t) => ({
    delivery: t.prismaField({
      type: "OutgoingWebhookDelivery",
      description: "The delivery.",
      resolve: (query, payload, _args, context) =>
        context.prisma.outgoingWebhookDelivery.findUniqueOrThrow({
          ...query,
          where: { id: payload.deliveryId },
        }),
    }),
  }),
});

function endpointDeps(context: GraphContext): EndpointDeps {
  return {
    db: context.prisma,
    secretKey: context.connectors.secretKey,
    settings: context.webhooks,
    now: context.clock(),
  };
}

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: WebhookEndpointSecretPayload,
    authScopes: WEBHOOK_ADMINS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Creates an endpoint and returns its signing secret once. Admins only. A ValidationError names a bad URL (not http or https, credentials in it, an internal address) or an empty eventTypes; a ForbiddenError says when includePersonalData needs the pii scope; a ConflictError says when the hub has no secret key (CXHUB_SECRET_KEY).",
    args: {
      input: t.arg({ type: CreateWebhookEndpointInput, required: true, description: "The endpoint." }),
    },
    resolve: async (_parent, { input }, context) => {
      const created = await atInput(() =>
        createWebhookEndpoint(
          endpointDeps(context),
          {
            url: input.url,
            eventTypes: input.eventTypes,
            description: input.description,
            format: input.format ?? undefined,
            includePersonalData: input.includePersonalData ?? undefined,
          },
          context.viewer,
        ),
      );
      return { endpointId: created.endpoint.id, secret: created.secret };
    },
  }),

  updateWebhookEndpoint: t.field({
    type: WebhookEndpointPayload,
    authScopes: WEBHOOK_ADMINS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Changes an endpoint's URL, event types, description, format or personal-data setting, or disables or enables it. Admins only.",
    args: {
      input: t.arg({ type: UpdateWebhookEndpointInput, required: true, description: "What to change." }),
    },
    resolve: async (_parent, { input }, context) => {
      const id = expectGlobalId(input.id, "WebhookEndpoint", ["input", "id"]);
      const endpoint = await atInput(() =>
        updateWebhookEndpoint(
          endpointDeps(context),
          id,
          {
            url: input.url ?? undefined,
            eventTypes: input.eventTypes ?? undefined,
            description: input.description,
            format: input.format ?? undefined,
            includePersonalData: input.includePersonalData ?? undefined,
            enabled: input.enabled ?? undefined,
          },
          context.viewer,
        ),
      );
      return { endpointId: endpoint.id };
    },
  }),

  rotateWebhookEndpointSecret: t.field({
    type: WebhookEndpointSecretPayload,
    authScopes: WEBHOOK_ADMINS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Gives an endpoint a new secret, returned once. The old one keeps signing beside it until previousSecretExpiresAt (CXHUB_WEBHOOK_ROTATION_GRACE_HOURS, 24 by default): every webhook carries both signatures meanwhile, so the receiver can switch to the new secret without missing one. Admins only.",
    args: { id: t.arg.globalID({ required: true, description: "The endpoint's global ID." }) },
    resolve: async (_parent, args, context) => {
      const id = expectGlobalId(args.id, "WebhookEndpoint", ["id"]);
      const rotated = await openingSecrets(context, () => rotateWebhookSecret(endpointDeps(context), id));
      return { endpointId: rotated.endpoint.id, secret: rotated.secret };
    },
  }),

  deleteWebhookEndpoint: t.field({
    type: DeleteWebhookEndpointPayload,
    authScopes: WEBHOOK_ADMINS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Deletes an endpoint with its deliveries and their attempts: nothing more is sent to it. Admins only. To pause deliveries instead, updateWebhookEndpoint with enabled: false.",
    args: { id: t.arg.globalID({ required: true, description: "The endpoint's global ID." }) },
    resolve: async (_parent, args, context) => {
      const id = expectGlobalId(args.id, "WebhookEndpoint", ["id"]);
      const deleted = await deleteWebhookEndpoint(context.prisma, id);
      return { deletedId: deleted.id };
    },
  }),

  replayWebhookDelivery: t.field({
    type: WebhookDeliveryPayload,
    authScopes: WEBHOOK_ADMINS,
    errors: { types: MUTATION_ERRORS },
    description:
      "Sends a delivery's event to its endpoint again, as a new delivery due at once (the same webhook-id, so the receiver can tell it is the same event), retried on the schedule like any other. For a dead-lettered delivery, or a succeeded one the receiver lost. Admins only. A ConflictError says when the delivery is still on its way or its endpoint is disabled.",
    args: { id: t.arg.globalID({ required: true, description: "The delivery's global ID." }) },
    resolve: async (_parent, args, context) => {
      const id = expectGlobalId(args.id, "WebhookDelivery", ["id"]);
      const replay = await replayWebhookDelivery(context.prisma, id, context.clock());
      return { deliveryId: replay.id };
    },
  }),
}));
