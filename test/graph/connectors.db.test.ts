// Connectors over GraphQL, as an admin screen uses them: the plugins with their configuration form,
// install and configure (per-field errors, write-only secrets), check, trigger and cancel syncs, runs
// and dead letters as connections, replay; and who may do what. The template plugin (Tiny Desk) runs
// against its fake API (msw).
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, onTestFinished } from "vitest";
import type { TinyDeskTicket } from "../../plugins/template/client.ts";
import { createConnectorServices } from "../../src/connectors/connector-services.ts";
import { readConnectorConfig } from "../../src/connectors/connector-store.ts";
import { createPluginRegistry } from "../../src/connectors/plugin-registry.ts";
import type { Database } from "../../src/db/database.ts";
import good from "../connectors/fixtures/plugins/good/index.ts";
import { connectorHub } from "../connectors/helpers/graph-hub.ts";
import { deferred, installTemplate, SECRET_KEY, testEngine } from "../connectors/helpers/hub.ts";
import {
  API,
  makeTickets,
  TEMPLATE_CONFIG,
  type TinyDeskApi,
  TOKEN,
  tinyDeskAccount,
  tinyDeskTickets,
} from "../connectors/helpers/tiny-desk-api.ts";
import {
  CancelSyncDocument,
  CheckConnectorDocument,
  ConfigureConnectorDocument,
  ConnectorDocument,
  ConnectorPluginsDocument,
  ConnectorsDocument,
  DeadLettersDocument,
  InstallConnectorDocument,
  ReplayDeadLetterDocument,
  SyncRunsDocument,
  TriggerSyncDocument,
} from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";

const server = setupServer(tinyDeskAccount);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");
const rawId = (globalId: string) => Buffer.from(globalId, "base64").toString().split(":")[1] as string;

/** One sync of four tickets, one with a malformed email: 1 dead letter. */
async function syncedWithOneDeadLetter(db: Database, hub: ReturnType<typeof connectorHub>) {
  const api: TinyDeskApi = { tickets: makeTickets(4), requests: [] };
  (api.tickets[1] as TinyDeskTicket).customer = { id: " ", email: "li.wei at example.org", name: null };
  server.use(tinyDeskTickets(api));
  const connector = await installTemplate(db.prisma);
  await hub.engine.run({ id: connector.id });
  return connector;
}

