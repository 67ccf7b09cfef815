import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseEnvelope } from "@org/protocol/envelope";
import { expect } from "vitest";
import type { CaptureStore } from "../src/capture/capture-store.js";

/** An item of a captured envelope: its header and its payload parsed as JSON (text when not JSON). */
export interface CapturedItem {
  readonly envelopeId: string;
  readonly headers: Record<string, unknown>;
  readonly type: string;
  readonly payload: unknown;
}

/** Every item of every envelope in the capture store, oldest envelope first. */
export function capturedItems(store: CaptureStore): CapturedItem[] {
  const items: CapturedItem[] = [];
  for (const summary of store.list(1000, 0).reverse()) {
    const captured = store.get(summary.id);
    if (!captured) continue;
    const parsed = parseEnvelope(captured.envelope);
    if (!parsed.ok) throw new Error(`a captured envelope does not parse: ${parsed.error.message}`);
    for (const item of parsed.value.items) {
      const text = Buffer.from(item.payload).toString("utf8");
      let payload: unknown = text;
      try {
        payload = JSON.parse(text);
      } catch {
        // Not JSON: kept as text.
      }
      items.push({ envelopeId: summary.id, headers: item.headers, type: item.headers.type, payload });
    }
  }
  return items;
}

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

/**
 * Runs `body` in a child process with the real `@sentry/node` 11 from npm initialized against
 * `dsn` (as `Sentry`), then flushes; fails the test when the script fails.
 */
export async function runSentryNode(dsn: string, body: string, init = ""): Promise<void> {
  const script = `
    const Sentry = require("@sentry/node");
    Sentry.init({ dsn: ${JSON.stringify(dsn)}, defaultIntegrations: false, release: "app@11.0.0", environment: "test", ${init} });
    (async () => { ${body}; await Sentry.flush(10000); await Sentry.close(10000); })().catch((error) => { console.error(error); process.exit(1); });
  `;
  const child = spawn(process.execPath, ["-e", script], { cwd: PACKAGE_DIR, stdio: ["ignore", "inherit", "inherit"] });
  const code = await new Promise((resolve) => child.once("exit", resolve));
  expect(code).toBe(0);
}
