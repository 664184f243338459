// defineConnector: stamps the SDK api version, and refuses a malformed definition at once, naming
// each problem, so that a plugin author hears of it before the hub does.

import { describe, expect, test } from "vitest";
import { z } from "zod";
import { defineConnector, SDK_API_VERSION } from "../../src/sdk/define-connector.ts";
import { checkpoint, record } from "../../src/sdk/records.ts";
import { runStream } from "../../src/sdk/testing/index.ts";

const base = {
  id: "demo",
  name: "Demo",
  channel: "email" as const,
  version: "1.0.0",
  config: z.object({ token: z.string() }),
  check: () => ({ ok: true as const }),
};

describe("defineConnector", () => {
  test("returns the definition stamped with the SDK api version", () => {
    const connector = defineConnector({ ...base, streams: { messages: { async *read() {} } } });
    expect(SDK_API_VERSION).toBe(1);
    expect(connector.sdkApiVersion).toBe(SDK_API_VERSION);
    expect(connector.id).toBe("demo");
  });

  test("refuses a stream whose read is not an async generator, and an unknown channel", () => {
    expect(() =>
      defineConnector({
        ...base,
        channel: "fax" as "email",
        // @ts-expect-error read must be an async generator function
        streams: { messages: { read: async () => [] } },
      }),
    ).toThrow(
      'defineConnector("demo"): channel must be one of email, ecommerce, social, support, web, phone, chat, other; streams.messages.read must be an async generator function (async *read(ctx) { … yield … }).',
    );
  });
});

describe("a stream run by the test kit", () => {
  const connector = defineConnector({
    ...base,
    streams: {
      messages: {
        cursor: z.object({ after: z.number() }),
        async *read(ctx) {
          const start = ctx.cursor?.after ?? 0;
          for (let id = start + 1; id <= start + 2; id++) {
            yield record.interaction({
              externalId: `m${id}`,
              identities: [{ kind: "email", value: id === 2 ? "broken" : `u${id}@example.com` }],
              kind: "email.received",
              direction: "inbound",
              occurredAt: new Date(Date.UTC(2026, 0, id)),
            });
          }
          yield checkpoint({ after: start + 2 });
        },
      },
    },
  });

  test("gets the config and cursor it was given, and lists invalid records without stopping", async () => {
    const run = await runStream(connector, "messages", { config: { token: "t" }, cursor: { after: 0 } });
    expect(run.records.map((r) => r.type === "interaction" && r.externalId)).toEqual(["m1"]);
    expect(run.invalid).toEqual([
      {
        index: 1,
        payload: expect.objectContaining({ externalId: "m2" }),
        reason:
          'The interaction record is invalid at identities.0.value: "broken" is not an email address (expected name@domain).',
        issues: [
          { path: "identities.0.value", message: '"broken" is not an email address (expected name@domain).' },
        ],
      },
    ]);
    expect(run.checkpoints).toEqual([{ after: 2 }]);
  });

  test("refuses a configuration the connector's schema refuses", async () => {
    await expect(runStream(connector, "messages", { config: {} })).rejects.toThrow(
      /^The configuration of connector "demo" is invalid: token: /,
    );
  });

  test("names the streams there are when asked for one that is not", async () => {
    await expect(runStream(connector, "mails", { config: { token: "t" } })).rejects.toThrow(
      'Connector "demo" has no stream "mails"; it has messages.',
    );
  });
});
