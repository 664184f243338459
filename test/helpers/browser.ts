// Debian's Chromium, driven by playwright-core, for the tests of pages the hub serves: never a test
// tool's own browser download (it fails without the internet). Each launch gets a fresh profile
// (launchPersistentContext passes it as --user-data-dir), removed when the browser closes.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

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

export interface OpenBrowser {
  browser: BrowserContext;
  page: Page;
  /** Errors the page threw or its console reported, for the test to expect none of. */
  problems: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<OpenBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The browser test needs Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  }
  const profile = await mkdtemp(path.join(tmpdir(), "cxhub-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    locale: "en-US",
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  // What the browser's console reports as an error: a resource that failed to load, a blocked script.
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  return {
    browser,
    page,
    problems,
    async close() {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
