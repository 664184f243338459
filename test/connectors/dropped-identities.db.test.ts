// One bad identity no longer costs the whole record: a ticket from a malformed email still carries the
// customer's Tiny Desk id, so it is stored under that customer, the email is left out, and the run
// counts it (identitiesDropped) and says why in its warnings (masked without the `pii` scope). A
// record with no valid identity left is still dead-lettered.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import type { TinyDeskTicket } from "../../plugins/template/client.ts";
import { SyncRunWarningsDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { connectorHub } from "./helpers/graph-hub.ts";
import { installTemplate } from "./helpers/hub.ts";
import { makeTickets, type TinyDeskApi, tinyDeskTickets } from "./helpers/tiny-desk-api.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");

describe("a record with an invalid identity", () => {
  test("is kept with its other identities; the run counts the identity left out and records why", async ({
    db,
  }) => {
    const api: TinyDeskApi = { tickets: makeTickets(4), requests: [] };
    // Ticket 2 (unrated, its customer unnamed: one interaction record) from a malformed email.
    (api.tickets[1] as TinyDeskTicket).customer = { id: "c_502", email: "li.wei at example.org", name: null };
    server.use(tinyDeskTickets(api));
    const hub = connectorHub(db);
    const connector = await installTemplate(db.prisma);

    const run = await hub.engine.run({ id: connector.id });

    expect(run).toMatchObject({ status: "SUCCEEDED", recordsDeadLettered: 0, identitiesDropped: 1 });
    expect(await db.prisma.deadLetter.count()).toBe(0);
    const ticket = await db.prisma.interaction.findFirstOrThrow({
      where: { externalId: "ticket:t_0002" },
      include: { customer: { include: { identities: true } } },
    });
    expect(
      ticket.customer.identities.map(({ kind, namespace, value }) => ({ kind, namespace, value })),
    ).toEqual([{ kind: "EXTERNAL_ID", namespace: "tinydesk", value: "c_502" }]);

    const withPii = await (await hub.client("INTEGRATOR", ["pii"]))(SyncRunWarningsDocument, {
      id: gid("SyncRun", run.id),
    });
    expect(withPii.data?.node).toEqual({
      status: "SUCCEEDED",
      counts: { fetched: 9, created: 9, deadLettered: 0, identitiesDropped: 1 },
      warnings: [
        {
          stream: "tickets",
          externalId: "ticket:t_0002",
          path: "identities.0.value",
          message: expect.stringMatching(
            /^Left out an invalid identity.*"li\.wei at example\.org" is not an email/,
          ),
        },
      ],
    });
    const masked = await (await hub.client("INTEGRATOR", []))(SyncRunWarningsDocument, {
      id: gid("SyncRun", run.id),
    });
    const warning = masked.data?.node && "warnings" in masked.data.node ? masked.data.node.warnings[0] : null;
    expect(warning?.message).toContain("is not an email");
    expect(warning?.message).not.toContain("li.wei");
  });

  test("is dead-lettered when none of its identities is valid", async ({ db }) => {
    const api: TinyDeskApi = { tickets: makeTickets(2), requests: [] };
    (api.tickets[1] as TinyDeskTicket).customer = { id: " ", email: "li.wei at example.org", name: null };
    server.use(tinyDeskTickets(api));
    const hub = connectorHub(db);
    const connector = await installTemplate(db.prisma);

    const run = await hub.engine.run({ id: connector.id });

    expect(run).toMatchObject({ status: "SUCCEEDED", recordsDeadLettered: 1, identitiesDropped: 0 });
    const letter = await db.prisma.deadLetter.findFirstOrThrow();
    expect((letter.details as { issues: Array<{ path: string }> }).issues.map((issue) => issue.path)).toEqual(
      ["identities.0.value", "identities.1.value"],
    );
  });
});
