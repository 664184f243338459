// The alerts page end to end in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core): an account manager signs in with a real API key, sees their at-risk customers
// with reasons, watches an alert arrive live when an interaction is recorded through GraphQL,
// acknowledges it, and the database says so. PostgreSQL only: the page does not depend on the
// database kind, and one browser run keeps the suite's time down.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { print } from "graphql";
import { chromium } from "playwright-core";
import { afterEach, describe, expect, inject } from "vitest";
import {
  createKey,
  detractorAnswer,
  type LiveHub,
  managerWithCustomer,
  startLiveHub,
} from "../alerts/helpers/live-hub.ts";
import { RecordInteractionDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(inject("databaseKind") !== "postgres")("the alerts page", () => {
  test("sign in, see at-risk customers, receive an alert live, acknowledge it", { timeout: 90_000 }, async ({
    db,
  }) => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`The browser test needs Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    }
    const hub: LiveHub = await startLiveHub(db);
    cleanups.push(() => hub.close());
    const ana = await managerWithCustomer(db, "Ana Souza");
    const slipping = await managerWithCustomer(db, "Bea Lima");
    await db.prisma.customer.update({
      where: { id: slipping.customerId },
      data: { ownerId: ana.principal.id },
    });
    await detractorAnswer(db, ana.customerId); // Already HIGH when the page opens (its alert is open).
    await hub.live.dispatcher.wake();
    const admin = await createKey(db, "ADMIN");

    // A fresh profile for every run (launchPersistentContext passes it as --user-data-dir).
    const profile = await mkdtemp(path.join(tmpdir(), "cxhub-chromium-"));
    cleanups.push(() => rm(profile, { recursive: true, force: true }));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    cleanups.push(() => browser.close());
    const page = browser.pages()[0] ?? (await browser.newPage());
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));

    await page.goto(`${hub.url}/alerts`);
    await page.getByLabel("API key").fill(ana.key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Signed in as Ana Souza").waitFor();
    await page.getByText("Live: new alerts appear as they are raised.").waitFor();

    const customers = page.locator("#customers");
    await customers.getByText("Ana Souza's client").waitFor();
    expect(await customers.textContent()).toContain("Answered 0 to the NPS survey");
    const alerts = page.locator("#alerts");
    expect(await alerts.locator(":scope > li").count()).toBe(1);

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
    // The at-risk list follows: the new alert's customer joins it.
    await customers.getByText("Bea Lima's client").waitFor();
    await acknowledge.click();
    await card.getByText("Acknowledged: you are on it.").waitFor();

    const stored = await db.prisma.alert.findFirstOrThrow({ where: { customerId: slipping.customerId } });
    expect(stored).toMatchObject({ status: "ACKNOWLEDGED", acknowledgedById: ana.principal.id });
    expect(problems).toEqual([]);
  });
});
