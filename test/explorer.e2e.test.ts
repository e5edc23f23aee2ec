// The explorer in a real browser: Debian's Chromium driven by playwright-core. GET /graphql must
// work with no network beyond the gateway (every request to another host is aborted and counted,
// and none may be needed), show the schema, run a query with a key typed in the Headers tab or
// prefilled there (development), and run a subscription over graphql-ws on the same URL with the
// Headers tab's key.
//
// Needs /usr/bin/chromium (`apt-get install -y chromium`; CI installs it): without it every test
// here fails, saying so.

import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../cmd/platform.ts";
import type { RunningGateway } from "../gateway/server.ts";
import { CreateTopupDocument } from "./generated/graphql.ts";
import { newPlatform, ok, type TestTenant } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";
import { extraGateway, positioned } from "./support/subscriptions.ts";

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
// A 9 MB page on a busy two-core machine: generous, and only ever waited on, never slept.
const WAIT_MS = 45_000;
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost"]);

let platform: RunningPlatform;
let tenant: TestTenant;
let browser: Browser | undefined;
let development: RunningGateway | undefined;
const contexts: BrowserContext[] = [];

// Checked by every test, so that each fails (rather than being skipped after a failed hook).
const CHROMIUM_MISSING = existsSync(CHROMIUM)
  ? undefined
  : `Chromium is missing (${CHROMIUM}): the explorer's browser test needs it. Install it with \`apt-get install -y chromium\` (CI's .ci/run does).`;

function launched(): Browser {
  if (CHROMIUM_MISSING) throw new Error(CHROMIUM_MISSING);
  if (!browser) throw new Error("Chromium did not start (see the beforeAll error)");
  return browser;
}

const isLocal = (url: URL) => LOCAL_HOSTS.has(url.hostname);
/** The gateway's URL on IPv4 loopback, where it listens (a browser may try ::1 for localhost). */
const loopback = (url: string) => url.replace("//localhost:", "//127.0.0.1:");

interface Explorer {
  readonly page: Page;
  /** Requests to any other host than the gateway's, aborted. */
  readonly external: string[];
  /** Uncaught errors in the page. */
  readonly pageErrors: string[];
  /** graphql-ws frames the page sent. */
  readonly sentFrames: string[];
}

/** A fresh browser context (no stored tabs or headers) on the explorer, with the network fenced. */
async function openExplorer(url: string): Promise<Explorer> {
  const context = await launched().newContext();
  contexts.push(context);
  const external: string[] = [];
  const pageErrors: string[] = [];
  const sentFrames: string[] = [];
  // Workers and pages alike: anything over HTTP to another host is aborted and counted.
  await context.route(
    (url) => !isLocal(url),
    (route) => {
      external.push(route.request().url());
      return route.abort("blockedbyclient");
    },
  );
  await context.routeWebSocket(
    (url) => !isLocal(url),
    (socket) => {
      external.push(socket.url());
      return socket.close();
    },
  );
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("websocket", (socket) => socket.on("framesent", (frame) => sentFrames.push(String(frame.payload))));
  const answer = await page.goto(url, { timeout: WAIT_MS });
  expect(answer?.status()).toBe(200);
  expect(answer?.headers()["content-type"]).toMatch(/text\/html/);
  await page.locator(".graphiql-query-editor .monaco-editor").waitFor();
  return { page, external, pageErrors, sentFrames };
}

/**
 * Replaces an editor's text (Monaco: select all, then insert as one input), and waits until
 * GraphiQL has taken it: it reads an editor into its state on a debounce (100 ms after the last
 * change), so a click on "execute" right after typing may still run the previous text (on a busy
 * machine it did: the query before instead of the subscription). GraphiQL saves the text to its
 * storage in the same debounced step (headers later still, when it keeps them), which the page
 * shows.
 */
async function setEditor(page: Page, editor: "query" | "headers", text: string): Promise<void> {
  const target =
    editor === "query" ? page.locator(".graphiql-query-editor .monaco-editor") : page.locator('.monaco-editor[data-uri$="headers.json"]');
  await target.first().click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
  const stored = () =>
    page.evaluate(
      ({ key, value }) =>
        Object.keys(localStorage).some((name) => (name === key || name.endsWith(`:${key}`)) && localStorage.getItem(name) === value),
      { key: editor, value: text },
    );
  await expect.poll(stored, { timeout: WAIT_MS }).toBe(true);
}

