import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { DEADLINE_MS } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveBrowserSdkPage, type BrowserSdkPage } from "./browser-sdk-page.js";
import { APP_DIR, startRelayProcess, type RelayProcess } from "./relay-process.js";

/** Debian's Chromium; no browser is downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Screenshots go here when set (`apps/relay/docs` refreshes the README's), else to a temporary folder. */
const SCREENSHOTS = process.env.CAPTURE_UI_SCREENSHOTS;

/**
 * Runs a script file with the real @sentry/node in its own process (a file, so that its frames
 * have source lines), from `dir`, where this app's dependencies are linked.
 */
function runNodeSdk(dir: string, dsn: string, body: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(APP_DIR, "node_modules"), join(dir, "node_modules"));
  const file = join(dir, "checkout-service.mjs");
  writeFileSync(
    file,
    [
      `import * as Sentry from "@sentry/node";`,
      `Sentry.init({ dsn: ${JSON.stringify(dsn)}, defaultIntegrations: false, integrations: [Sentry.contextLinesIntegration()], release: "api@1.4.2", environment: "test" });`,
      body,
      `await Sentry.flush(5000);`,
      "",
    ].join("\n"),
  );
  const child = spawn(process.execPath, [file], { cwd: dir, stdio: "pipe" });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once("exit", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`the SDK script failed (${String(code)}):\n${output}`));
    }),
  );
}

// What the browser app does on every page: a traced page load with two nested spans that take a
// little time, and an error thrown in a named function.
const BROWSER_APP = `
const cart = Sentry.startInactiveSpan({ name: "load cart", op: "function" });
Sentry.withActiveSpan(cart, () => {
  const request = Sentry.startInactiveSpan({ name: "GET /api/cart", op: "http.client", parentSpan: cart });
  setTimeout(() => { request.end(); cart.end(); }, 40);
});
function submitOrder() { throw new Error("payment declined"); }
try { submitOrder(); } catch (error) { Sentry.captureException(error); }
`;

