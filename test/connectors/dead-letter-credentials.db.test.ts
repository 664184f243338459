// No credential is stored in a dead letter: a Gmail push URL's ?token=, credential headers and body
// fields are redacted before the letter is written, while the delivery stays replayable.
import { describe, expect } from "vitest";
import gmail from "../../plugins/gmail/index.ts";
import { installConnector } from "../../src/connectors/connector-store.ts";
import { writeDeadLetters } from "../../src/connectors/dead-letters/write-dead-letters.ts";
import { createPluginRegistry } from "../../src/connectors/plugin-registry.ts";
import { handleWebhook } from "../../src/connectors/webhooks/handle-webhook.ts";
import { test } from "../helpers/database.ts";
import { writesAt } from "../helpers/writes.ts";
import { SECRET_KEY } from "./helpers/hub.ts";

const PUSH_TOKEN = "push-token-0123456789abcdef";
const plugins = createPluginRegistry([gmail]);

describe("credentials in dead letters", () => {
  test("a Gmail push that cannot be read is kept without its push token", async ({ db }) => {
    await installConnector(
      { db: db.prisma, plugins, secretKey: SECRET_KEY },
      {
        pluginId: "gmail",
        name: "support-inbox",
        config: { mailbox: "support@example.com", accessToken: "ya29.access-token", pushToken: PUSH_TOKEN },
      },
    );
    const response = await handleWebhook(
      { db: db.prisma, plugins, secretKey: SECRET_KEY, writes: writesAt(new Date("2026-03-05T08:00:00Z")) },
      "support-inbox",
      new Request(`https://hub.example/webhooks/support-inbox?token=${PUSH_TOKEN}&source=pubsub`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-goog-api-key": "AIzaSy-some-key",
          "x-api-key": "cxh_should_not_be_kept",
        },
        body: JSON.stringify({
          message: { data: "not base64!" },
          subscription: "projects/p/subscriptions/s",
        }),
      }),
    );
    // Authenticated by its push token but unreadable: kept, and acknowledged so Pub/Sub stops resending.
    expect(response.status).toBe(200);
    const [letter] = await db.prisma.deadLetter.findMany();
    expect(letter?.kind).toBe("WEBHOOK_DELIVERY");
    expect(JSON.stringify(letter)).not.toContain(PUSH_TOKEN);
    expect(letter?.details).toMatchObject({
      url: "https://hub.example/webhooks/support-inbox?token=redacted&source=pubsub",
    });
    expect(letter?.headers).toEqual({ "content-type": "application/json" });
    // What the plugin needs to read it again is kept as received.
    expect(JSON.parse(letter?.payload ?? "null")).toEqual({
      message: { data: "not base64!" },
      subscription: "projects/p/subscriptions/s",
    });
  });

  test("credential fields of a body, and tokens quoted in the reason, are redacted", async ({ db }) => {
    const connector = await db.prisma.connector.create({ data: { pluginId: "template", name: "tinydesk" } });
    await writeDeadLetters(db.prisma, { connectorId: connector.id }, [
      {
        kind: "RECORD",
        stream: "tickets",
        payload: JSON.stringify({
          type: "interaction",
          auth: { access_token: "abc123secret", author: "Zoe" },
        }),
        reason:
          "GET https://api.example/v1?api_key=abc123secret failed; sent Authorization: Bearer abc123secret",
        details: { error: "token=abc123secret", issues: [] },
      },
    ]);
    const [letter] = await db.prisma.deadLetter.findMany();
    expect(JSON.stringify(letter)).not.toContain("abc123secret");
    expect(JSON.parse(letter?.payload ?? "null")).toEqual({
      type: "interaction",
      auth: { access_token: "••••••", author: "Zoe" },
    });
    expect(letter?.reason).toBe(
      "GET https://api.example/v1?api_key=redacted failed; sent Authorization: Bearer ••••••",
    );
  });
});