async function execute(page: Page): Promise<void> {
  await page.getByRole("button", { name: /execute/i }).click();
}

/** An element's text as a reader sees it (Monaco renders spaces as no-break spaces). */
const textOf = async (locator: Locator) => (await locator.innerText()).replace(/\u00a0/g, " ");
const responseText = (page: Page) => textOf(page.locator(".graphiql-response"));
const headersText = (page: Page) => textOf(page.locator('.monaco-editor[data-uri$="headers.json"]'));

beforeAll(async () => {
  platform = await testPlatform();
  tenant = await newPlatform("Explorer Platform");
  if (!CHROMIUM_MISSING) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, timeout: WAIT_MS });
});

afterAll(async () => {
  // The browser (and every process it started) goes even if a context will not close.
  await Promise.allSettled(contexts.map((context) => context.close()));
  await browser?.close();
  await development?.stop();
});

describe("the explorer, in Chromium", { timeout: 180_000 }, () => {
  // One visit (a 9 MB page is slow to load on a busy machine): the schema, a query, a subscription.
  describe("a visit with no key prefilled", () => {
    // Opened by the first test that needs it, so that a page that will not load fails the tests.
    let opened: Promise<Explorer> | undefined;
    const url = () => loopback(platform.gateway!.url);
    const visit = () => (opened ??= openExplorer(url()));

    it("loads with nothing from beyond the gateway and shows the schema", async () => {
      const { page, external, pageErrors } = await visit();
      await page.getByRole("button", { name: /documentation explorer/i }).click();
      const docs = page.locator(".graphiql-doc-explorer");
      await docs.getByText("Query", { exact: true }).first().click();
      await expect.poll(() => textOf(docs), { timeout: WAIT_MS }).toMatch(/\bviewer\b/);
      // The Sandbox link, for those online, points at this very endpoint.
      const sandbox = await page.locator("#sandbox").getAttribute("href");
      expect(sandbox).toBe(`https://studio.apollographql.com/sandbox/explorer?endpoint=${encodeURIComponent(url())}`);
      // The Headers tab is ready to fill, and holds no key.
      await expect.poll(() => headersText(page)).toMatch(/"Authorization": ""/);
      expect(external).toEqual([]);
      expect(pageErrors).toEqual([]);
    });

    it("runs a query with a key typed in the Headers tab and shows the result", async () => {
      const { page, external, pageErrors } = await visit();
      await setEditor(page, "headers", JSON.stringify({ Authorization: `Bearer ${tenant.key}` }));
      await setEditor(page, "query", "query Me { viewer { id displayName } }");
      await execute(page);
      await expect.poll(() => responseText(page), { timeout: WAIT_MS }).toContain(tenant.accountId);
      expect(await responseText(page)).toContain('"displayName": "Explorer Platform"');
      expect(external).toEqual([]);
      expect(pageErrors).toEqual([]);
    });

    it("runs a subscription over graphql-ws on the same URL with the Headers tab's key", async () => {
      const { page, external, sentFrames } = await visit();
      const ready = positioned(platform);
      await setEditor(
        page,
        "query",
        `subscription { balanceChanged(accountId: "${tenant.accountId}") { currency available { amount } pending { amount } } }`,
      );
      await execute(page);
      // The browser's click, its socket and the subscription's start, on a machine that may be busy.
      await ready(1, WAIT_MS);
      await ok(
        CreateTopupDocument,
        { input: { accountId: tenant.accountId, amount: "4321", currency: "USD" }, key: randomUUID() },
        tenant.key,
      );
      await expect.poll(() => responseText(page), { timeout: WAIT_MS }).toContain('"4321"');
      // The key went in connectionParams, where the gateway admits a socket by it.
      const init = sentFrames
        .map((frame) => JSON.parse(frame) as { type: string; payload?: unknown })
        .find((frame) => frame.type === "connection_init");
      expect(init?.payload).toEqual({ authorization: `Bearer ${tenant.key}` });
      expect(external).toEqual([]);
    });
  });

  it("in development opens with the key it was given already in the Headers tab", async () => {
    development = await extraGateway(platform, { NODE_ENV: "development" });
    development.prefillExplorerKey(tenant.key);
    const { page, external } = await openExplorer(loopback(development.url));
    // The default query, as it is, runs as the prefilled key's platform.
    await execute(page);
    await expect.poll(() => responseText(page), { timeout: WAIT_MS }).toContain(tenant.accountId);
    expect(external).toEqual([]);
  });
});
