// `npm run connectors` as an integrator drives it, called in-process on the test database (spawning
// the CLI costs seconds per command): secrets taken from standard input or the environment and
// refused on the command line, install checking the connection, configure merging, check, the
// streams' checkpoints and their reset, dead letters listed, replayed and discarded, and a dry run
// that prints what a sync would do and writes nothing.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import type { TinyDeskTicket } from "../../plugins/template/client.ts";
import template from "../../plugins/template/index.ts";
import { createConnectorsCommand } from "../../src/cli/connectors-command.ts";
import { runCommand } from "../../src/cli/run-cli.ts";
import { loadConfig } from "../../src/config.ts";
import { createConnectorServices } from "../../src/connectors/connector-services.ts";
import { readConnectorConfig } from "../../src/connectors/connector-store.ts";
import { REDACT_DEAD_LETTER_CREDENTIALS } from "../../src/connectors/dead-letters/redact-stored-dead-letters.ts";
import { deadLetterFingerprint } from "../../src/connectors/dead-letters/write-dead-letters.ts";
import type { Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/logger.ts";
import { DEFAULT_SCORING_POLICY } from "../../src/policy/scoring-policy.ts";
import { installTemplate, SECRET_KEY } from "../connectors/helpers/hub.ts";
import {
  API,
  makeTickets,
  TEMPLATE_CONFIG,
  type TinyDeskApi,
  TOKEN,
  tinyDeskAccount,
  tinyDeskTickets,
  WEBHOOK_SECRET,
} from "../connectors/helpers/tiny-desk-api.ts";
import { databaseKind, test } from "../helpers/database.ts";
import { COMMAND_TIME } from "../helpers/run-command.ts";

const server = setupServer(tinyDeskAccount);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The CLI on the test database: each call returns its exit code and what it printed. */
function connectorsCli(database: Database, secretKey: Uint8Array | null = SECRET_KEY) {
  const hub = {
    ...createConnectorServices({ plugins: [template], secretKey }),
    db: database.prisma,
    databaseKind,
    writes: { policy: DEFAULT_SCORING_POLICY, clock: () => new Date("2026-03-10T12:00:00Z") },
    logger: createLogger("silent"),
  };
  const command = createConnectorsCommand(async () => ({ hub, close: async () => {} }));
  return async (argv: string[], input: { stdin?: string; env?: Record<string, string> } = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCommand(command, argv, {
      config: () => loadConfig({}),
      print: (line) => void out.push(line),
      printError: (line) => void err.push(line),
      readStdin: async () => input.stdin ?? "",
      env: input.env ?? {},
      clock: () => COMMAND_TIME,
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
}

/** Four tickets, the second from a malformed email: one dead letter on sync. */
function ticketsWithOneBadEmail(): TinyDeskApi {
  const api: TinyDeskApi = { tickets: makeTickets(4), requests: [] };
  (api.tickets[1] as TinyDeskTicket).customer = { id: " ", email: "li.wei at example.org", name: null };
  return api;
}

describe("npm run connectors", () => {
  test("takes secrets from standard input or the environment, never from --config, and checks on install", async ({
    db,
  }) => {
    const cli = connectorsCli(db);

    const echoed = await cli([
      "install",
      "template",
      "tinydesk",
      "--config",
      JSON.stringify(TEMPLATE_CONFIG),
    ]);
    expect(echoed.code).toBe(2);
    expect(echoed.err).toContain("--config holds the secret field apiToken, webhookSecret");
    expect(echoed.err).not.toContain(TOKEN);
    expect(await db.prisma.connector.count()).toBe(0);

    const installed = await cli(
      ["install", "template", "tinydesk", "--config", `{"baseUrl": "${API}"}`, "--config-stdin"],
      { stdin: JSON.stringify({ apiToken: TOKEN }) },
    );
    expect(installed, installed.err).toMatchObject({ code: 0 });
    expect(installed.out).toContain(
      "Check of tinydesk: ok. Connected to the Tiny Desk account Acme Kitchen.",
    );
    expect(installed.out).not.toContain(TOKEN);

    const fromEnv = await cli(["configure", "tinydesk", "--secret-env", "webhookSecret=TD_HOOK"], {
      env: { TD_HOOK: WEBHOOK_SECRET },
    });
    expect(fromEnv.code, fromEnv.err).toBe(0);
    expect(fromEnv.out).not.toContain(WEBHOOK_SECRET);
    const row = await db.prisma.connector.findUniqueOrThrow({ where: { name: "tinydesk" } });
    // configure merged: the base URL and the token stayed.
    expect(readConnectorConfig(SECRET_KEY, row)).toEqual({ baseUrl: API, ...TEMPLATE_CONFIG });

    const unset = await cli(["configure", "tinydesk", "--secret-env", "apiToken=NOT_SET"]);
    expect(unset.code).toBe(2);
    expect(unset.err).toContain("the environment variable NOT_SET is not set");

    const revoked = await cli(["configure", "tinydesk", "--config-stdin"], {
      stdin: '{"apiToken": "td_live_revoked_000"}',
    });
    expect(revoked.code).toBe(0);
    const check = await cli(["check", "tinydesk"]);
    expect(check).toMatchObject({ code: 1 });
    expect(check.err).toContain("Check of tinydesk failed: Tiny Desk refused the API token");
  });

  test("shows the streams' checkpoints and resets one: the next sync reads from the start", async ({
    db,
  }) => {
    const api: TinyDeskApi = { tickets: makeTickets(3), requests: [] };
    server.use(tinyDeskTickets(api));
    const cli = connectorsCli(db);
    await installTemplate(db.prisma);

    expect((await cli(["streams", "tinydesk"])).out).toBe(
      "tickets  no checkpoint: the next sync reads from the start",
    );
    const synced = await cli(["sync", "tinydesk"]);
    expect(synced.code, synced.out).toBe(0);
    const last = api.tickets[2]?.updated_at;
    expect((await cli(["streams", "tinydesk"])).out).toContain(
      `tickets  checkpoint {"updatedSince":"${last}"}  stored `,
    );

    const reset = await cli(["reset", "tinydesk", "tickets"]);
    expect(reset).toMatchObject({ code: 0 });
    expect(reset.out).toContain(`The checkpoint it had: {"updatedSince":"${last}"}`);
    api.requests.length = 0;
    expect((await cli(["sync", "tinydesk"])).code).toBe(0);
    expect(api.requests[0]).toEqual({ updatedSince: null, page: 0 });

    const unknown = await cli(["reset", "tinydesk", "orders"]);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.err).toContain('has no stream "orders": its streams are "tickets"');
  });

  test("lists dead letters with their issues, replays a corrected one from standard input, discards another", async ({
    db,
  }) => {
    const api = ticketsWithOneBadEmail();
    (api.tickets[2] as TinyDeskTicket).customer = { id: " ", email: "sam at example.net", name: null };
    server.use(tinyDeskTickets(api));
    const cli = connectorsCli(db);
    await installTemplate(db.prisma);
    await cli(["sync", "tinydesk"]);

    const listed = await cli(["dead-letters", "tinydesk"]);
    expect(listed.out).toContain("tinydesk has 2 pending dead letter(s).");
    expect(listed.out).toContain('identities.0.value: "li.wei at example.org" is not an email address');
    expect(listed.out).not.toContain("payload:");
    const letters = await db.prisma.deadLetter.findMany({ orderBy: { createdAt: "asc" } });
    const [first, second] = letters.map((letter) => ({
      ...letter,
      record: JSON.parse(letter.payload ?? "{}"),
    }));
    if (!first || !second) throw new Error("two dead letters expected");
    const li = first.record.externalId === "ticket:t_0002" ? first : second;
    const sam = li === first ? second : first;

    const still = await cli(["replay", li.id]);
    expect(still.code).toBe(1);
    expect(still.err).toContain("is still refused, and stays pending");
    li.record.identities[0].value = "li.wei@example.org";
    const replayed = await cli(["replay", li.id, "--payload-stdin"], { stdin: JSON.stringify(li.record) });
    expect(replayed.code, replayed.err).toBe(0);
    expect(replayed.out).toContain(`Replayed ${li.id}: stored`);
    expect(await db.prisma.interaction.count({ where: { externalId: "ticket:t_0002" } })).toBe(1);

    expect((await cli(["discard", sam.id])).code).toBe(0);
    expect((await cli(["dead-letters", "tinydesk"])).out).toContain("tinydesk has 0 pending dead letter(s).");
    const all = await cli(["dead-letters", "tinydesk", "--status", "all", "--payload"]);
    expect(all.out).toContain("REPLAYED");
    expect(all.out).toContain("DISCARDED");
    expect(all.out).toContain("payload: ");
  });

  test("a dry run prints the records, their problems and the checkpoints, and writes nothing", async ({
    db,
  }) => {
    const api = ticketsWithOneBadEmail();
    server.use(tinyDeskTickets(api, { pageSize: 2 }));
    const cli = connectorsCli(db);
    await installTemplate(db.prisma);
    const countRows = async () => ({
      interactions: await db.prisma.interaction.count(),
      feedback: await db.prisma.feedback.count(),
      customers: await db.prisma.customer.count(),
      cursors: await db.prisma.syncCursor.count(),
      runs: await db.prisma.syncRun.count(),
      letters: await db.prisma.deadLetter.count(),
    });
    const before = await countRows();

    const dry = await cli(["dry-run", "tinydesk"]);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain("Dry run of tinydesk: read from the provider, nothing written.");
    expect(dry.out).toContain("Stream tickets (from the start):");
    expect(dry.out).toContain("  + interaction ticket:t_0001");
    expect(dry.out).toContain(
      "  ! interaction ticket:t_0002: The interaction record is invalid at identities.0.value",
    );
    expect(dry.out).toContain(
      `Checkpoints a sync would store: {"updatedSince":"${api.tickets[1]?.updated_at}"}, {"updatedSince":"${api.tickets[3]?.updated_at}"}`,
    );
    expect(await countRows()).toEqual(before);
    expect(before).toEqual({ interactions: 0, feedback: 0, customers: 0, cursors: 0, runs: 0, letters: 0 });

    const limited = await cli(["dry-run", "tinydesk", "tickets", "--limit", "2", "--json"]);
    const report = JSON.parse(limited.out);
    expect(report.written).toBe(false);
    expect(report.streams[0]).toMatchObject({ stream: "tickets", complete: false, error: null });
    expect(report.streams[0].records).toHaveLength(2);
    expect(await countRows()).toEqual(before);

    const badLimit = await cli(["dry-run", "tinydesk", "--limit", "0"]);
    expect(badLimit.code).toBe(2);
    expect(badLimit.err).toContain("A dry run reads 1 to 500 values per stream.");
  });
});

describe("npm run connectors, on an operator's mistakes", () => {
  test("never echoes a secret from standard input or a --secret-env argument in its errors", async ({
    db,
  }) => {
    const cli = connectorsCli(db);
    const secret = "td_live_leaky_0123456789";

    for (const stdin of [`{"apiToken": ${secret}}`, secret, `{"apiToken": "${secret}`]) {
      const install = await cli(["install", "template", "tinydesk", "--config-stdin"], { stdin });
      expect(install.code).toBe(2);
      expect(install.err).toContain("Standard input is not valid JSON");
      expect(install.err).not.toContain("leaky");
    }
    const replay = await cli(["replay", "0190c0de-0000-7000-8000-000000000000", "--payload-stdin"], {
      stdin: `{"token": ${secret}}`,
    });
    expect(replay.code).toBe(2);
    expect(replay.err).toContain("The corrected record on standard input is not valid JSON");
    expect(replay.err).not.toContain("leaky");
    const pasted = await cli(["install", "template", "tinydesk", "--secret-env", secret]);
    expect(pasted.code).toBe(2);
    expect(pasted.err).toContain("is not field=VARIABLE");
    expect(pasted.err).not.toContain("leaky");
  });

  test("says a misspelt option or a missing secret key in sentences, without a stack trace", async ({
    db,
  }) => {
    server.use(tinyDeskTickets({ tickets: makeTickets(1), requests: [] }));
    await installTemplate(db.prisma);

    const misspelt = await connectorsCli(db)(["dead-letters", "tinydesk", "--statuss", "ALL"]);
    expect(misspelt.code).toBe(2);
    expect(misspelt.err).toContain("Unknown option '--statuss'");
    expect(misspelt.err).toContain("Usage:");
    expect(misspelt.err).not.toMatch(/\n\s+at /);

    const keyless = connectorsCli(db, null);
    for (const argv of [
      ["check", "tinydesk"],
      ["dry-run", "tinydesk"],
    ]) {
      const result = await keyless(argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.err).toMatch(/set CXHUB_SECRET_KEY/i);
      expect(result.err).not.toMatch(/\n\s+at /);
    }
    // A sync records the reason on its run, which fails, and prints it.
    const synced = await keyless(["sync", "tinydesk"]);
    expect(synced.code).toBe(1);
    expect(`${synced.out}\n${synced.err}`).toContain("set CXHUB_SECRET_KEY");
    expect(`${synced.out}\n${synced.err}`).not.toMatch(/\n\s+at /);
  });

  test("prints no payload in a --json dry run unless asked, and no token stored before redaction", async ({
    db,
  }) => {
    server.use(tinyDeskTickets({ tickets: makeTickets(1), requests: [] }));
    const cli = connectorsCli(db);
    const connector = await installTemplate(db.prisma);

    const json = JSON.parse((await cli(["dry-run", "tinydesk", "--json"])).out);
    expect(json.streams[0].records[0]).not.toHaveProperty("payload");
    const withPayload = JSON.parse((await cli(["dry-run", "tinydesk", "--json", "--payload"])).out);
    expect(withPayload.streams[0].records[0].payload).toBeDefined();

    // A letter as a hub stored it before its writer redacted credentials; the upgrade's data
    // migration has not run (no hub has started since).
    const payload = JSON.stringify({ id: "t-1", api_key: "old-key-0123456789" });
    await db.prisma.deadLetter.create({
      data: {
        connectorId: connector.id,
        payload,
        fingerprint: deadLetterFingerprint("RECORD", undefined, payload),
        reason: "The ticket is invalid.",
      },
    });
    await db.prisma.dataMigration.deleteMany({ where: { name: REDACT_DEAD_LETTER_CREDENTIALS } });
    const letters = await cli(["dead-letters", "tinydesk", "--payload"]);
    expect(letters.out).toContain("payload: ");
    expect(letters.out).not.toContain("old-key-0123456789");
  });
});
