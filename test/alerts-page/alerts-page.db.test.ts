import { print } from "graphql";
import { afterEach, describe, expect, inject } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { defineJourney } from "../../src/domain/journeys/define-journey.ts";
import type { Direction } from "../../src/generated/prisma/enums.ts";
import {
  createKey,
  detractorAnswer,
  type LiveHub,
  managerWithCustomer,
  startLiveHub,
} from "../alerts/helpers/live-hub.ts";
import { RecordInteractionDocument } from "../generated/graphql/graphql.ts";
import { openBrowser } from "../helpers/browser.ts";
import { test } from "../helpers/database.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(inject("databaseKind") !== "postgres")("the alerts page", () => {
  test("sign in, see totals, page past the first page, receive an alert live, acknowledge it, open a customer", {
    timeout: 90_000,
  }, async ({ db }) => {
    const hub: LiveHub = await startLiveHub(db);
    cleanups.push(() => hub.close());
    const ana = await managerWithCustomer(db, "Ana Souza");
    const slipping = await managerWithCustomer(db, "Bea Lima");
    await db.prisma.customer.update({
      where: { id: slipping.customerId },
      data: { ownerId: ana.principal.id },
    });
    await detractorAnswer(db, ana.customerId); // Already HIGH when the page opens (its alert is open).
    const { reasons } = await db.prisma.score.findUniqueOrThrow({ where: { customerId: ana.customerId } });
    // An alert keeps its reasons with their sentences (a snapshot); a score keeps them as values.
    const { reasons: alertReasons } = await db.prisma.alert.findFirstOrThrow({
      where: { customerId: ana.customerId },
    });
    // 22 more at-risk customers with an open alert each: more than a page (20) of both lists. Their
    // lifetime values set the order of the at-risk list; Ana Souza's client has none and comes last.
    const more = await db.prisma.customer.createManyAndReturn({
      data: Array.from({ length: 22 }, (_, i) => ({
        displayName: `Client ${i + 1}`,
        ownerId: ana.principal.id,
      })),
    });
    await db.prisma.score.createMany({
      data: more.map((customer, i) => ({
        customerId: customer.id,
        churnRisk: 0.7,
        churnRiskLevel: "HIGH" as const,
        reasons: reasons ?? [],
        clv: `${(i + 1) * 100}.00`,
        currency: "USD",
        modelVersion: "churn-v1/test",
        computedAt: new Date("2026-06-15T12:00:00Z"),
      })),
    });
    await db.prisma.alert.createMany({
      data: more.map((customer, i) => ({
        customerId: customer.id,
        ownerId: ana.principal.id,
        level: "HIGH" as const,
        score: 0.7,
        previousScore: 0.5,
        previousLevel: "MEDIUM" as const,
        reasons: alertReasons ?? [],
        triggerKey: `page-test-${i}`,
      })),
    });
    await hub.live.dispatcher.wake();
    const admin = await createKey(db, "ADMIN");

    const { page, problems } = await signedIn(hub, ana.key, "Ana Souza");

    // Totals, and the alerts past the first page.
    const totals = page.locator("#totals");
    expect(await totals.locator("#total-alerts").textContent()).toBe("23");
    expect(await totals.locator("#total-customers").textContent()).toBe("23");
    const alerts = page.locator("#alerts");
    expect(await alerts.locator(":scope > li").count()).toBe(20);
    expect(await page.locator("#alerts-shown").textContent()).toBe("Showing 20 of 23 alerts.");
    await page.getByRole("button", { name: "Show more alerts" }).click();
    await page.getByText("Showing 23 of 23 alerts.").waitFor();
    expect(await alerts.locator(":scope > li").count()).toBe(23);
    expect(await page.getByRole("button", { name: "Show more alerts" }).isHidden()).toBe(true);

    // An interaction recorded through GraphQL takes Bea Lima's client past the HIGH threshold.
    const response = await fetch(`${hub.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin.key}` },
      body: JSON.stringify({
        query: print(RecordInteractionDocument),
        variables: {
          input: {
            customer: { id: Buffer.from(`Customer:${slipping.customerId}`).toString("base64") },
            source: "mail",
            externalId: "complaint-1",
            channel: "EMAIL",
            kind: "email.received",
            direction: "INBOUND",
            occurredAt: new Date(Date.now() - 60_000).toISOString(),
            summary: "Third time asking about my broken order",
            sentiment: -0.9,
          },
        },
      }),
    });
    expect(response.status).toBe(200);

    const acknowledge = page.getByRole("button", { name: "Acknowledge the alert about Bea Lima's client" });
    await acknowledge.waitFor();
    const card = alerts.locator(":scope > li", { hasText: "Bea Lima's client" });
    expect(await card.getAttribute("class")).toContain("new");
    expect(await card.textContent()).toMatch(/High\s*Churn risk \d+%, up from 50%/);
    await page.locator("#total-alerts", { hasText: "24" }).waitFor();
    // The at-risk list follows: its total counts the new alert's customer.
    await page.locator("#total-customers", { hasText: "24" }).waitFor();
    await acknowledge.click();
    await card.getByText("Acknowledged: you are on it.").waitFor();
    expect(await totals.locator("#total-alerts").textContent()).toBe("23");
    const stored = await db.prisma.alert.findFirstOrThrow({ where: { customerId: slipping.customerId } });
    expect(stored).toMatchObject({ status: "ACKNOWLEDGED", acknowledgedById: ana.principal.id });

    // The at-risk customers, by value at risk, past the first page: those without a value last.
    await page.getByRole("tab", { name: /At-risk customers/ }).click();
    const customers = page.locator("#customers");
    await customers.locator(":scope > li").first().waitFor();
    expect(await customers.locator(":scope > li").count()).toBe(20);
    expect(await customers.locator(":scope > li").first().textContent()).toContain("Client 22");
    expect(await customers.locator(":scope > li").first().textContent()).toContain("Value at risk $1,540.00");
    await page.getByRole("button", { name: "Show more customers" }).click();
    await page.getByText("Showing 24 of 24 customers.").waitFor();
    const names = await customers.locator(":scope > li h3 a").allTextContents();
    expect(names.slice(0, 3)).toEqual(["Client 22", "Client 21", "Client 20"]);
    expect(names.slice(-2).sort()).toEqual(["Ana Souza's client", "Bea Lima's client"]);

    // One customer: score, reasons with their shares and sentences, history and timeline.
    await customers.getByRole("link", { name: "Ana Souza's client" }).click();
    const view = page.locator("#customer-view");
    await view.getByRole("heading", { name: "Ana Souza's client" }).waitFor();
    expect(await view.locator("#customer-score").textContent()).toMatch(/Churn risk\s*\d+% \(High\)/);
    const npsReason = view.locator("#reasons tbody tr", { hasText: "Answered 0 to the NPS survey" });
    expect(await npsReason.locator("th").textContent()).toBe("NPS");
    expect(await npsReason.textContent()).toMatch(/\d+%\s*raises the risk/);
    expect(await view.locator("#history tbody tr").count()).toBeGreaterThanOrEqual(2);
    expect(await view.locator("#timeline").textContent()).toContain("NPS answer: 0");
    expect(await view.locator("#timeline-count").textContent()).toBe("(1 entry)");
    await view.getByRole("button", { name: "← Back to the lists" }).click();
    await customers.getByRole("link", { name: "Client 22" }).waitFor();
    expect(problems).toEqual([]);
  });

  test("an admin sees everyone's alerts and at-risk customers, and can pick one account manager's book", {
    timeout: 90_000,
  }, async ({ db }) => {
    const hub: LiveHub = await startLiveHub(db);
    cleanups.push(() => hub.close());
    const ana = await managerWithCustomer(db, "Ana Souza");
    const bea = await managerWithCustomer(db, "Bea Lima");
    await managerWithCustomer(db, "Cid Reis"); // Owns a customer who is not at risk.
    await detractorAnswer(db, ana.customerId);
    await detractorAnswer(db, bea.customerId);
    await hub.live.dispatcher.wake();
    // An admin key owns no customers: the page starts with everyone's.
    const admin = await createKey(db, "ADMIN", { name: "Hub Admin" });

    const { page, problems } = await signedIn(hub, admin.key, "Hub Admin");
    const book = page.getByLabel("Customers of");
    expect(await book.locator("option").allTextContents()).toEqual([
      "Everyone",
      "Ana Souza (1 customer)",
      "Bea Lima (1 customer)",
      "Cid Reis (1 customer)",
    ]);
    // Lists and totals render as their answers arrive: each check waits for what it expects.
    await page.locator("#total-alerts", { hasText: /^2$/ }).waitFor();
    await page.locator("#total-customers", { hasText: /^2$/ }).waitFor();
    const alertNames = async () => (await page.locator("#alerts > li h3 a").allTextContents()).sort();
    await expect.poll(alertNames).toEqual(["Ana Souza's client", "Bea Lima's client"]);

    // One manager's book: the lists, the totals and the panels narrow to it.
    await book.selectOption({ label: "Ana Souza (1 customer)" });
    await page.locator("#total-alerts", { hasText: /^1$/ }).waitFor();
    await page.locator("#total-customers", { hasText: /^1$/ }).waitFor();
    await expect.poll(alertNames).toEqual(["Ana Souza's client"]);

    // A live alert about another book's customer is not one of this book's.
    const beaSecond = await managerWithCustomer(db, "Bea Lima's colleague");
    await db.prisma.customer.update({
      where: { id: beaSecond.customerId },
      data: { ownerId: bea.principal.id },
    });
    await detractorAnswer(db, beaSecond.customerId);
    await hub.live.dispatcher.wake();
    // Then one about Ana's: it arrives, and the other did not slip in before it.
    const anaSecond = await managerWithCustomer(db, "Ana Souza's colleague");
    await db.prisma.customer.update({
      where: { id: anaSecond.customerId },
      data: { ownerId: ana.principal.id },
    });
    await detractorAnswer(db, anaSecond.customerId);
    await hub.live.dispatcher.wake();
    await page.getByRole("link", { name: "Ana Souza's colleague's client" }).waitFor();
    await expect.poll(alertNames).toEqual(["Ana Souza's client", "Ana Souza's colleague's client"]);
    await page.locator("#total-alerts", { hasText: /^2$/ }).waitFor();

    // Back to everyone's: all four alerts.
    await book.selectOption({ label: "Everyone" });
    await page.locator("#total-alerts", { hasText: /^4$/ }).waitFor();
    await page.locator("#total-customers", { hasText: /^4$/ }).waitFor();
    expect(problems).toEqual([]);
  });

  test("the response-speed and journey panels show the signed-in manager's own customers", {
    timeout: 90_000,
  }, async ({ db }) => {
    const hub: LiveHub = await startLiveHub(db);
    cleanups.push(() => hub.close());
    const ana = await managerWithCustomer(db, "Ana Souza");
    const bea = await managerWithCustomer(db, "Bea Lima");
    // The hub reads the machine's clock, so the messages are placed relative to it.
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    // Ana's client: a thread answered in 2 h, and a message waiting for 40 min.
    await messages(db, ana.customerId, "thread-1", [
      { at: minutesAgo(300), direction: "INBOUND", sentiment: -0.6 },
      { at: minutesAgo(180), direction: "OUTBOUND" },
    ]);
    await messages(db, ana.customerId, "thread-2", [{ at: minutesAgo(40), direction: "INBOUND" }]);
    // Bea's client, answered in 10 min: none of Ana's figures.
    await messages(db, bea.customerId, "thread-3", [
      { at: minutesAgo(120), direction: "INBOUND", sentiment: 0.8 },
      { at: minutesAgo(110), direction: "OUTBOUND" },
    ]);
    // Defined after the messages: it places both customers from their history.
    await defineJourney(db.prisma, {
      key: "support",
      name: "Support",
      stages: [
        { key: "asked", name: "Asked", enteredBy: ["email.received"] },
        { key: "answered", name: "Answered", enteredBy: ["email.sent"] },
      ],
    });

    const { page, problems } = await signedIn(hub, ana.key, "Ana Souza");

    await page.getByRole("tab", { name: "Response speed" }).click();
    const speed = page.locator("#panel-speed");
    const firstResponse = speed.locator("#speed-table tbody tr", { hasText: "First response" });
    await firstResponse.waitFor();
    // Measure, median, 90th percentile, target met, counted.
    expect(await firstResponse.locator("th, td").allTextContents()).toEqual([
      "First response",
      "2 h",
      "2 h",
      expect.any(String),
      "1",
    ]);
    expect(await speed.locator("#speed-facts").textContent()).toMatch(/Conversations\s*2/);
    expect(await speed.locator("#speed-channels tbody tr").allTextContents()).toEqual([
      expect.stringMatching(/^Email\s*2 h\s*2 h/),
    ]);
    expect(await speed.locator("#speed-waiting li").allTextContents()).toEqual([
      expect.stringMatching(/^Ana Souza's client · Email · waiting 4\d min/),
    ]);

    await page.getByRole("tab", { name: "Journeys" }).click();
    const journeys = page.locator("#panel-journeys");
    await journeys.getByText("1 of your customers entered this journey.").waitFor();
    expect(await journeys.locator("#no-journeys").isHidden()).toBe(true);
    expect(await journeys.locator("#journey-choice option").allTextContents()).toEqual(["Support"]);
    const rows = journeys.locator("#journey-stages tbody tr");
    expect(await rows.nth(0).locator("th, td").allTextContents()).toEqual([
      "Asked",
      "1",
      "0 (0%)",
      "2 h",
      "-0.60 (1 message)",
      "–",
      "–",
    ]);
    expect(await rows.nth(1).locator("th").textContent()).toBe("Answered");
    const curve = journeys.getByRole("img", { name: /Emotion curve/ });
    expect(await curve.getAttribute("aria-label")).toBe("Emotion curve: Asked -0.60.");
    expect(problems).toEqual([]);
  });
});

/** A browser on the hub's /alerts page, signed in with `key` as `name`, its alerts live. */
async function signedIn(hub: LiveHub, key: string, name: string) {
  const browser = await openBrowser();
  cleanups.push(browser.close);
  const { page } = browser;
  await page.goto(`${hub.url}/alerts`);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText(`Signed in as ${name}`).waitFor();
  await page.getByText("Live: new alerts appear as they are raised.").waitFor();
  return browser;
}

/** One conversation's email messages, stored as a provider would have reported them. */
async function messages(
  db: Database,
  customerId: string,
  conversationId: string,
  thread: Array<{ at: Date; direction: Direction; sentiment?: number }>,
) {
  await db.prisma.interaction.createMany({
    data: thread.map((message, index) => ({
      customerId,
      source: "mail",
      externalId: `${conversationId}-${index}`,
      channel: "EMAIL" as const,
      kind: message.direction === "INBOUND" ? "email.received" : "email.sent",
      direction: message.direction,
      occurredAt: message.at,
      conversationId,
      sentiment: message.sentiment ?? null,
    })),
  });
}
