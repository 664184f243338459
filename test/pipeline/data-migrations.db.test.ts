// The start-up data migrations: stored Gmail sentiment on its old scale is restated once, the
// customers whose messages changed are rescored as of the clock, and only then is it recorded; a
// second start changes nothing, and a start cut short before the record rescores them again.
import { describe, expect } from "vitest";
import { sentimentOf } from "../../plugins/gmail/sentiment.ts";
import {
  REDACT_DEAD_LETTER_CREDENTIALS,
  redactDeadLetterCredentials,
  redactStoredDeadLetters,
} from "../../src/connectors/dead-letters/redact-stored-dead-letters.ts";
import {
  deadLetterFingerprint,
  withoutCredentials,
} from "../../src/connectors/dead-letters/write-dead-letters.ts";
import { RESTATE_SENTIMENT } from "../../src/domain/interactions/restate-sentiment.ts";
import { createLogger } from "../../src/logger.ts";
import { runDataMigrations } from "../../src/pipeline/data-migrations.ts";
import { REDACTED } from "../../src/sdk/secrets.ts";
import { test } from "../helpers/database.ts";
import { writesAt } from "../helpers/writes.ts";

const NOW = new Date("2026-03-10T12:00:00Z");

describe("the start-up data migrations", () => {
  test("restate old-scale Gmail sentiment once and rescore its customers as of the clock", async ({ db }) => {
    await db.prisma.connector.create({ data: { pluginId: "gmail", name: "support-inbox" } });
    const ana = await db.prisma.customer.create({ data: { displayName: "Ana" } });
    await db.prisma.interaction.create({
      data: {
        customerId: ana.id,
        source: "support-inbox",
        externalId: "g-1",
        channel: "EMAIL",
        kind: "email.received",
        direction: "INBOUND",
        occurredAt: new Date("2026-03-09T08:00:00Z"),
        body: "Terrible!",
        // Gmail's old scale: tanh(−3 per 1 word).
        sentiment: -0.995,
      },
    });
    const logger = createLogger("error");

    await runDataMigrations(db.prisma, writesAt(NOW), logger, { sentimentScorers: { gmail: sentimentOf } });
    const restated = await db.prisma.interaction.findFirstOrThrow();
    // The hub's one scale: −3 / √(9 + 15).
    expect(restated.sentiment).toBeCloseTo(-3 / Math.sqrt(24), 3);
    const score = await db.prisma.score.findUniqueOrThrow({ where: { customerId: ana.id } });
    expect(score.computedAt).toEqual(NOW);

    expect(await db.prisma.dataMigration.findMany({ select: { name: true } })).toEqual([
      { name: RESTATE_SENTIMENT },
    ]);
    const computedAt = async () =>
      (await db.prisma.score.findUniqueOrThrow({ where: { customerId: ana.id } })).computedAt;

    // Recorded: a later start leaves everything as it is.
    const later = new Date("2026-03-11T12:00:00Z");
    await runDataMigrations(db.prisma, writesAt(later), logger, { sentimentScorers: { gmail: sentimentOf } });
    expect(await computedAt()).toEqual(NOW);

    // A start that stopped before recording it (the rows already restated) rescores Ana all the same.
    await db.prisma.dataMigration.deleteMany();
    await runDataMigrations(db.prisma, writesAt(later), logger, { sentimentScorers: { gmail: sentimentOf } });
    expect(await computedAt()).toEqual(later);
  });
});

