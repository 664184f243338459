// dryRunConnector over GraphQL: the records a sync would store and refuse, with their issues, and the
// checkpoints it would keep, read from the provider (msw) from the stored checkpoint or from the
// start; nothing written; payloads masked without the `pii` scope; analysts refused.
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import type { TinyDeskTicket } from "../../plugins/template/client.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { connectorHub } from "../connectors/helpers/graph-hub.ts";
import { installTemplate } from "../connectors/helpers/hub.ts";
import { API, makeTickets, type TinyDeskApi, tinyDeskTickets } from "../connectors/helpers/tiny-desk-api.ts";
import { DryRunConnectorDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");

/** Every table a sync writes to, counted. */
async function written(db: PrismaClient) {
  return {
    customers: await db.customer.count(),
    identities: await db.identity.count(),
    interactions: await db.interaction.count(),
    feedback: await db.feedback.count(),
    cursors: await db.syncCursor.count(),
    runs: await db.syncRun.count(),
    deadLetters: await db.deadLetter.count(),
  };
}

describe("dryRunConnector", () => {
  test("shows what a sync would store, refuse and checkpoint, and writes nothing", async ({ db }) => {
    const api: TinyDeskApi = { tickets: makeTickets(4), requests: [] };
    // Ticket 2 names its customer by a malformed email and no id: refused. Ticket 3's email is
    // malformed but its Tiny Desk id is good: kept without the email.
    (api.tickets[1] as TinyDeskTicket).customer = { id: " ", email: "li.wei at example.org", name: null };
    (api.tickets[2] as TinyDeskTicket).customer = { id: "c_503", email: "sam at example.net", name: null };
    server.use(tinyDeskTickets(api, { pageSize: 2 }));
    const hub = connectorHub(db);
    const admin = await hub.client();
    const connector = await installTemplate(db.prisma);
    const input = { connectorId: gid("Connector", connector.id) };

    const result = await admin(DryRunConnectorDocument, { input });
    if (result.data?.dryRunConnector.__typename !== "DryRunConnectorPayload")
      throw new Error(JSON.stringify(result));
    const [tickets] = result.data.dryRunConnector.streams;
    expect(tickets).toMatchObject({ stream: "tickets", startedFrom: null, complete: true, error: null });
    expect(tickets?.checkpoints).toEqual([
      { updatedSince: api.tickets[1]?.updated_at },
      { updatedSince: api.tickets[3]?.updated_at },
    ]);
    const refused = tickets?.records.filter((record) => !record.valid);
    expect(refused).toEqual([
      expect.objectContaining({
        type: "interaction",
        externalId: "ticket:t_0002",
        reason: expect.stringContaining("invalid at identities.0.value"),
        issues: [
          { path: "identities.0.value", message: expect.stringContaining('"li.wei at example.org"') },
          { path: "identities.1.value", message: "An external id needs a non-empty value." },
        ],
      }),
    ]);
    expect(tickets?.records.find((record) => record.externalId === "ticket:t_0003")).toMatchObject({
      valid: true,
      droppedIdentities: [
        { path: "identities.0.value", message: expect.stringContaining('"sam at example.net"') },
      ],
    });
    expect(tickets?.records.find((record) => record.externalId === "ticket:t_0001")).toMatchObject({
      type: "interaction",
      valid: true,
      reason: null,
      issues: [],
      droppedIdentities: [],
    });
    expect(await written(db.prisma)).toEqual({
      customers: 0,
      identities: 0,
      interactions: 0,
      feedback: 0,
      cursors: 0,
      runs: 0,
      deadLetters: 0,
    });

    // After a sync, a dry run reads from the stored checkpoint, unless asked to start over.
    await hub.engine.run({ id: connector.id });
    const before = await written(db.prisma);
    const incremental = await admin(DryRunConnectorDocument, { input: { ...input, stream: "tickets" } });
    if (incremental.data?.dryRunConnector.__typename !== "DryRunConnectorPayload")
      throw new Error("no payload");
    expect(incremental.data.dryRunConnector.streams[0]?.startedFrom).toEqual({
      updatedSince: api.tickets[3]?.updated_at,
    });
    const fromStart = await admin(DryRunConnectorDocument, {
      input: { ...input, fromStart: true, limit: 3 },
    });
    if (fromStart.data?.dryRunConnector.__typename !== "DryRunConnectorPayload")
      throw new Error("no payload");
    expect(fromStart.data.dryRunConnector.streams[0]).toMatchObject({ startedFrom: null, complete: false });
    expect(fromStart.data.dryRunConnector.streams[0]?.records).toHaveLength(3);
    expect(await written(db.prisma)).toEqual(before);
  });

  test("masks the start of the provider's answer in a stream's error without the pii scope", async ({
    db,
  }) => {
    server.use(
      http.get(`${API}/tickets`, () =>
        HttpResponse.json({ error: "no such customer", email: "ana.souza@example.com" }, { status: 400 }),
      ),
    );
    const hub = connectorHub(db);
    const connector = await installTemplate(db.prisma);
    const input = { connectorId: gid("Connector", connector.id) };

    const integrator = await hub.client("INTEGRATOR", []);
    const masked = await integrator(DryRunConnectorDocument, { input });
    if (masked.data?.dryRunConnector.__typename !== "DryRunConnectorPayload")
      throw new Error(JSON.stringify(masked));
    const error = masked.data.dryRunConnector.streams[0]?.error ?? "";
    expect(error).toContain("answered 400");
    expect(error).toContain("@example.com");
    expect(error).not.toContain("ana.souza");
  });

  test("masks payloads without the pii scope, refuses analysts and bad input with typed errors", async ({
    db,
  }) => {
    const api: TinyDeskApi = { tickets: makeTickets(1), requests: [] };
    server.use(tinyDeskTickets(api));
    const hub = connectorHub(db);
    const connector = await installTemplate(db.prisma);
    const input = { connectorId: gid("Connector", connector.id) };

    const integrator = await hub.client("INTEGRATOR", []);
    const masked = await integrator(DryRunConnectorDocument, { input });
    if (masked.data?.dryRunConnector.__typename !== "DryRunConnectorPayload")
      throw new Error(JSON.stringify(masked));
    const payload = masked.data.dryRunConnector.streams[0]?.records[0]?.payload ?? "";
    expect(payload).toContain('"type":"customer"');
    expect(payload).toContain("a•••@example.com");
    expect(payload).not.toContain("ana.souza");
    expect(payload).not.toContain("Ana Souza");

    const analyst = await hub.client("ANALYST", []);
    expect((await analyst(DryRunConnectorDocument, { input })).errors?.[0]?.extensions?.code).toBe(
      "FORBIDDEN",
    );

    const admin = await hub.client();
    const badStream = await admin(DryRunConnectorDocument, { input: { ...input, stream: "orders" } });
    if (badStream.data?.dryRunConnector.__typename !== "ValidationError")
      throw new Error(JSON.stringify(badStream));
    expect(badStream.data.dryRunConnector.issues.map((issue) => issue.path)).toEqual([["input", "stream"]]);
    const badLimit = await admin(DryRunConnectorDocument, { input: { ...input, limit: 501 } });
    if (badLimit.data?.dryRunConnector.__typename !== "ValidationError")
      throw new Error(JSON.stringify(badLimit));
    expect(badLimit.data.dryRunConnector.issues.map((issue) => issue.path)).toEqual([["input", "limit"]]);
  });
});
