// The data migration that brings stored sentiment onto the hub's one scale, s / √(s² + 15) of the
// AFINN-165 sum. Rows are written as the old plugins stored them, straight into the table.
import { describe, expect } from "vitest";
import { sentimentOf as gmailSentiment } from "../../../plugins/gmail/sentiment.ts";
import type { Db } from "../../../src/db/database.ts";
import { restateSentiment } from "../../../src/domain/interactions/restate-sentiment.ts";
import { test } from "../../helpers/database.ts";

const GMAIL = "support-inbox";
const META = "acme-facebook";
const TINYDESK = "tinydesk";

/** Ana's reply, with the thread Gmail quotes under it. */
const REPLY_WITH_QUOTE =
  "Thank you, works great.\n\nAna\n\nOn Mon, Mar 2, 2026 at 11:41 AM Acme Support <support@acme.example> wrote:\n> Sorry about the kettle.";

interface Row {
  externalId: string;
  source: string;
  customer: "ana" | "li" | "tom";
  direction?: "INBOUND" | "OUTBOUND";
  body: string | null;
  sentiment: number | null;
}

const STORED: Row[] = [
  // Gmail, old scale: tanh(−3 / 1 word) = −0.995. Now −3 / √24.
  { externalId: "g-1", source: GMAIL, customer: "ana", body: "Terrible!", sentiment: -0.995 },
  // Gmail scored Ana's own words: tanh(5 / 4 words) = 0.848.
  { externalId: "g-2", source: GMAIL, customer: "ana", body: REPLY_WITH_QUOTE, sentiment: 0.848 },
  // Gmail never scored our own mail.
  {
    externalId: "g-3",
    source: GMAIL,
    customer: "ana",
    direction: "OUTBOUND",
    body: "Sorry!",
    sentiment: null,
  },
  // No body to score: left as it is.
  { externalId: "g-4", source: GMAIL, customer: "ana", body: null, sentiment: 0.5 },
  // Meta already used the hub's formula: love +3, best +3, 6 / √51.
  {
    externalId: "m-1",
    source: META,
    customer: "li",
    body: "Love this kettle, best purchase ever!",
    sentiment: 0.84,
  },
  // Meta scored the Page's replies too.
  {
    externalId: "m-2",
    source: META,
    customer: "li",
    direction: "OUTBOUND",
    body: "Sorry Li!",
    sentiment: -0.25,
  },
  // Meta gave 0 to a comment without words; the hub gives none.
  { externalId: "m-3", source: META, customer: "li", body: "!!!", sentiment: 0 },
  // Given by their sources, not on an old scale of the hub's.
  { externalId: "t-1", source: TINYDESK, customer: "tom", body: "Terrible!", sentiment: -0.3 },
  { externalId: "a-1", source: "crm-api", customer: "tom", body: "Terrible!", sentiment: -0.9 },
];

async function storeOldRows(db: Db): Promise<Record<Row["customer"], string>> {
  await db.connector.createMany({
    data: [
      { pluginId: "gmail", name: GMAIL },
      { pluginId: "meta-comments", name: META },
      { pluginId: "template", name: TINYDESK },
    ],
  });
  const customers = {
    ana: (await db.customer.create({ data: { displayName: "Ana" } })).id,
    li: (await db.customer.create({ data: { displayName: "Li" } })).id,
    tom: (await db.customer.create({ data: { displayName: "Tom" } })).id,
  };
  await db.interaction.createMany({
    data: STORED.map((row) => ({
      customerId: customers[row.customer],
      source: row.source,
      externalId: row.externalId,
      channel: row.source === META ? "SOCIAL" : "EMAIL",
      kind: "message.received",
      direction: row.direction ?? "INBOUND",
      occurredAt: new Date("2026-11-20T10:00:00Z"),
      body: row.body,
      sentiment: row.sentiment,
    })),
  });
  return customers;
}

async function sentiments(db: Db): Promise<Record<string, number | null>> {
  const rows = await db.interaction.findMany({ select: { externalId: true, sentiment: true } });
  return Object.fromEntries(rows.map((row) => [row.externalId, row.sentiment]));
}

describe("restateSentiment", () => {
  test("rewrites Gmail and Meta sentiments to what a sync now stores, in slices, and leaves the rest", async ({
    db,
  }) => {
    const customers = await storeOldRows(db.prisma);

    const result = await restateSentiment(db.prisma, { sliceSize: 2 });

    expect(await sentiments(db.prisma)).toEqual({
      "g-1": -0.612,
      // The whole body, quote included: thank +2, great +3, support +2, sorry −1: 6 / √51.
      "g-2": 0.84,
      "g-3": null,
      "g-4": 0.5,
      "m-1": 0.84,
      "m-2": null,
      "m-3": null,
      "t-1": -0.3,
      "a-1": -0.9,
    });
    expect(result).toEqual({ updated: 4, customerIds: [customers.ana, customers.li].sort() });
  });

  test("scores a plugin's rows its own way when told how: Gmail's own words of a reply", async ({ db }) => {
    await storeOldRows(db.prisma);

    await restateSentiment(db.prisma, { scorers: { gmail: gmailSentiment } });

    // thank +2, great +3: 5 / √40, what the Gmail plugin now gives for the same message.
    expect((await sentiments(db.prisma))["g-2"]).toBe(0.791);
    expect(gmailSentiment(REPLY_WITH_QUOTE)).toBe(0.791);
  });

  test("run again, rewrites nothing and names the same customers, so a run cut short loses none", async ({
    db,
  }) => {
    const customers = await storeOldRows(db.prisma);
    await restateSentiment(db.prisma);
    const after = await sentiments(db.prisma);

    expect(await restateSentiment(db.prisma)).toEqual({
      updated: 0,
      customerIds: [customers.ana, customers.li].sort(),
    });
    expect(await sentiments(db.prisma)).toEqual(after);
  });
});
