// The reference dashboard in a real browser: Debian's Chromium driven by playwright-core, against
// a gateway serving the dashboard built from dashboard/ for this run. Sign in, see the balance,
// send a transfer from the form and watch another tab's balance change live, page through 60
// connected accounts both ways, open an account's page, read a refused transfer's and a refused
// payout's message, double-click submit and move money once (a transfer, a payout, a crypto
// conversion after its quote). Each page's
// screenshot is saved to dist/screenshots/ (docs/images/ holds copies).
//
// Needs /usr/bin/chromium (`apt-get install -y chromium`; CI installs it): without it every test
// here fails, saying so.

import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../gateway/server.ts";
import { buildDashboard } from "../scripts/dashboard.ts";
import {
  AccountCryptoConversionsDocument,
  AccountPayoutsDocument,
  AccountTopupsDocument,
  AccountTransfersDocument,
  CreateTopupDocument,
  CreateTransferDocument,
} from "./generated/graphql.ts";
import { newBankAccount, newConnectedAccount, TEST_ACCOUNT_NUMBERS } from "./support/accounts.ts";
import { newPlatform, ok, type TestTenant } from "./support/client.ts";
import { testPlatform } from "./support/platform.ts";
import { extraGateway, positioned } from "./support/subscriptions.ts";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-sync",
];
const WAIT_MS = 45_000;
const SCREENSHOTS = join(process.cwd(), "dist", "screenshots");

const CHROMIUM_MISSING = existsSync(CHROMIUM)
  ? undefined
  : `Chromium is missing (${CHROMIUM}): the dashboard's browser tests need it. Install it with \`apt-get install -y chromium\` (CI's .ci/run does).`;

let built: string;
let gateway: RunningGateway;
let browser: Browser | undefined;
let tenant: TestTenant;
const sellers: string[] = [];
let platformBank: string;
let sellerBank: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const platform = await testPlatform();
  built = mkdtempSync(join(os.tmpdir(), "moneygraph-dashboard-"));
  await buildDashboard(built);
  gateway = await extraGateway(platform, { DASHBOARD_DIR: built });
  if (!CHROMIUM_MISSING) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, timeout: WAIT_MS });
  tenant = await newPlatform("Dashboard Platform");
  await ok(
    CreateTopupDocument,
    { input: { accountId: tenant.accountId, amount: "1000000", currency: "USD" }, key: randomUUID() },
    tenant.key,
  );
  for (let i = 0; i < 60; i++) sellers.push(await newConnectedAccount(tenant, { displayName: `Seller ${String(i).padStart(2, "0")}` }));
  platformBank = await newBankAccount(tenant, tenant.accountId);
  // Seller 20 has a bank account but no verification: its payouts are refused.
  sellerBank = await newBankAccount(tenant, sellers[20]!);
  // The top-up settles (SETTLEMENT_DELAY_MS=0 here) before any test reads the balance.
  const deadline = Date.now() + WAIT_MS;
  while ((await ok(AccountTopupsDocument, { id: tenant.accountId, status: "SUCCEEDED" }, tenant.key)).account!.topups.edges.length === 0) {
    if (Date.now() > deadline) throw new Error("the top-up did not settle");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(contexts.map((context) => context.close()));
  await browser?.close();
  await gateway?.stop();
  if (built) rmSync(built, { recursive: true, force: true });
});

function launched(): Browser {
  if (CHROMIUM_MISSING) throw new Error(CHROMIUM_MISSING);
  if (!browser) throw new Error("Chromium did not start (see the beforeAll error)");
  return browser;
}

const dashboardUrl = () => gateway.url.replace("//localhost:", "//127.0.0.1:").replace(/\/graphql$/, "/dashboard/");

