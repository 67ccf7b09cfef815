// @module-tag e2e
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { capturedEvent, listeningHarness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

/** Runs a script with the real `@sentry/node` 7 from npm in a child process, against `dsn`. */
async function runSdk(dsn: string, body: string): Promise<void> {
  const script = `
    const Sentry = require("sentry-node-7");
    Sentry.init({ dsn: ${JSON.stringify(dsn)}, defaultIntegrations: false, tracesSampleRate: 1, release: "app@7.0.0" });
    (async () => { ${body}; await Sentry.close(5000); })().catch((error) => { console.error(error); process.exit(1); });
  `;
  const child = spawn(process.execPath, ["-e", script], { cwd: PACKAGE_DIR, stdio: ["ignore", "inherit", "inherit"] });
  const code = await new Promise((resolve) => child.once("exit", resolve));
  expect(code).toBe(0);
}

interface CapturedEvent {
  event_id: string;
  message?: string;
  logentry?: { formatted?: string; message?: string };
  exception?: { values: { type: string; value: string }[] };
  breadcrumbs?: { values?: { message?: string }[] } | { message?: string }[];
  user?: { id?: string; email?: string };
  transaction?: string;
  type?: string;
  extra?: Record<string, unknown>;
  sdk?: { name: string; version: string };
}

describe("@sentry/node 7 from npm, through the relay", () => {
  const relay = listeningHarness();
  const dsn = (): string => `http://${KEY}@127.0.0.1:${relay.port}/1`;

  async function events(): Promise<CapturedEvent[]> {
    await relay.harness.drain();
    return relay.harness.store.list(100, 0).map((summary) => (capturedEvent(relay.harness.store, summary.id) as unknown as CapturedEvent));
  }

  it("delivers an exception with breadcrumbs and user, a message and a transaction", async () => {
    await runSdk(
      dsn(),
      `
      Sentry.setUser({ id: "user-42", email: "someone@example.com" });
      Sentry.addBreadcrumb({ message: "clicked checkout", category: "ui" });
      Sentry.captureException(new TypeError("price is not a number"));
      Sentry.captureMessage("hello from sentry 7");
      const transaction = Sentry.startTransaction({ name: "GET /orders", op: "http.server" });
      transaction.finish();
      `,
    );
    const captured = await events();
    const error = captured.find((event) => event.exception)!;
    expect(error.exception!.values[0]).toMatchObject({ type: "TypeError", value: "price is not a number" });
    const crumbs = Array.isArray(error.breadcrumbs) ? error.breadcrumbs : (error.breadcrumbs?.values ?? []);
    expect(crumbs.map((crumb) => crumb.message)).toContain("clicked checkout");
    expect(error.user?.id).toBe("user-42");
    expect(error.sdk).toMatchObject({ name: "sentry.javascript.node", version: "7.120.4" });
    const message = captured.find((event) => (event.logentry?.formatted ?? event.logentry?.message ?? event.message) === "hello from sentry 7");
    expect(message).toBeDefined();
    const transaction = captured.find((event) => event.type === "transaction")!;
    expect(transaction.transaction).toBe("GET /orders");
  });

  it("scrubs a credit card number and a password before keeping the event", async () => {
    await runSdk(dsn(), `Sentry.captureMessage("checkout failed", { extra: { card: "4571234567890111", password: "hunter2", note: "fine" } });`);
    const event = (await events()).find((each) => (each.logentry?.formatted ?? each.logentry?.message ?? each.message) === "checkout failed")!;
    expect(event.extra).toEqual({ card: "[Filtered]", password: "[Filtered]", note: "fine" });
  });
});
