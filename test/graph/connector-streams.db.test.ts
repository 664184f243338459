// A connector's checkpoints over GraphQL: each stream's stored cursor is visible, a reset forgets it so
// that the next sync reads from the start, a checkpoint a plugin can no longer read fails the run
// naming the connector and the cursor's field, and only admins and integrators may reset.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import { connectorHub } from "../connectors/helpers/graph-hub.ts";
import { installTemplate } from "../connectors/helpers/hub.ts";
import { makeTickets, type TinyDeskApi, tinyDeskTickets } from "../connectors/helpers/tiny-desk-api.ts";
import { ConnectorStreamsDocument, ResetConnectorStreamDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");

describe("stream checkpoints", () => {
  test("shows each stream's checkpoint; a reset makes the next sync read from the start", async ({ db }) => {
    const api: TinyDeskApi = { tickets: makeTickets(6), requests: [] };
    server.use(tinyDeskTickets(api, { pageSize: 3 }));
    const hub = connectorHub(db);
    const admin = await hub.client();
    const connector = await installTemplate(db.prisma);

    const before = await admin(ConnectorStreamsDocument, { name: "tinydesk" });
    expect(before.data?.connector?.streams).toEqual([{ name: "tickets", checkpoint: null, updatedAt: null }]);

    await hub.engine.run({ id: connector.id });
    const last = api.tickets[5]?.updated_at;
    const synced = await admin(ConnectorStreamsDocument, { name: "tinydesk" });
    expect(synced.data?.connector?.streams).toEqual([
      { name: "tickets", checkpoint: { updatedSince: last }, updatedAt: expect.any(String) },
    ]);

    // An incremental run starts from the checkpoint.
    api.requests.length = 0;
    await hub.engine.run({ id: connector.id });
    expect(api.requests[0]).toEqual({ updatedSince: last, page: 0 });

    const reset = await admin(ResetConnectorStreamDocument, {
      input: { connectorId: gid("Connector", connector.id), stream: "tickets" },
    });
    if (reset.data?.resetConnectorStream.__typename !== "ResetConnectorStreamPayload")
      throw new Error(JSON.stringify(reset));
    expect(reset.data.resetConnectorStream.previousCheckpoint).toEqual({ updatedSince: last });
    expect(reset.data.resetConnectorStream.connector.streams).toEqual([
      { name: "tickets", checkpoint: null, updatedAt: null },
    ]);

    api.requests.length = 0;
    const run = await hub.engine.run({ id: connector.id });
    expect(api.requests[0]).toEqual({ updatedSince: null, page: 0 });
    // Every ticket read again: nothing new, nothing lost.
    expect(run).toMatchObject({ status: "SUCCEEDED", recordsCreated: 0, recordsDeadLettered: 0 });
    expect(run.recordsFetched).toBeGreaterThanOrEqual(6);
  });

  test("a stored checkpoint the plugin cannot read fails the run naming the connector and the field; a reset heals it", async ({
    db,
  }) => {
    const api: TinyDeskApi = { tickets: makeTickets(3), requests: [] };
    server.use(tinyDeskTickets(api));
    const hub = connectorHub(db);
    const integrator = await hub.client("INTEGRATOR", []);
    const connector = await installTemplate(db.prisma, "desk-eu");
    await db.prisma.syncCursor.create({
      data: { connectorId: connector.id, stream: "tickets", cursor: { updatedSince: 42 } },
    });

    const failed = await hub.engine.run({ id: connector.id });
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toContain('stream "tickets" of connector "desk-eu"');
    expect(failed.error).toContain("at updatedSince");
    expect(failed.error).toContain("npm run connectors -- reset desk-eu tickets");
    expect(failed.error).not.toContain('plugin "template"');

    const reset = await integrator(ResetConnectorStreamDocument, {
      input: { connectorId: gid("Connector", connector.id), stream: "tickets" },
    });
    expect(reset.data?.resetConnectorStream.__typename).toBe("ResetConnectorStreamPayload");
    const healed = await hub.engine.run({ id: connector.id });
    expect(healed).toMatchObject({ status: "SUCCEEDED", recordsDeadLettered: 0 });
    expect(healed.recordsCreated).toBeGreaterThan(0);
  });

  test("names the streams when asked for one the connector lacks, and refuses analysts", async ({ db }) => {
    const hub = connectorHub(db);
    const admin = await hub.client();
    const analyst = await hub.client("ANALYST", []);
    const connector = await installTemplate(db.prisma);
    const input = { connectorId: gid("Connector", connector.id), stream: "orders" };

    const unknown = await admin(ResetConnectorStreamDocument, { input });
    if (unknown.data?.resetConnectorStream.__typename !== "ValidationError")
      throw new Error(JSON.stringify(unknown));
    expect(unknown.data.resetConnectorStream.message).toContain('its streams are "tickets"');
    expect(unknown.data.resetConnectorStream.issues.map((issue) => issue.path)).toEqual([
      ["input", "stream"],
    ]);

    const refused = await analyst(ResetConnectorStreamDocument, {
      input: { ...input, stream: "tickets" },
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await db.prisma.syncCursor.count()).toBe(0);
  });

  test("refuses a reset while a run is active: it would store its checkpoint over the reset", async ({
    db,
  }) => {
    const hub = connectorHub(db);
    const admin = await hub.client();
    const connector = await installTemplate(db.prisma);
    const run = await db.prisma.syncRun.create({
      data: { connectorId: connector.id, trigger: "MANUAL", status: "RUNNING" },
    });

    const refused = await admin(ResetConnectorStreamDocument, {
      input: { connectorId: gid("Connector", connector.id), stream: "tickets" },
    });
    if (refused.data?.resetConnectorStream.__typename !== "ConflictError")
      throw new Error(JSON.stringify(refused));
    expect(refused.data.resetConnectorStream.message).toContain(run.id);
  });
});
