// Outgoing webhooks over GraphQL, through the typed operations in schema/operations/webhooks.graphql:
// admins create endpoints (the secret shown once), change, rotate, disable and delete them, read the
// delivery log and replay a delivery; nobody else may touch them; bad input is a typed error that
// says what to fix.
import { afterEach, beforeEach, describe, expect } from "vitest";
import { createConnectorServices } from "../../src/connectors/connector-services.ts";
import type { Database } from "../../src/db/database.ts";
import { deliverDueWebhooks } from "../../src/webhooks/deliver-webhooks.ts";
import { openEndpointSecrets } from "../../src/webhooks/endpoint-secrets.ts";
import { customers, intoHigh } from "../alerts/helpers/score-changes.ts";
import {
  CreateWebhookEndpointDocument,
  type CreateWebhookEndpointInput,
  DeleteWebhookEndpointDocument,
  ReplayWebhookDeliveryDocument,
  RotateWebhookEndpointSecretDocument,
  UpdateWebhookEndpointDocument,
  WebhookDeliveriesDocument,
  WebhookEndpointsDocument,
} from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient, type TestClientOptions } from "../helpers/graphql.ts";
import { one, T0, webhookHub } from "../webhooks/helpers/webhook-hub.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../webhooks/helpers/webhook-receiver.ts";

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await receiver.close();
});

/** A client of a hub with the test hub's clock, key and settings. */
function clientOf(db: Database, hub: ReturnType<typeof webhookHub>, options: TestClientOptions = {}) {
  return createTestClient(db, {
    clock: hub.clock,
    connectors: createConnectorServices({ secretKey: hub.secretKey }),
    webhooks: hub.settings,
    ...options,
  });
}