describe("the dead-letter credentials migration", () => {
  const PUSH_TOKEN = "push-token-0123456789abcdef";
  const migrations = { more: [redactDeadLetterCredentials] };

  test("redacts the credentials of letters stored before the writer did, with the writer's redaction", async ({
    db,
  }) => {
    const connector = await db.prisma.connector.create({
      data: { pluginId: "gmail", name: "support-inbox" },
    });
    const body = JSON.stringify({ message: { data: "not base64!" }, access_token: "ya29.leaked" });
    // As the writer stored a Gmail push before it redacted anything.
    const old = await db.prisma.deadLetter.create({
      data: {
        connectorId: connector.id,
        kind: "WEBHOOK_DELIVERY",
        stream: "webhook",
        payload: body,
        headers: { "content-type": "application/json", "x-goog-api-key": "AIzaSy-some-key" },
        fingerprint: deadLetterFingerprint("WEBHOOK_DELIVERY", "webhook", body),
        reason: "The push could not be read (Authorization: Bearer abcdefgh12345678).",
        details: {
          url: `https://hub.example/webhooks/support-inbox?token=${PUSH_TOKEN}&source=pubsub`,
          encoding: "utf-8",
        },
      },
    });
    const clean = await db.prisma.deadLetter.create({
      data: {
        connectorId: connector.id,
        payload: '{"id": "r-1"}',
        fingerprint: deadLetterFingerprint("RECORD", undefined, '{"id": "r-1"}'),
        reason: "The interaction record is invalid at kind.",
        details: { issues: [{ path: "kind", message: "A kind is a dotted lower-case name." }] },
      },
    });
    const logger = createLogger("error");

    await runDataMigrations(db.prisma, writesAt(NOW), logger, migrations);

    const letter = await db.prisma.deadLetter.findUniqueOrThrow({ where: { id: old.id } });
    for (const secret of [PUSH_TOKEN, "ya29.leaked", "AIzaSy-some-key", "abcdefgh12345678"]) {
      expect(JSON.stringify(letter)).not.toContain(secret);
    }
    // Exactly what the writer keeps of the same letter today.
    const written = withoutCredentials({
      kind: "WEBHOOK_DELIVERY",
      stream: "webhook",
      payload: body,
      headers: old.headers as Record<string, string>,
      reason: old.reason,
      details: old.details as { url: string },
    });
    expect(letter).toMatchObject({
      payload: written.payload,
      headers: { "content-type": "application/json" },
      reason: written.reason,
      details: { url: "https://hub.example/webhooks/support-inbox?token=redacted&source=pubsub" },
      fingerprint: deadLetterFingerprint("WEBHOOK_DELIVERY", "webhook", written.payload),
    });
    // A letter without credentials is left byte for byte.
    expect(await db.prisma.deadLetter.findUniqueOrThrow({ where: { id: clean.id } })).toEqual(clean);
    expect((await db.prisma.dataMigration.findMany()).map((row) => row.name)).toContain(
      REDACT_DEAD_LETTER_CREDENTIALS,
    );
  });

  test("drops stored headers it cannot read as names and values rather than keep what they hold", async ({
    db,
  }) => {
    const connector = await db.prisma.connector.create({ data: { pluginId: "template", name: "tinydesk" } });
    const payload = '{"id": "t-1"}';
    const letter = await db.prisma.deadLetter.create({
      data: {
        connectorId: connector.id,
        kind: "WEBHOOK_DELIVERY",
        stream: "webhook",
        payload,
        headers: [["authorization", "Bearer abcdefgh12345678"]],
        fingerprint: deadLetterFingerprint("WEBHOOK_DELIVERY", "webhook", payload),
        reason: "The delivery could not be read.",
      },
    });

    expect(await redactStoredDeadLetters(db.prisma)).toEqual({ redacted: 1 });

    const stored = await db.prisma.deadLetter.findUniqueOrThrow({ where: { id: letter.id } });
    expect(stored.headers).toBeNull();
    expect(stored).toMatchObject({ payload, reason: letter.reason });
  });

  test("keeps both of two pending letters that differ only by their credential", async ({ db }) => {
    const connector = await db.prisma.connector.create({ data: { pluginId: "template", name: "tinydesk" } });
    const letters = ["key-one-0123456789", "key-two-0123456789"].map((key) => {
      const payload = JSON.stringify({ id: "t-1", api_key: key });
      return {
        connectorId: connector.id,
        payload,
        fingerprint: deadLetterFingerprint("RECORD", undefined, payload),
        reason: "The ticket is invalid.",
      };
    });
    await db.prisma.deadLetter.createMany({ data: letters });

    await redactStoredDeadLetters(db.prisma);

    const stored = await db.prisma.deadLetter.findMany({ orderBy: { id: "asc" } });
    expect(stored).toHaveLength(2);
    expect(stored.map((letter) => JSON.parse(letter.payload).api_key)).toEqual([REDACTED, REDACTED]);
  });
});
