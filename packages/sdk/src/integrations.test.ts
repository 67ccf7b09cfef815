import { startHttpRecorder } from "@org/testkit";
import { parseEnvelope } from "@org/protocol/envelope";
import { describe, expect, it } from "vitest";
import { installConsoleIntegration } from "./integrations.js";
import { SentryClient } from "./sentry-client.js";

describe("installConsoleIntegration", () => {
  it("records console calls as breadcrumbs and captures errors given to console.error", async () => {
    const server = await startHttpRecorder();
    const client = new SentryClient(`http://${"a".repeat(32)}@127.0.0.1:${server.port}/1`, { log: { info: () => undefined, error: () => undefined }, captureUncaught: false });
    const printed: unknown[] = [];
    const originalWarn = console.warn;
    const originalError = console.error;
    console.warn = (...args: unknown[]) => printed.push(args);
    console.error = (...args: unknown[]) => printed.push(args);
    const uninstall = installConsoleIntegration(client, { captureErrors: true });
    try {
      console.warn("disk", "almost full");
      console.error("payment failed", new Error("card declined"));
    } finally {
      uninstall();
      console.warn = originalWarn;
      console.error = originalError;
    }
    expect(printed).toHaveLength(2);
    const [request] = await server.waitFor(1);
    const envelope = parseEnvelope(request!.body);
    if (!envelope.ok) throw envelope.error;
    const event = JSON.parse(Buffer.from(envelope.value.items[0]!.payload).toString()) as { breadcrumbs: { values: { message: string; level: string }[] }; exception: { values: { value: string }[] } };
    expect(event.exception.values[0]?.value).toBe("card declined");
    expect(event.breadcrumbs.values.map((b) => [b.level, b.message])).toEqual([
      ["warning", "disk almost full"],
      ["error", "payment failed Error: card declined"],
    ]);
    await client.close(1000);
    await server.close();
  });
});

describe("installConsoleIntegration with arguments that cannot be printed", () => {
  it("records a breadcrumb without breaking the console call", async () => {
    const server = await startHttpRecorder();
    const client = new SentryClient(`http://${"a".repeat(32)}@127.0.0.1:${server.port}/1`, { log: { info: () => undefined, error: () => undefined }, captureUncaught: false, sendClientReports: false });
    const originalLog = console.log;
    const printed: unknown[] = [];
    console.log = (...args: unknown[]) => printed.push(args.length);
    const uninstall = installConsoleIntegration(client);
    try {
      console.log("odd", { toString: () => { throw new Error("no"); } });
    } finally {
      uninstall();
      console.log = originalLog;
    }
    expect(printed).toEqual([2]);
    client.captureMessage("after");
    const [request] = await server.waitFor(1);
    const envelope = parseEnvelope(request!.body);
    if (!envelope.ok) throw envelope.error;
    const event = JSON.parse(Buffer.from(envelope.value.items[0]!.payload).toString()) as { breadcrumbs: { values: { message: string }[] } };
    expect(event.breadcrumbs.values.map((b) => b.message)).toEqual(['odd {"toString":"[Function: toString]"}']);
    await client.close(1000);
    await server.close();
  });
});