describe("managing webhook endpoints over GraphQL", () => {
  test("an admin creates an endpoint and gets its secret once; it is stored encrypted", async ({ db }) => {
    const hub = webhookHub(db);
    const admin = await clientOf(db, hub);

    const created = await admin.execute(CreateWebhookEndpointDocument, {
      input: { url: receiver.url, eventTypes: ["ALERT_RAISED", "SYNC_FAILED"], description: "CS team" },
    });
    const payload = created.data?.createWebhookEndpoint;
    if (payload?.__typename !== "WebhookEndpointSecretPayload") throw new Error(JSON.stringify(created));
    expect(payload.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(payload.endpoint).toMatchObject({
      url: receiver.url,
      eventTypes: ["ALERT_RAISED", "SYNC_FAILED"],
      description: "CS team",
      format: "STANDARD",
      includePersonalData: false,
      enabled: true,
      previousSecretExpiresAt: null,
      createdAt: T0.toISOString(),
    });

    const row = await db.prisma.webhookEndpoint.findFirstOrThrow();
    expect(row.encryptedSecrets).not.toContain(payload.secret.slice(6));
    expect(openEndpointSecrets(hub.secretKey, row.id, row.encryptedSecrets)).toEqual({
      current: payload.secret,
    });
    const listed = await admin.execute(WebhookEndpointsDocument, { first: 10 });
    expect(listed.data?.webhookEndpoints.totalCount).toBe(1);
    expect(listed.data?.webhookEndpoints.edges[0]?.node.id).toBe(payload.endpoint.id);
  });

  test("bad input is a ValidationError at the field to fix; personal data needs the pii scope", async ({
    db,
  }) => {
    const hub = webhookHub(db, { allowPrivateUrls: false });
    const admin = await clientOf(db, hub);
    const create = (input: CreateWebhookEndpointInput) =>
      admin.execute(CreateWebhookEndpointDocument, { input });

    expect(
      (await create({ url: "ftp://hooks.example.com", eventTypes: ["ALERT_RAISED"] })).data,
    ).toMatchObject({
      createWebhookEndpoint: {
        __typename: "ValidationError",
        message: expect.stringContaining("only http and https"),
        issues: [{ path: ["input", "url"] }],
      },
    });
    expect((await create({ url: "https://hooks.example.com", eventTypes: [] })).data).toMatchObject({
      createWebhookEndpoint: {
        __typename: "ValidationError",
        issues: [{ path: ["input", "eventTypes"], message: "subscribe to at least one event type" }],
      },
    });
    expect((await create({ url: receiver.url, eventTypes: ["ALERT_RAISED"] })).data).toMatchObject({
      createWebhookEndpoint: {
        __typename: "ValidationError",
        message: expect.stringContaining("CXHUB_WEBHOOK_ALLOW_PRIVATE_URLS=true"),
      },
    });

    const withoutPii = await clientOf(db, webhookHub(db), { scopes: [] });
    const refused = await withoutPii.execute(CreateWebhookEndpointDocument, {
      input: { url: receiver.url, eventTypes: ["ALERT_RAISED"], includePersonalData: true },
    });
    expect(refused.data?.createWebhookEndpoint).toMatchObject({
      __typename: "ForbiddenError",
      message: expect.stringContaining("pii scope"),
    });
    expect(await db.prisma.webhookEndpoint.count()).toBe(0);
  });

  test("without a secret key the hub refuses to create endpoints, saying how to give it one", async ({
    db,
  }) => {
    const hub = webhookHub(db);
    const admin = await clientOf(db, hub, { connectors: createConnectorServices() });
    const result = await admin.execute(CreateWebhookEndpointDocument, {
      input: { url: receiver.url, eventTypes: ["ALERT_RAISED"] },
    });
    expect(result.data?.createWebhookEndpoint).toMatchObject({
      __typename: "ConflictError",
      message: expect.stringContaining("CXHUB_SECRET_KEY"),
    });
  });

  test.for(["ANALYST", "INTEGRATOR", "ACCOUNT_MANAGER"] as const)(
    "a key with role %s can neither manage nor list endpoints",
    async (role, { db }) => {
      const hub = webhookHub(db);
      const { endpoint } = await hub.endpoint({ url: receiver.url });
      const other = await clientOf(db, hub, { role });
      const endpointId = (await (await clientOf(db, hub)).execute(WebhookEndpointsDocument)).data
        ?.webhookEndpoints.edges[0]?.node.id;
      if (!endpointId) throw new Error("The endpoint is listed for an admin.");

      for (const result of [
        await other.execute(CreateWebhookEndpointDocument, {
          input: { url: receiver.url, eventTypes: ["ALERT_RAISED"] },
        }),
        await other.execute(RotateWebhookEndpointSecretDocument, { id: endpointId }),
        await other.execute(DeleteWebhookEndpointDocument, { id: endpointId }),
        await other.execute(WebhookEndpointsDocument),
        await other.execute(WebhookDeliveriesDocument),
      ])
        expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(await db.prisma.webhookEndpoint.findUnique({ where: { id: endpoint.id } })).not.toBeNull();
      expect(await db.prisma.webhookEndpoint.count()).toBe(1);
    },
  );

  test("an admin rotates the secret (the old one signs until the grace ends), disables, changes and deletes", async ({
    db,
  }) => {
    const hub = webhookHub(db, { rotationGraceSeconds: 7200 });
    const admin = await clientOf(db, hub);
    const created = await admin.execute(CreateWebhookEndpointDocument, {
      input: { url: receiver.url, eventTypes: ["ALERT_RAISED"] },
    });
    if (created.data?.createWebhookEndpoint.__typename !== "WebhookEndpointSecretPayload")
      throw new Error("created");
    const { secret, endpoint } = created.data.createWebhookEndpoint;

    hub.advance(60);
    const rotated = (await admin.execute(RotateWebhookEndpointSecretDocument, { id: endpoint.id })).data
      ?.rotateWebhookEndpointSecret;
    if (rotated?.__typename !== "WebhookEndpointSecretPayload") throw new Error(JSON.stringify(rotated));
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.endpoint).toMatchObject({
      secretRotatedAt: new Date(T0.getTime() + 60_000).toISOString(),
      previousSecretExpiresAt: new Date(T0.getTime() + 60_000 + 7_200_000).toISOString(),
    });

    const updated = await admin.execute(UpdateWebhookEndpointDocument, {
      input: {
        id: endpoint.id,
        enabled: false,
        eventTypes: ["ALERT_RESOLVED"],
        format: "SLACK",
        description: null,
      },
    });
    expect(updated.data?.updateWebhookEndpoint).toMatchObject({
      __typename: "WebhookEndpointPayload",
      endpoint: { enabled: false, eventTypes: ["ALERT_RESOLVED"], format: "SLACK", description: null },
    });

    const deleted = await admin.execute(DeleteWebhookEndpointDocument, { id: endpoint.id });
    expect(deleted.data?.deleteWebhookEndpoint).toEqual({
      __typename: "DeleteWebhookEndpointPayload",
      deletedEndpointId: endpoint.id,
    });
    expect((await admin.execute(WebhookEndpointsDocument)).data?.webhookEndpoints.totalCount).toBe(0);
    expect((await admin.execute(DeleteWebhookEndpointDocument, { id: endpoint.id })).data).toMatchObject({
      deleteWebhookEndpoint: { __typename: "NotFoundError" },
    });
  });

  test("the delivery log lists the dead letters with their attempts, and a replay delivers them", async ({
    db,
  }) => {
    const hub = webhookHub(db, { retryDelaysSeconds: [] });
    const admin = await clientOf(db, hub);
    await hub.endpoint({ url: receiver.url });
    await hub.raise([intoHigh(one(await customers(db, 1)))]);
    receiver.answers.push({ status: 500, body: "down for maintenance" });
    await deliverDueWebhooks(hub.deps);

    const log = await admin.execute(WebhookDeliveriesDocument, { status: ["DEAD"] });
    const dead = log.data?.webhookDeliveries.edges[0]?.node;
    expect(log.data?.webhookDeliveries.totalCount).toBe(1);
    expect(dead).toMatchObject({
      status: "DEAD",
      attemptCount: 1,
      lastStatusCode: 500,
      lastError: "The endpoint answered 500.",
      deadLetteredAt: T0.toISOString(),
      event: {
        type: "ALERT_RAISED",
        payloadType: "alert.raised",
        webhookId: expect.stringMatching(/^msg_[0-9a-f]{32}$/),
      },
      attempts: [
        { number: 1, attemptedAt: T0.toISOString(), statusCode: 500, responseBody: "down for maintenance" },
      ],
    });
    if (!dead) throw new Error("A dead delivery is listed.");

    hub.advance(120);
    const replayed = (await admin.execute(ReplayWebhookDeliveryDocument, { id: dead.id })).data
      ?.replayWebhookDelivery;
    if (replayed?.__typename !== "WebhookDeliveryPayload") throw new Error(JSON.stringify(replayed));
    expect(replayed.delivery).toMatchObject({
      status: "PENDING",
      attemptCount: 0,
      replayOf: { id: dead.id },
    });
    expect(
      (await admin.execute(ReplayWebhookDeliveryDocument, { id: replayed.delivery.id })).data,
    ).toMatchObject({
      replayWebhookDelivery: {
        __typename: "ConflictError",
        message: expect.stringContaining("still on its way"),
      },
    });

    await deliverDueWebhooks(hub.deps);
    const after = await admin.execute(WebhookDeliveriesDocument, { status: ["SUCCEEDED"] });
    expect(after.data?.webhookDeliveries.edges.map((edge) => edge.node)).toEqual([
      expect.objectContaining({
        id: replayed.delivery.id,
        attempts: [
          expect.objectContaining({
            statusCode: 200,
            attemptedAt: new Date(T0.getTime() + 120_000).toISOString(),
          }),
        ],
        event: expect.objectContaining({ webhookId: dead.event.webhookId }),
      }),
    ]);
  });
});
