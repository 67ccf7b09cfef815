// @module-tag e2e
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { capturedEvent, listeningHarness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const SECRET = "fedcba9876543210fedcba9876543210";
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

/**
 * Runs a CommonJS script file in a child process: old SDKs assume they own the process and read
 * `require.main`, which `node -e` does not have.
 */
async function runScript(script: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "raven-"));
  const file = join(dir, "app.js");
  writeFileSync(file, script);
  const child = spawn(process.execPath, [file], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: "production", NODE_PATH: join(PACKAGE_DIR, "node_modules") },
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.once("exit", () => {
    rmSync(dir, { recursive: true, force: true });
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise((resolve) => child.once("exit", resolve));
  expect(code).toBe(0);
  return out;
}

interface StoredEvent {
  event_id: string;
  message?: string;
  logentry?: { formatted?: string; message?: string };
  exception?: { values: { type: string; value: string }[] };
}

describe("raven (the old Node clients) from npm, through the relay", () => {
  const relay = listeningHarness();

  async function stored(id: string): Promise<StoredEvent> {
    await relay.harness.drain();
    const event = capturedEvent(relay.harness.store, id) as unknown as StoredEvent | undefined;
    expect(event, `event ${id} was not kept`).toBeDefined();
    return event!;
  }

  it("raven 2.6.4: base64 + zlib store bodies, an exception and a message", async () => {
    const dsn = `http://${KEY}:${SECRET}@127.0.0.1:${relay.port}/1`;
    const out = await runScript(`
      const Raven = require("raven");
      Raven.config(${JSON.stringify(dsn)}, { captureUnhandledRejections: false }).install();
      Raven.captureException(new RangeError("out of stock"), (error, id) => {
        if (error) throw error;
        console.log("exception " + id);
        Raven.captureMessage("raven says hello", (error2, id2) => {
          if (error2) throw error2;
          console.log("message " + id2);
          process.exit(0);
        });
      });
    `);
    const exceptionId = /exception (\w+)/.exec(out)![1]!;
    const messageId = /message (\w+)/.exec(out)![1]!;
    const exception = await stored(exceptionId);
    expect(exception.exception!.values.at(-1)).toMatchObject({ type: "RangeError", value: "out of stock" });
    const message = await stored(messageId);
    expect(message.logentry?.formatted ?? message.logentry?.message ?? message.message).toBe("raven says hello");
  });

  it("raven 0.4.5: protocol 2.0 with an HMAC signature to the legacy /api/store/", async () => {
    const dsn = `http://${KEY}:${SECRET}@127.0.0.1:${relay.port}/1`;
    const out = await runScript(`
      const raven = require("raven-0");
      const client = new raven.Client(${JSON.stringify(dsn)});
      client.on("error", (error) => { console.error(error.message); process.exit(1); });
      client.on("logged", () => process.exit(0));
      const result = client.captureMessage("hello from 2013");
      console.log("message " + result.id);
    `);
    const id = /message (\w+)/.exec(out)![1]!;
    const event = await stored(id);
    expect(event.logentry?.formatted ?? event.logentry?.message ?? event.message).toBe("hello from 2013");
  });
});