describe("connectors over GraphQL", () => {
  test("lists plugins with their form; install validates per field and never returns secrets; configure keeps them; check calls the provider", async ({
    db,
  }) => {
    const hub = connectorHub(db);
    const admin = await hub.client();

    const plugins = await admin(ConnectorPluginsDocument);
    const plugin = plugins.data?.connectorPlugins.find((p) => p.id === "template");
    expect(plugin).toMatchObject({
      channel: "SUPPORT",
      secretFields: ["apiToken", "webhookSecret"],
      streams: [{ name: "tickets" }],
      webhooks: true,
    });
    const properties = plugin?.configSchema.properties as Record<string, Record<string, unknown>>;
    expect(properties.apiToken).toMatchObject({ type: "string", writeOnly: true });
    expect(properties.baseUrl).toMatchObject({ default: "https://api.tinydesk.example/v1" });
    expect(plugin?.configSchema.required).toEqual(["apiToken"]);

    const bad = await admin(InstallConnectorDocument, {
      input: { pluginId: "template", name: "tinydesk", config: { baseUrl: "not a url", apiToken: "short9" } },
    });
    if (bad.data?.installConnector.__typename !== "ValidationError") throw new Error(JSON.stringify(bad));
    expect(bad.data.installConnector.issues.map((issue) => issue.path)).toEqual([
      ["input", "config", "baseUrl"],
      ["input", "config", "apiToken"],
    ]);
    expect(JSON.stringify(bad)).not.toContain("short9");

    const installed = await admin(InstallConnectorDocument, {
      input: { pluginId: "template", name: "tinydesk", config: TEMPLATE_CONFIG, syncIntervalSeconds: 3600 },
    });
    if (installed.data?.installConnector.__typename !== "InstallConnectorPayload")
      throw new Error(JSON.stringify(installed));
    // Checked at once, as the CLI's install does: Tiny Desk accepted the token.
    expect(installed.data.installConnector.check).toEqual({
      ok: true,
      message: "Connected to the Tiny Desk account Acme Kitchen.",
    });
    const connector = installed.data.installConnector.connector;
    expect(connector).toMatchObject({
      name: "tinydesk",
      status: "ACTIVE",
      config: {},
      setSecrets: ["apiToken", "webhookSecret"],
      syncIntervalSeconds: 3600,
      webhookPath: "/webhooks/tinydesk",
      plugin: { id: "template" },
      lastRun: null,
    });
    expect(JSON.stringify(installed)).not.toContain(TOKEN);
    const again = await admin(InstallConnectorDocument, {
      input: { pluginId: "template", name: "tinydesk", config: TEMPLATE_CONFIG },
    });
    expect(again.data?.installConnector).toMatchObject({
      __typename: "ConflictError",
      message: expect.stringContaining('"tinydesk" is already installed'),
    });

    // Secrets left out keep their value; null makes the schedule manual.
    const configured = await admin(ConfigureConnectorDocument, {
      input: { id: connector.id, config: { baseUrl: API }, syncIntervalSeconds: null },
    });
    expect(configured.data?.configureConnector).toMatchObject({
      __typename: "ConnectorPayload",
      connector: {
        config: { baseUrl: API },
        setSecrets: ["apiToken", "webhookSecret"],
        syncIntervalSeconds: null,
      },
    });
    const row = await db.prisma.connector.findUniqueOrThrow({ where: { name: "tinydesk" } });
    expect(readConnectorConfig(SECRET_KEY, row)).toEqual({ baseUrl: API, ...TEMPLATE_CONFIG });
    // Only the token: merged with the stored configuration, the base URL stays.
    const rotated = await admin(ConfigureConnectorDocument, {
      input: { id: connector.id, config: { apiToken: "td_live_rotated_22" } },
    });
    expect(rotated.data?.configureConnector).toMatchObject({ connector: { config: { baseUrl: API } } });
    expect(
      readConnectorConfig(
        SECRET_KEY,
        await db.prisma.connector.findUniqueOrThrow({ where: { name: "tinydesk" } }),
      ),
    ).toEqual({ ...TEMPLATE_CONFIG, baseUrl: API, apiToken: "td_live_rotated_22" });
    await admin(ConfigureConnectorDocument, { input: { id: connector.id, config: { apiToken: TOKEN } } });
    const badInterval = await admin(ConfigureConnectorDocument, {
      input: { id: connector.id, syncIntervalSeconds: 5 },
    });
    if (badInterval.data?.configureConnector.__typename !== "ValidationError")
      throw new Error(JSON.stringify(badInterval));
    expect(badInterval.data.configureConnector.issues[0]?.path).toEqual(["input", "syncIntervalSeconds"]);

    expect((await admin(CheckConnectorDocument, { id: connector.id })).data?.checkConnector).toEqual({
      __typename: "CheckConnectorPayload",
      ok: true,
      message: "Connected to the Tiny Desk account Acme Kitchen.",
    });
    await admin(ConfigureConnectorDocument, {
      input: { id: connector.id, config: { apiToken: "td_live_revoked_000" } },
    });
    expect((await admin(CheckConnectorDocument, { id: connector.id })).data?.checkConnector).toMatchObject({
      ok: false,
      message: "Tiny Desk refused the API token: create a new one.",
    });

    // Without a key, a plugin with secret fields cannot be installed, and a connector with stored
    // secrets cannot run here: its run fails saying what to do.
    const keylessEngine = testEngine(db.prisma, { secretKey: null });
    onTestFinished(() => keylessEngine.close());
    const keyless = await connectorHub(db, { secretKey: null, engine: keylessEngine }).client();
    const refused = await keyless(InstallConnectorDocument, {
      input: { pluginId: "template", name: "tinydesk-2", config: TEMPLATE_CONFIG },
    });
    expect(refused.data?.installConnector).toMatchObject({
      __typename: "ConflictError",
      message: expect.stringMatching(/has secret fields \(apiToken.*set CXHUB_SECRET_KEY/),
    });
    const triggered = (await keyless(TriggerSyncDocument, { connectorId: connector.id })).data?.triggerSync;
    if (triggered?.__typename !== "SyncRunPayload") throw new Error(`No run: ${JSON.stringify(triggered)}`);
    const failed = await keylessEngine.wait(rawId(triggered.run.id));
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toMatch(
      /has stored secrets and this hub has no key to open them: set CXHUB_SECRET_KEY/,
    );
    // The missing key is this instance's problem, not the connector's: instances with the key go on.
    expect(await db.prisma.connector.findUniqueOrThrow({ where: { id: rawId(connector.id) } })).toMatchObject(
      { status: "ACTIVE" },
    );
  });

  test("install reports a failed check and keeps the connector to configure; with check false it calls nobody", async ({
    db,
  }) => {
    const admin = await connectorHub(db).client();
    const asked: string[] = [];
    server.events.on("request:start", ({ request }) => asked.push(new URL(request.url).pathname));
    onTestFinished(() => server.events.removeAllListeners());

    const refused = await admin(InstallConnectorDocument, {
      input: {
        pluginId: "template",
        name: "tinydesk-revoked",
        config: { ...TEMPLATE_CONFIG, apiToken: "td_live_revoked_000" },
      },
    });
    expect(refused.data?.installConnector).toMatchObject({
      __typename: "InstallConnectorPayload",
      connector: { name: "tinydesk-revoked", status: "ACTIVE" },
      check: { ok: false, message: "Tiny Desk refused the API token: create a new one." },
    });
    expect(asked).toEqual(["/v1/me"]);

    const unchecked = await admin(InstallConnectorDocument, {
      input: { pluginId: "template", name: "tinydesk-later", config: TEMPLATE_CONFIG, check: false },
    });
    expect(unchecked.data?.installConnector).toMatchObject({
      __typename: "InstallConnectorPayload",
      connector: { name: "tinydesk-later" },
      check: null,
    });
    expect(asked).toEqual(["/v1/me"]);
  });

  test("a plugin without secret fields needs no key: it installs and syncs on a hub without one", async ({
    db,
  }) => {
    const engine = testEngine(db.prisma, { secretKey: null, plugins: createPluginRegistry([good]) });
    onTestFinished(() => engine.close());
    const keyless = await connectorHub(db, {
      ...createConnectorServices({ plugins: [good], secretKey: null, engine }),
    }).client();
    const installed = await keyless(InstallConnectorDocument, {
      input: { pluginId: "good", name: "good-mail", config: {} },
    });
    const payload = installed.data?.installConnector;
    if (payload?.__typename !== "InstallConnectorPayload")
      throw new Error(`Not installed: ${JSON.stringify(payload)}`);
    expect(payload.check).toEqual({ ok: true, message: "The provider accepted the configuration." });
    const triggered = (await keyless(TriggerSyncDocument, { connectorId: payload.connector.id })).data
      ?.triggerSync;
    if (triggered?.__typename !== "SyncRunPayload") throw new Error(`No run: ${JSON.stringify(triggered)}`);
    expect(await engine.wait(rawId(triggered.run.id))).toMatchObject({ status: "SUCCEEDED", error: null });
  });

  test("triggers a sync, refuses a second while it runs, cancels it; runs and dead letters page; a fixed letter replays", async ({
    db,
  }) => {
    const hub = connectorHub(db);
    const admin = await hub.client();
    const api: TinyDeskApi = { tickets: makeTickets(4), requests: [] };
    (api.tickets[1] as TinyDeskTicket).customer = { id: " ", email: "li.wei at example.org", name: null };
    const reached = deferred();
    const release = deferred();
    let hold = true;
    server.use(
      tinyDeskTickets(api, {
        onPage: async () => {
          if (!hold) return;
          reached.resolve();
          await release.promise;
        },
      }),
    );
    const connectorId = gid("Connector", (await installTemplate(db.prisma)).id);

    const first = await admin(TriggerSyncDocument, { connectorId });
    if (first.data?.triggerSync.__typename !== "SyncRunPayload") throw new Error(JSON.stringify(first));
    const held = first.data.triggerSync.run;
    expect(held).toMatchObject({ trigger: "MANUAL", status: expect.stringMatching(/^(QUEUED|RUNNING)$/) });
    await reached.promise;
    const second = await admin(TriggerSyncDocument, { connectorId });
    expect(second.data?.triggerSync).toMatchObject({
      __typename: "ConflictError",
      message: expect.stringContaining(`sync run ${rawId(held.id)} (running since`),
    });
    const cancelled = await admin(CancelSyncDocument, { runId: held.id });
    expect(cancelled.data?.cancelSync).toMatchObject({
      run: { id: held.id, status: "CANCELLED", cancelRequestedAt: expect.any(String) },
    });
    hold = false;
    release.resolve();

    const next = await admin(TriggerSyncDocument, { connectorId });
    if (next.data?.triggerSync.__typename !== "SyncRunPayload") throw new Error(JSON.stringify(next));
    expect((await hub.engine.wait(rawId(next.data.triggerSync.run.id))).status).toBe("SUCCEEDED");

    const shown = await admin(ConnectorDocument, { name: "tinydesk" });
    expect(shown.data?.connector).toMatchObject({
      lastRun: {
        id: next.data.triggerSync.run.id,
        status: "SUCCEEDED",
        durationMs: expect.any(Number),
        error: null,
        counts: { created: 8, deadLettered: 1, deleted: 0 },
      },
      syncRuns: { totalCount: 2 },
      pendingDeadLetters: { totalCount: 1 },
    });
    expect(shown.data?.connector?.syncRuns.edges.map((edge) => edge.node.status)).toEqual([
      "SUCCEEDED",
      "CANCELLED",
    ]);
    expect(shown.data?.connector?.lastRun?.counts.fetched).toBeGreaterThanOrEqual(9);

    const page = await admin(SyncRunsDocument, { connectorId, first: 1 });
    expect(page.data?.syncRuns).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    const rest = await admin(SyncRunsDocument, {
      connectorId,
      first: 1,
      after: page.data?.syncRuns.pageInfo.endCursor,
    });
    expect(rest.data?.syncRuns.edges.map((edge) => edge.node.status)).toEqual(["CANCELLED"]);
    expect((await admin(SyncRunsDocument, { status: ["FAILED"] })).data?.syncRuns.totalCount).toBe(0);

    const letters = await admin(DeadLettersDocument, { connectorId, status: ["PENDING"] });
    const letter = letters.data?.deadLetters.edges[0]?.node;
    expect(letter).toMatchObject({
      kind: "RECORD",
      stream: "tickets",
      status: "PENDING",
      connector: { name: "tinydesk" },
      syncRun: { id: next.data.triggerSync.run.id },
      issues: [
        { path: "identities.0.value", message: expect.stringContaining('"li.wei at example.org"') },
        { path: "identities.1.value", message: "An external id needs a non-empty value." },
      ],
    });
    const payload = JSON.parse(letter?.payload ?? "null");
    expect(payload.identities[0].value).toBe("li.wei at example.org");

    payload.identities[0].value = "li.wei@example.org";
    const replayed = await admin(ReplayDeadLetterDocument, { id: letter?.id as string, payload });
    expect(replayed.data?.replayDeadLetter).toMatchObject({
      __typename: "ReplayDeadLetterPayload",
      replayed: true,
      counts: { created: 1 },
      deadLetter: { status: "REPLAYED", replayedAt: expect.any(String) },
    });
    expect(
      (await admin(DeadLettersDocument, { connectorId, status: ["PENDING"] })).data?.deadLetters.totalCount,
    ).toBe(0);
    expect(
      (await admin(ReplayDeadLetterDocument, { id: letter?.id as string })).data?.replayDeadLetter,
    ).toMatchObject({ __typename: "ConflictError", message: expect.stringContaining("replayed already") });
    expect(
      (await admin(CancelSyncDocument, { runId: next.data.triggerSync.run.id })).data?.cancelSync,
    ).toMatchObject({
      __typename: "ConflictError",
      message: expect.stringContaining("already ended (SUCCEEDED)"),
    });
  });

  test("analysts read connectors, runs and letters but not payloads; account managers nothing; payloads are masked without pii", async ({
    db,
  }) => {
    const hub = connectorHub(db);
    const connector = await syncedWithOneDeadLetter(db, hub);
    const connectorId = gid("Connector", connector.id);

    const analyst = await hub.client("ANALYST", []);
    expect((await analyst(ConnectorsDocument)).data?.connectors).toMatchObject({
      totalCount: 1,
      edges: [{ node: { name: "tinydesk", lastRun: { status: "SUCCEEDED" } } }],
    });
    expect((await analyst(SyncRunsDocument, { connectorId })).data?.syncRuns.totalCount).toBe(1);
    const listed = await analyst(DeadLettersDocument, { withPayload: false });
    expect(listed.errors).toBeUndefined();
    expect(listed.data?.deadLetters.edges[0]?.node.reason).not.toContain("li.wei");
    const withPayload = await analyst(DeadLettersDocument, {});
    expect(withPayload.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(withPayload.data?.deadLetters.edges[0]?.node).toMatchObject({ payload: null, status: "PENDING" });
    const trigger = await analyst(TriggerSyncDocument, { connectorId });
    expect(trigger.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const manager = await hub.client("ACCOUNT_MANAGER", ["pii"]);
    const forbidden = await manager(ConnectorsDocument);
    expect(forbidden.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^Your API key may not read Query\.connectors here/),
      extensions: { code: "FORBIDDEN" },
    });
    expect((await manager(ConnectorPluginsDocument)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const integrator = await hub.client("INTEGRATOR", []);
    const masked = (await integrator(DeadLettersDocument, {})).data?.deadLetters.edges[0]?.node;
    const record = JSON.parse(masked?.payload ?? "null");
    expect(record).toMatchObject({
      type: "interaction",
      externalId: "ticket:t_0002",
      channel: "support",
      identities: [
        { kind: "email", value: "l•••" },
        { kind: "external_id", namespace: "tinydesk", value: " •••" },
      ],
      body: "T•••",
    });
    expect(masked?.payload).not.toContain("li.wei");
    expect(masked?.reason).toContain('"l•••" is not an email address');
    expect(masked?.issues[0]?.message).not.toContain("li.wei");
  });
});
