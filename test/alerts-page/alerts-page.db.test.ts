import { print } from "graphql";
import { afterEach, describe, expect, inject } from "vitest";
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
        reasons: reasons ?? [],
        triggerKey: `page-test-${i}`,
      })),
    });
    await hub.live.dispatcher.wake();
    const admin = await createKey(db, "ADMIN");

    const { page, problems, close } = await openBrowser();
    cleanups.push(close);

    await page.goto(`${hub.url}/alerts`);
    await page.getByLabel("API key").fill(ana.key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Signed in as Ana Souza").waitFor();
    await page.getByText("Live: new alerts appear as they are raised.").waitFor();

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
});