describe("capture mode's web page in a real browser", () => {
  let dir: string;
  let relay: RelayProcess;
  let app: BrowserSdkPage;
  let browser: Browser;
  let page: Page;
  let shots: string;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "relay-capture-ui-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    shots = SCREENSHOTS ?? join(dir, "screenshots");
    mkdirSync(shots, { recursive: true });
    relay = await startRelayProcess(join(dir, "relay"));
    cleanups.push(() => relay.stop());
    app = await serveBrowserSdkPage(relay.dsn, join(dir, "sdk"), BROWSER_APP);
    cleanups.push(() => app.close());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    cleanups.push(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(DEADLINE_MS);
    await page.goto(`${relay.url}/`);
    await page.locator(".live.on").waitFor();
  });

  afterAll(async () => {
    // What beforeAll got to start, stopped in reverse order (all of it, even if it failed midway).
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const row = (text: string) => page.locator("tr.event-row", { hasText: text });
  const pageLoadRow = () => page.locator("tr.event-row").filter({ has: page.locator(".title a", { hasText: /^\/checkout$/ }) });

  it("lists what @sentry/browser and @sentry/node sent, live, with level, title, culprit, SDK and time", async () => {
    const shop = await browser.newPage();
    await shop.goto(`${app.url}/checkout`);
    await runNodeSdk(
      join(dir, "service"),
      relay.dsn,
      `
      Sentry.setUser({ id: "42", email: "ada@example.com" });
      Sentry.addBreadcrumb({ category: "auth", message: "logged in" });
      Sentry.setExtra("password", "hunter2");
      Sentry.setTag("region", "eu");
      function chargeCard(amount) {
        if (amount > 100) throw new TypeError("charge failed");
      }
      try { chargeCard(250); } catch (error) { Sentry.captureException(error); }
      `,
    );
    await row("charge failed").waitFor();
    await row("payment declined").waitFor();
    // The page load is titled by its transaction's name, not by its item type.
    await pageLoadRow().waitFor();
    await shop.close();

    const nodeRow = row("charge failed");
    expect(await nodeRow.locator(".level").textContent()).toBe("error");
    expect(await nodeRow.locator(".title a").textContent()).toBe("TypeError: charge failed");
    expect(await nodeRow.locator(".sdk").textContent()).toMatch(/^sentry\.javascript\.node 11\.12\.0$/);
    expect(await nodeRow.locator(".culprit").textContent()).toContain("chargeCard");
    expect(await row("payment declined").locator(".sdk").textContent()).toMatch(/^sentry\.javascript\.browser 11\.12\.0$/);
    expect(await page.locator("tr.event-row .title a", { hasText: /^span$/ }).count()).toBe(0);
    // The terminal confirms each arrival with a link to its page.
    expect(relay.output()).toMatch(/captured event: TypeError: charge failed {2}http:\/\/127\.0\.0\.1:\d+\/#\/events\/[0-9a-f]{32}/);
    await page.screenshot({ path: join(shots, "capture-list.png") });
  });

  it("filters by type and searches", async () => {
    const sessions = page.locator('button.chip[data-kind="session"]');
    expect(await sessions.getAttribute("aria-pressed")).toBe("false");
    await page.locator('button.chip[data-kind="error"]').click();
    await row("charge failed").waitFor({ state: "detached" });
    await page.locator('button.chip[data-kind="error"]').click();
    await page.locator("input.search").fill("chargecard");
    expect(await page.locator("tr.event-row").count()).toBe(1);
    await page.locator("input.search").fill("");
    expect(await page.locator("tr.event-row").count()).toBeGreaterThanOrEqual(3);
  });

  it("shows an error with its exception, top frame, breadcrumbs, user, tags, and the scrubbed password with its reason", async () => {
    await row("charge failed").locator(".title a").click();
    await page.locator(".event-title", { hasText: "TypeError: charge failed" }).waitFor();
    const top = page.locator(".exception .frame").first();
    expect(await top.locator(".fn").textContent()).toBe("chargeCard");
    expect(await top.locator(".line.current").textContent()).toContain("throw new TypeError");
    expect(await page.locator("#section-breadcrumbs").textContent()).toContain("logged in");
    expect(await page.locator("#section-user").textContent()).toContain("ada@example.com");
    expect(await page.locator("#section-tags").textContent()).toContain("region");
    const password = page.locator('#section-extra tr[data-key="password"]');
    expect(await password.locator("td .string").textContent()).toBe("[Filtered]");
    expect(await password.locator(".meta-mark").textContent()).toBe("[Filtered] by @password:filter (was 7 characters)");
    expect(await page.locator("#section-changes").textContent()).toContain("extra.password");
    await page.screenshot({ path: join(shots, "capture-event.png"), fullPage: true });

    await page.locator("button.tab", { hasText: "Raw" }).click();
    expect(await page.locator("pre.json").textContent()).toContain('"password": "[Filtered]"');
    const download = await Promise.all([page.waitForEvent("download"), page.locator("a.button", { hasText: "Download" }).click()]).then(([each]) => each);
    expect(download.suggestedFilename()).toMatch(/^[0-9a-f]{32}\.envelope$/);
    expect(statSync((await download.path())).size).toBeGreaterThan(100);
  });

  it("shows the page load as a span waterfall with its child spans", async () => {
    await page.goto(`${relay.url}/#/`);
    await pageLoadRow().locator(".title a").click();
    await page.locator(".waterfall").waitFor();
    const names = await page.locator(".span-row .span-name").allTextContents();
    expect(names[0]).toBe("/checkout");
    expect(names).toEqual(expect.arrayContaining(["load cart", "GET /api/cart"]));
    const depth = async (name: string) => Number(/padding-left:\s*(\d+)px/.exec((await page.locator(".span-row", { hasText: name }).locator(".span-label").getAttribute("style")) ?? "")?.[1]);
    expect(await depth("GET /api/cart")).toBeGreaterThan(await depth("load cart"));
    await page.screenshot({ path: join(shots, "capture-waterfall.png"), fullPage: true });
  });

  it("shows a new event in the open page as it arrives, and the clear button empties the list", async () => {
    await page.goto(`${relay.url}/#/`);
    await row("charge failed").waitFor();
    const shop = await browser.newPage();
    await shop.goto(`${app.url}/cart`);
    const sent = performance.now();
    await shop.evaluate('Sentry.captureMessage("arrived while watching")');
    await row("arrived while watching").waitFor();
    const elapsed = performance.now() - sent;
    console.log(`a new capture appeared in the open page ${Math.round(elapsed)} ms after the SDK sent it`);
    await shop.close();

    // What the shop page still sends (its page load, when it is closed) may arrive after the
    // clear: the check is that nothing listed before it is left.
    const listed = async (): Promise<string[]> => ((await (await fetch(`${relay.url}/api/relay/events/`)).json()) as { events: { event_id: string }[] }).events.map((event) => event.event_id);
    const before = await listed();
    expect(before.length).toBeGreaterThanOrEqual(3);
    await page.locator("button.clear").click();
    await row("arrived while watching").waitFor({ state: "detached" });
    expect((await listed()).filter((id) => before.includes(id))).toEqual([]);
  });
});
