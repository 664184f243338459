// The template connector against msw handlers serving Tiny Desk's documented payloads
// (plugins/template/fixtures), through the SDK's test kit, as a plugin's own tests should be written.
import { readFileSync } from "node:fs";
import { HttpError } from "cx-hub/sdk";
import {
  expectAcceptance,
  runCheck,
  runStream,
  runWebhook,
  signedRequest,
  webhookRequest,
} from "cx-hub/sdk/testing";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import template from "../../plugins/template/index.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../plugins/template/fixtures/${name}`, import.meta.url), "utf8"));
const page1 = fixture("tickets-page-1.json");
const page2 = fixture("tickets-page-2.json");

const API = "https://api.tinydesk.example/v1";
const TOKEN = "td_live_0123456789";
const WEBHOOK_SECRET = "whsec_template_0123456789";
const config = { apiToken: TOKEN, webhookSecret: WEBHOOK_SECRET };

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/**
 * Tiny Desk's GET /tickets: pages by page_token, keeps the tickets changed at or after updated_since
 * (inclusive, as its API says), refuses a wrong token; records the queries it saw.
 */
function ticketsApi(seen: URLSearchParams[] = []) {
  return http.get(`${API}/tickets`, ({ request }) => {
    if (request.headers.get("authorization") !== `Bearer ${TOKEN}`) {
      return HttpResponse.json({ error: "invalid_token" }, { status: 401 });
    }
    const query = new URL(request.url).searchParams;
    seen.push(query);
    const page = query.get("page_token") === "p2" ? page2 : page1;
    const since = query.get("updated_since");
    if (!since) return HttpResponse.json(page);
    const changed = page.data.filter((ticket: { updated_at: string }) => ticket.updated_at >= since);
    return HttpResponse.json({ ...page, data: changed });
  });
}

