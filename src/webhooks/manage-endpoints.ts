// Webhook endpoints as admins manage them: create one (its secret returned this once), change its URL,
// event types, format or description, disable or enable it, rotate its secret (the new one returned
// once, the old one signing beside it for the grace period), delete it with its delivery log. Every
// rule an input can break is a ValidationError with a path; the GraphQL layer only maps arguments.
import { z } from "zod";
import type { Viewer } from "../auth/api-keys.ts";
import { canReadPersonalData } from "../auth/personal-data.ts";
import type { Db } from "../db/database.ts";
import { uuidv7 } from "../db/uuid-v7.ts";
import { ForbiddenError, NotFoundError, parseInput } from "../domain/errors.ts";
import type { WebhookEndpoint } from "../generated/prisma/client.ts";
import { WebhookEventType, WebhookFormat } from "../generated/prisma/enums.ts";
import type { WebhookSettings } from "../policy/webhook-settings.ts";
import { openEndpointSecrets, requireSecretKey, sealEndpointSecrets } from "./endpoint-secrets.ts";
import { assertDeliverableUrl, parseEndpointUrl } from "./endpoint-urls.ts";
import { generateWebhookSecret } from "./webhook-signatures.ts";

export interface EndpointDeps {
  db: Db;
  /** The hub's secret key (CXHUB_SECRET_KEY or the embedded key file); null: secrets cannot be kept. */
  secretKey: Uint8Array | null;
  settings: Pick<WebhookSettings, "allowPrivateUrls" | "rotationGraceSeconds">;
  now: Date;
}

const eventTypes = z
  .array(z.enum(WebhookEventType))
  .min(1, "subscribe to at least one event type")
  .transform((types) => [...new Set(types)]);

const description = z.string().trim().max(500, "a description is at most 500 characters").nullable();

export const createEndpointInput = z.object({
  url: z.string(),
  eventTypes,
  description: description.optional(),
  format: z.enum(WebhookFormat).default("STANDARD"),
  includePersonalData: z.boolean().default(false),
});

export const updateEndpointInput = z.object({
  url: z.string().optional(),
  eventTypes: eventTypes.optional(),
  description: description.optional(),
  format: z.enum(WebhookFormat).optional(),
  includePersonalData: z.boolean().optional(),
  enabled: z.boolean().optional(),
});

export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  /** The whole signing secret (whsec_…), shown this once. */
  secret: string;
}

/** Creates an endpoint with a new secret; the secret is returned here and never again. */
export async function createWebhookEndpoint(
  deps: EndpointDeps,
  input: z.input<typeof createEndpointInput>,
  viewer: Viewer,
): Promise<EndpointWithSecret> {
  const parsed = parseInput(createEndpointInput, input, "The endpoint");
  const url = await checkedUrl(deps, parsed.url);
  assertMayIncludePersonalData(viewer, parsed.includePersonalData);
  const key = requireSecretKey(deps.secretKey);
  const id = uuidv7();
  const secret = generateWebhookSecret();
  const endpoint = await deps.db.webhookEndpoint.create({
    data: {
      id,
      url,
      eventTypes: parsed.eventTypes,
      description: parsed.description ?? null,
      format: parsed.format,
      includePersonalData: parsed.includePersonalData,
      encryptedSecrets: sealEndpointSecrets(key, id, { current: secret }),
      createdById: viewer.principalId,
      createdAt: deps.now,
      updatedAt: deps.now,
    },
  });
  return { endpoint, secret };
}

/** Changes what is given; enabling clears the reason the hub disabled it for. */
export async function updateWebhookEndpoint(
  deps: EndpointDeps,
  id: string,
  input: z.input<typeof updateEndpointInput>,
  viewer: Viewer,
): Promise<WebhookEndpoint> {
  const parsed = parseInput(updateEndpointInput, input, "The change");
  await findEndpoint(deps.db, id);
  const url = parsed.url === undefined ? undefined : await checkedUrl(deps, parsed.url);
  if (parsed.includePersonalData) assertMayIncludePersonalData(viewer, true);
  return deps.db.webhookEndpoint.update({
    where: { id },
    data: {
      ...(url !== undefined && { url }),
      ...(parsed.eventTypes && { eventTypes: parsed.eventTypes }),
      ...(parsed.description !== undefined && { description: parsed.description }),
      ...(parsed.format && { format: parsed.format }),
      ...(parsed.includePersonalData !== undefined && { includePersonalData: parsed.includePersonalData }),
      ...(parsed.enabled !== undefined && { enabled: parsed.enabled, disabledReason: null }),
      updatedAt: deps.now,
    },
  });
}

/**
 * A new secret for the endpoint, returned once. The one it replaces keeps signing beside it (two
 * signatures in webhook-signature) for the grace period, so the receiver can switch without a gap.
 */
export async function rotateWebhookSecret(deps: EndpointDeps, id: string): Promise<EndpointWithSecret> {
  const key = requireSecretKey(deps.secretKey);
  const endpoint = await findEndpoint(deps.db, id);
  const { current } = openEndpointSecrets(key, id, endpoint.encryptedSecrets);
  const secret = generateWebhookSecret();
  const grace = deps.settings.rotationGraceSeconds;
  const updated = await deps.db.webhookEndpoint.update({
    where: { id },
    data: {
      encryptedSecrets: sealEndpointSecrets(key, id, {
        current: secret,
        ...(grace > 0 && { previous: current }),
      }),
      previousSecretExpiresAt: grace > 0 ? new Date(deps.now.getTime() + grace * 1000) : null,
      secretRotatedAt: deps.now,
      updatedAt: deps.now,
    },
  });
  return { endpoint: updated, secret };
}

/** Deletes the endpoint, its deliveries and their attempts. */
export async function deleteWebhookEndpoint(db: Db, id: string): Promise<WebhookEndpoint> {
  const endpoint = await findEndpoint(db, id);
  await db.webhookEndpoint.delete({ where: { id } });
  return endpoint;
}

export async function findEndpoint(db: Db, id: string): Promise<WebhookEndpoint> {
  const endpoint = await db.webhookEndpoint.findUnique({ where: { id } });
  if (!endpoint) throw new NotFoundError(`No webhook endpoint has the id ${id}.`, "WebhookEndpoint", id);
  return endpoint;
}

async function checkedUrl(deps: EndpointDeps, text: string): Promise<string> {
  const url = parseEndpointUrl(text);
  await assertDeliverableUrl(url, { allowPrivate: deps.settings.allowPrivateUrls });
  return url.toString();
}

/** Unmasked personal data leaves the hub only on the word of someone who may read it. */
function assertMayIncludePersonalData(viewer: Viewer, include: boolean): void {
  if (!include || canReadPersonalData(viewer)) return;
  throw new ForbiddenError(
    "Sending personal data unmasked (includePersonalData) needs an admin key with the pii scope: leave it false to send masked payloads.",
  );
}