/** A new tab signed in with `key` (each tab keeps its key in its own session storage). */
async function signedIn(key = tenant.key, context?: BrowserContext): Promise<Page> {
  const ctx = context ?? (await launched().newContext());
  if (!context) contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const answer = await page.goto(dashboardUrl(), { timeout: WAIT_MS });
  expect(answer?.status()).toBe(200);
  expect(answer?.headers()["content-security-policy"]).toContain("default-src 'self'");
  await page.getByLabel("Secret key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("table", { name: "Balances" }).waitFor();
  expect(errors).toEqual([]);
  return page;
}

const available = (page: Page) => page.getByTestId("available-USD").innerText();

/**
 * `step`, or a failure naming it once WAIT_MS has passed (the test's own time limit names
 * nothing), with the state `describe`, if given, finds then.
 */
async function withinWait<T>(step: Promise<T>, what: string, describe?: () => Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const state = describe ? describe().catch((error: unknown) => `(could not describe: ${String(error)})`) : Promise.resolve("");
      void state.then((found) => reject(new Error(`waited ${WAIT_MS} ms for ${what}${found ? `: ${found}` : ""}`)));
    }, WAIT_MS);
  });
  try {
    return await Promise.race([step, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("the dashboard", () => {
  it("signs in with a secret key, keeps it out of the URL and local storage, and shows the balance", async () => {
    const page = await signedIn();
    expect(await available(page)).toBe("10,000.00");
    await page.getByRole("img", { name: "Available USD over time" }).waitFor();
    expect(page.url()).not.toContain(tenant.key);
    expect(await page.evaluate(() => Object.keys(localStorage).length)).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard-balances.png"), fullPage: true });
  });

  it("refuses a wrong key with words", async () => {
    const context = await launched().newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(dashboardUrl());
    await page.getByLabel("Secret key").fill(`sk_test_${"x".repeat(32)}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").innerText(), { timeout: WAIT_MS }).toMatch(/not valid/);
  });

  it("sends a transfer from the form, and another tab's balance changes live, without a reload", async () => {
    // No wait for the overview's subscription to start: whether the transfer commits before it
    // (then its first event, the balances with `current: true`, has it) or after (a live event),
    // the page shows it.
    const overview = await signedIn();
    const before = await available(overview);
    let reloads = 0;
    overview.on("framenavigated", () => (reloads += 1));
    const form = await signedIn(tenant.key, overview.context());
    await form.goto(`${dashboardUrl()}#/transfers`);
    await form.getByLabel("To").selectOption(sellers[7]!);
    await form.getByLabel("Amount").fill("12.34");
    await form.getByRole("button", { name: "Send transfer" }).click();
    await expect.poll(() => form.getByRole("status").innerText(), { timeout: WAIT_MS }).toBe("Sent 12.34 USD to Seller 07.");
    await form.getByRole("table", { name: "Transfers" }).getByText("Seller 07").waitFor();
    const expected = (Number(before.replace(/,/g, "")) - 12.34).toLocaleString("en-US", { minimumFractionDigits: 2 });
    await expect.poll(() => available(overview), { timeout: WAIT_MS }).toBe(expected);
    expect(reloads).toBe(0);
    await form.screenshot({ path: join(SCREENSHOTS, "dashboard-transfers.png"), fullPage: true });
    // Back to the balances in the form's tab (no reload, the page it signed in on before): the new
    // figure, not that earlier visit's cached one.
    await form.getByRole("link", { name: "Balances" }).click();
    await expect.poll(() => available(form), { timeout: WAIT_MS }).toBe(expected);
  });

  it("pages through 60 connected accounts, 25 at a time, down and back up", async () => {
    const page = await signedIn();
    await page.goto(`${dashboardUrl()}#/accounts`);
    const table = page.getByRole("table", { name: "Connected accounts" });
    const names = async () => {
      await expect.poll(() => table.getAttribute("aria-busy"), { timeout: WAIT_MS }).toBe("false");
      return table.locator("tbody tr td:first-child").allInnerTexts();
    };
    await table.locator("tbody tr").first().waitFor();
    expect(await page.getByTestId("account-count").innerText()).toBe("60 accounts");
    const pages = [await names()];
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard-accounts.png"), fullPage: true });
    const older = page.getByRole("button", { name: "Older →" });
    const newer = page.getByRole("button", { name: "← Newer" });
    expect(await newer.isDisabled()).toBe(true);
    for (let i = 0; i < 2; i++) {
      const previousFirst = pages.at(-1)![0];
      await older.click();
      await expect.poll(async () => (await names())[0], { timeout: WAIT_MS }).not.toBe(previousFirst);
      pages.push(await names());
    }
    expect(pages.map((p) => p.length)).toEqual([25, 25, 10]);
    expect(await older.isDisabled()).toBe(true);
    const all = pages.flat();
    expect(new Set(all).size).toBe(60);
    expect(all).toEqual(sellers.map((_, i) => `Seller ${String(59 - i).padStart(2, "0")}`));
    await newer.click();
    await expect.poll(async () => (await names())[0], { timeout: WAIT_MS }).toBe(pages[1]![0]);
    expect(await names()).toEqual(pages[1]);
    // Searching: "seller 4" is in Seller 40 to Seller 49 only.
    await page.getByLabel("Search").fill("seller 4");
    await expect.poll(async () => (await names()).length, { timeout: WAIT_MS }).toBe(10);
    expect(await page.getByTestId("account-count").innerText()).toBe("10 accounts match");
    expect(await names()).toEqual(Array.from({ length: 10 }, (_, i) => `Seller ${49 - i}`));
    expect(await older.isDisabled()).toBe(true);
  });

  it("shows a refused transfer's reason in words, and moves nothing", async () => {
    const page = await signedIn();
    const before = await available(page);
    await page.goto(`${dashboardUrl()}#/transfers`);
    await page.getByLabel("To").selectOption(sellers[3]!);
    await page.getByLabel("Amount").fill("20000000");
    await page.getByRole("button", { name: "Send transfer" }).click();
    await expect.poll(() => page.getByRole("alert").innerText(), { timeout: WAIT_MS }).toBe("Not enough available funds for this.");
    const transfers = await ok(AccountTransfersDocument, { id: sellers[3]!, first: 10 }, tenant.key);
    expect(transfers.account!.transfers.edges).toEqual([]);
    await page.goto(dashboardUrl());
    expect(await available(page)).toBe(before);
  });

  it("moves money once when submit is double-clicked", async () => {
    const page = await signedIn();
    await page.goto(`${dashboardUrl()}#/transfers`);
    await page.getByLabel("To").selectOption(sellers[11]!);
    await page.getByLabel("Amount").fill("1.01");
    await page.getByRole("button", { name: "Send transfer" }).dblclick();
    await expect.poll(() => page.getByRole("status").innerText(), { timeout: WAIT_MS }).toBe("Sent 1.01 USD to Seller 11.");
    // Whatever the second click did (the same key again, or nothing) has finished by now.
    await page.waitForLoadState("networkidle");
    const received = await ok(AccountTransfersDocument, { id: sellers[11]!, first: 10 }, tenant.key);
    expect(received.account!.transfers.edges.map((edge) => edge.node.amount.amount)).toEqual(["101"]);
  });

  it("shows an account's page: what verification needs, its bank accounts, balances and history", async () => {
    const page = await signedIn();
    await page.goto(`${dashboardUrl()}#/accounts`);
    await page.getByRole("link", { name: "Seller 59" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText(), { timeout: WAIT_MS }).toBe("Seller 59");
    expect(page.url()).toContain(`#/account/${sellers[59]}`);
    await page.goto(`${dashboardUrl()}#/account/${sellers[7]}`);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText(), { timeout: WAIT_MS }).toBe("Seller 07");
    expect(await page.getByTestId("requirements").innerText()).toMatch(/^Verification needs: /);
    // The transfer of the test above: its history and balance.
    await page.getByRole("table", { name: "History" }).getByText("TRANSFER").waitFor();
    expect(await page.getByRole("table", { name: "Account balances" }).innerText()).toContain("12.34");
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard-account.png"), fullPage: true });
    await page.goto(`${dashboardUrl()}#/account/${sellers[20]}`);
    // Its bank account, by the last four digits of the test number it was added with.
    await page.getByText(`••${TEST_ACCOUNT_NUMBERS.paid.slice(-4)} · US · USD`).waitFor();
  });

  it("shows a refused payout's reason in words, and pays nothing", async () => {
    const page = await signedIn();
    await page.goto(`${dashboardUrl()}#/payouts`);
    await page.locator(`select[name="account"]`).selectOption(sellers[20]!);
    await page.getByLabel("Bank account").locator(`option[value="${sellerBank}"]`).waitFor({ state: "attached" });
    await page.getByLabel("Amount").fill("1.00");
    await page.getByRole("button", { name: "Pay out" }).click();
    await expect
      .poll(() => page.getByRole("alert").innerText(), { timeout: WAIT_MS })
      .toBe("Payouts are not enabled for this account: its verification is not complete.");
    const payouts = await ok(AccountPayoutsDocument, { id: sellers[20]!, first: 10 }, tenant.key);
    expect(payouts.account!.payouts.edges).toEqual([]);
  });

  it("pays out once when submit is double-clicked, and lists the payout", async () => {
    const page = await signedIn();
    await page.goto(`${dashboardUrl()}#/payouts`);
    await page.getByLabel("Bank account").locator(`option[value="${platformBank}"]`).waitFor({ state: "attached" });
    await page.getByLabel("Amount").fill("5.00");
    await page.getByRole("button", { name: "Pay out" }).dblclick();
    await expect
      .poll(() => page.getByRole("status").innerText(), { timeout: WAIT_MS })
      .toMatch(/^Paying out 5\.00 USD to the account ending \d{4}/);
    await page.waitForLoadState("networkidle");
    const payouts = await ok(AccountPayoutsDocument, { id: tenant.accountId, first: 10 }, tenant.key);
    expect(payouts.account!.payouts.edges.map((edge) => edge.node.amount.amount)).toEqual(["500"]);
    await expect.poll(() => page.getByRole("table", { name: "Payouts" }).locator("tbody tr").count(), { timeout: WAIT_MS }).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard-payouts.png"), fullPage: true });
  });

  it("opens a wallet, quotes a conversion and converts once on a double click", async () => {
    const page = await signedIn();
    await page.goto(`${dashboardUrl()}#/crypto`);
    await page.getByRole("button", { name: "Open a ETH wallet" }).click();
    await expect.poll(() => page.getByTestId("wallet-ETH").innerText(), { timeout: WAIT_MS }).toBe("0.000000000000000000");
    const before = await ok(AccountCryptoConversionsDocument, { id: tenant.accountId, first: 10 }, tenant.key);
    expect(before.account!.cryptoConversions.edges).toEqual([]);
    await page.getByLabel("Amount").fill("100");
    await page.locator(`select[name="source"]`).selectOption("USD");
    await page.locator(`select[name="destination"]`).selectOption("ETH");
    await page.getByRole("button", { name: "Get a quote" }).click();
    // 100.00 USD, 1% spread: 99.00 USD at 2,500 USD per ETH.
    await expect.poll(() => page.getByTestId("quote").innerText(), { timeout: WAIT_MS }).toMatch(/gives 0\.0396 ?0* ETH/);
    await page.screenshot({ path: join(SCREENSHOTS, "dashboard-crypto.png"), fullPage: true });
    await page.getByRole("button", { name: "Convert", exact: true }).dblclick();
    await expect.poll(() => page.getByRole("status").innerText(), { timeout: WAIT_MS }).toMatch(/^Converted 100\.00 USD into 0\.0396/);
    await expect.poll(() => page.getByTestId("wallet-ETH").innerText(), { timeout: WAIT_MS }).toBe("0.039600000000000000");
    await page.waitForLoadState("networkidle");
    const after = await ok(AccountCryptoConversionsDocument, { id: tenant.accountId, first: 10 }, tenant.key);
    expect(after.account!.cryptoConversions.edges).toHaveLength(1);
  });

  it(
    "keeps the balance live across a gateway restart, resuming after the last event it showed",
    async () => {
      const ready = positioned(gateway);
      const page = await signedIn();
      await ready();
      const amountOf = async () => Number((await available(page)).replace(/,/g, ""));
      const start = await amountOf();
      const transfer = (amount: string) =>
        ok(
          CreateTransferDocument,
          { input: { destinationAccountId: sellers[30]!, amount, currency: "USD" }, key: randomUUID() },
          tenant.key,
        );
      await transfer("100");
      await expect.poll(amountOf, { timeout: WAIT_MS }).toBe(start - 1);
      // The gateway stops (its sockets closed with 1012); a transfer commits while it is down; a
      // new gateway comes up on the same port.
      const { port } = gateway;
      const stopping = gateway;
      // Where a stop that hangs is held (it did once in CI): sockets, HTTP connections, or neither.
      await withinWait(gateway.stop(), "the gateway to stop", async () => {
        const connections = await new Promise<number>((resolve, reject) =>
          stopping.httpServer.getConnections((error, count) => (error ? reject(error) : resolve(count))),
        );
        return `${JSON.stringify(stopping.socketStats())}, ${connections} TCP connections open`;
      });
      await transfer("250");
      gateway = await extraGateway(await testPlatform(), { DASHBOARD_DIR: built }, { port });
      try {
        await expect.poll(amountOf, { timeout: WAIT_MS }).toBe(start - 3.5);
      } catch (error) {
        // What the page showed instead (this step timed out once in CI, busy, without a trace).
        const live = await page
          .getByTestId("live-status")
          .innerText({ timeout: 1_000 })
          .catch(() => "(no live status)");
        const body = await page
          .locator("main")
          .innerText({ timeout: 1_000 })
          .catch(() => "(no main)");
        throw new Error(`after the restart: ${live}\n${body.slice(0, 1_000)}`, { cause: error });
      }
      expect(await page.getByTestId("live-status").innerText()).toMatch(/reconnected \d+×, resumed after the last event/);
      // And live again afterwards.
      await transfer("50");
      await expect.poll(amountOf, { timeout: WAIT_MS }).toBe(start - 4);
      // Its waits of up to WAIT_MS each, on a machine as busy as CI's.
    },
    6 * WAIT_MS,
  );
});