describe("the template connector's tickets stream", () => {
  test("passes the SDK's acceptance checks", async () => {
    server.use(ticketsApi());
    await expectAcceptance(template, { config });
  });

  test("a full sync yields customers, tickets, ratings and deletions, with a checkpoint after each page", async () => {
    const seen: URLSearchParams[] = [];
    server.use(ticketsApi(seen));

    const run = await runStream(template, "tickets", { config });

    expect(run.invalid).toEqual([]);
    expect(seen.map((query) => query.get("updated_since"))).toEqual([null, null]);
    expect(run.outputs.map((output) => (output.type === "checkpoint" ? "checkpoint" : output.type))).toEqual([
      "customer",
      "interaction",
      "feedback",
      "interaction",
      "checkpoint",
      "deletion",
      "deletion",
      "customer",
      "interaction",
      "feedback",
      "checkpoint",
    ]);
    expect(run.checkpoints).toEqual([
      { updatedSince: "2026-03-03T11:20:00Z" },
      { updatedSince: "2026-03-04T12:45:00Z" },
    ]);
    expect(run.records[1]).toEqual({
      type: "interaction",
      externalId: "ticket:t_1001",
      identities: [
        { kind: "email", namespace: "", value: "ana.souza@example.com" },
        { kind: "external_id", namespace: "tinydesk", value: "c_501" },
      ],
      channel: "support",
      kind: "ticket.opened",
      direction: "inbound",
      occurredAt: new Date("2026-03-02T09:15:00Z"),
      sourceUpdatedAt: new Date("2026-03-03T10:00:00Z"),
      summary: "Where is my order?",
      body: "I ordered a kettle ten days ago and it has not arrived.",
      conversationId: "t_1001",
      metadata: { status: "solved" },
    });
    expect(run.records[2]).toMatchObject({
      type: "feedback",
      externalId: "csat:t_1001",
      kind: "csat",
      score: 4,
      interactionExternalId: "ticket:t_1001",
    });
    expect(run.records.filter((r) => r.type === "deletion")).toEqual([
      {
        type: "deletion",
        entity: "interaction",
        externalId: "ticket:t_0990",
        deletedAt: new Date("2026-03-04T08:30:00Z"),
      },
      {
        type: "deletion",
        entity: "feedback",
        externalId: "csat:t_0990",
        deletedAt: new Date("2026-03-04T08:30:00Z"),
      },
    ]);
  });

  test("an incremental sync asks only for changes since the cursor", async () => {
    const seen: URLSearchParams[] = [];
    server.use(ticketsApi(seen));

    const run = await runStream(template, "tickets", {
      config,
      cursor: { updatedSince: "2026-03-03T11:20:00Z" },
    });

    expect(seen[0]?.get("updated_since")).toBe("2026-03-03T11:20:00Z");
    expect(run.checkpoints.at(-1)).toEqual({ updatedSince: "2026-03-04T12:45:00Z" });
  });

  test("refuses a stored cursor of another shape instead of misreading it", async () => {
    server.use(ticketsApi());
    await expect(runStream(template, "tickets", { config, cursor: { page: 3 } })).rejects.toThrow(
      /stored checkpoint of stream "tickets" of plugin .*Reset the stream's checkpoint/,
    );
  });

  test("waits as long as a 429's Retry-After says, then goes on", async () => {
    let calls = 0;
    server.use(
      http.get(`${API}/tickets`, () => {
        calls++;
        if (calls === 1) return new HttpResponse(null, { status: 429, headers: { "Retry-After": "7" } });
        return HttpResponse.json(page2);
      }),
    );

    const run = await runStream(template, "tickets", { config });

    expect(calls).toBe(2);
    expect(run.waits.map((wait) => wait.ms)).toEqual([7000]);
    expect(run.checkpoints).toEqual([{ updatedSince: "2026-03-04T12:45:00Z" }]);
  });

  test("retries a 503 with backoff, and gives up with a clear error when it persists", async () => {
    let calls = 0;
    server.use(
      http.get(`${API}/tickets`, () => {
        calls++;
        return calls === 1 ? new HttpResponse("busy", { status: 503 }) : HttpResponse.json(page2);
      }),
    );
    const run = await runStream(template, "tickets", { config });
    expect(calls).toBe(2);
    expect(run.waits).toHaveLength(1);
    expect(run.records).toHaveLength(5);

    server.use(http.get(`${API}/tickets`, () => new HttpResponse("busy", { status: 503 })));
    const failure = await runStream(template, "tickets", { config, http: { maxAttempts: 3 } }).catch(
      (e) => e,
    );
    expect(failure).toBeInstanceOf(HttpError);
    expect(failure).toMatchObject({ status: 503, attempts: 3 });
    expect(failure.message).toMatch(
      /^GET https:\/\/api\.tinydesk\.example\/v1\/tickets\?limit=100 failed after 3 attempts: 503/,
    );
  });

  const NOT_AN_EMAIL = {
    path: "identities.0.value",
    message: '"not an email" is not an email address (expected name@domain).',
  };

  test("keeps a ticket from a malformed email under the customer's Tiny Desk id, saying what was left out", async () => {
    const broken = structuredClone(page2);
    broken.data[1].customer.email = "not an email";
    server.use(http.get(`${API}/tickets`, () => HttpResponse.json(broken)));

    const run = await runStream(template, "tickets", { config });

    // The customer, the ticket and its rating each name the customer by that email and by its id.
    expect(run.invalid).toEqual([]);
    expect(run.droppedIdentities.map((item) => item.issues)).toEqual(Array(3).fill([NOT_AN_EMAIL]));
    expect(
      run.records
        .filter((r) => r.type !== "deletion")
        .every((r) => "identities" in r && r.identities.length === 1),
    ).toBe(true);
  });

  test("reports a ticket with no valid identity as invalid, with the issues, and keeps the others", async () => {
    const broken = structuredClone(page2);
    broken.data[1].customer.email = "not an email";
    broken.data[1].customer.id = " ";
    server.use(http.get(`${API}/tickets`, () => HttpResponse.json(broken)));

    const run = await runStream(template, "tickets", { config });

    // The customer, the ticket and its rating each name the customer by that email and that id.
    expect(run.invalid.map((item) => item.issues.slice(0, 1))).toEqual(Array(3).fill([NOT_AN_EMAIL]));
    expect(run.invalid[1]?.payload).toMatchObject({ type: "interaction", externalId: "ticket:t_1003" });
    expect(run.records.map((r) => r.type)).toEqual(["deletion", "deletion"]);
    expect(run.checkpoints).toEqual([{ updatedSince: "2026-03-04T12:45:00Z" }]);
  });
});

describe("the template connector's check", () => {
  test("says which account the token opens, or that the token was refused", async () => {
    server.use(
      http.get(`${API}/me`, ({ request }) =>
        request.headers.get("authorization") === `Bearer ${TOKEN}`
          ? HttpResponse.json({ account: { id: "acc_1", name: "Acme Kitchen" } })
          : HttpResponse.json({ error: "invalid_token" }, { status: 401 }),
      ),
    );
    expect(await runCheck(template, { config })).toEqual({
      ok: true,
      message: "Connected to the Tiny Desk account Acme Kitchen.",
    });
    expect(await runCheck(template, { config: { apiToken: "td_live_wrong_token" } })).toEqual({
      ok: false,
      message: "Tiny Desk refused the API token: create a new one.",
    });
  });
});

describe("the template connector's webhooks", () => {
  const signed = (body: unknown, secret = WEBHOOK_SECRET) =>
    signedRequest({
      body,
      secret,
      header: "X-TinyDesk-Signature",
      prefix: "sha256=",
      headers: { "X-TinyDesk-Delivery": "dlv_1" },
    });

  test("parses a correctly signed ticket update into records, with the delivery id and time", async () => {
    const run = await runWebhook(template, signed(fixture("webhook-ticket-updated.json")), { config });
    expect(run.status).toBe(200);
    expect(run.verification).toEqual({
      valid: true,
      deliveryId: "dlv_1",
      sentAt: new Date("2026-03-05T08:00:05Z"),
    });
    expect(run.records.map((r) => r.type)).toEqual(["customer", "interaction"]);
    expect(run.records[0]).toEqual({
      type: "customer",
      identities: [
        { kind: "email", namespace: "", value: "sam@example.net" },
        { kind: "external_id", namespace: "tinydesk", value: "c_503" },
      ],
      displayName: "Sam Okafor",
    });
  });

  test("asks for a sync when Tiny Desk says tickets were imported without listing them", async () => {
    const run = await runWebhook(template, signed(fixture("webhook-tickets-imported.json")), { config });
    expect(run).toMatchObject({ status: 200, records: [], invalid: [] });
    expect(run.sync).toEqual({ reason: "Tiny Desk imported 3 tickets" });
  });

  test("refuses a delivery signed with another secret, or whose body was changed after signing", async () => {
    const wrongSecret = await runWebhook(
      template,
      signed(fixture("webhook-ticket-updated.json"), "whsec_someone_else_000"),
      {
        config,
      },
    );
    expect(wrongSecret).toMatchObject({ status: 401, records: [] });
    expect(wrongSecret.verification).toEqual({
      valid: false,
      reason: "the X-TinyDesk-Signature does not match the body",
    });

    const tampered = signed(fixture("webhook-ticket-updated.json"));
    tampered.rawBody = new TextEncoder().encode(
      new TextDecoder().decode(tampered.rawBody).replace("sam@", "eve@"),
    );
    expect((await runWebhook(template, tampered, { config })).status).toBe(401);

    const unsigned = webhookRequest({ body: fixture("webhook-ticket-updated.json") });
    expect((await runWebhook(template, unsigned, { config })).status).toBe(401);
  });

  test("turns an erasure request into a privacy request record", async () => {
    const run = await runWebhook(template, signed(fixture("webhook-erasure-requested.json")), { config });
    expect(run.records).toEqual([
      {
        type: "privacyRequest",
        action: "erase",
        requestId: "er_77",
        identities: [
          { kind: "email", namespace: "", value: "li.wei@example.org" },
          { kind: "external_id", namespace: "tinydesk", value: "c_502" },
        ],
        requestedAt: new Date("2026-03-06T09:00:00Z"),
      },
    ]);
  });

  test("answers 400 to a signed body it cannot read", async () => {
    const run = await runWebhook(
      template,
      signed({ event: "ticket.exploded", sent_at: "2026-03-06T09:00:00Z" }),
      {
        config,
      },
    );
    expect(run).toMatchObject({ status: 400, error: 'Unknown Tiny Desk event "ticket.exploded".' });
  });
});
