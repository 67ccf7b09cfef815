// @module-tag e2e
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturedEvent, listeningHarness } from "./relay-harness.js";

const run = promisify(execFile);
const KEY = "0123456789abcdef0123456789abcdef";
/** The real sentry-cli binary, installed from npm (its platform package). */
const SENTRY_CLI = (createRequire(import.meta.url)("@sentry/cli") as { SentryCli: { getPath(): string } }).SentryCli.getPath();

describe("sentry-cli from npm, through the relay", () => {
  const relay = listeningHarness();
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sentry-cli-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) =>
    run(SENTRY_CLI, args, { env: { PATH: process.env.PATH, HOME: dir, SENTRY_DSN: `http://${KEY}@127.0.0.1:${relay.port}/1`, SENTRY_LOAD_DOTENV: "0" }, cwd: dir });

  async function storedEvent(id: string): Promise<Record<string, unknown>> {
    await relay.harness.drain();
    const event = capturedEvent(relay.harness.store, id);
    expect(event, `event ${id} was not kept`).toBeDefined();
    return event!;
  }

  it("send-event --no-environ: a message with tags and extra arrives", async () => {
    const { stdout, stderr } = await cli(["send-event", "--no-environ", "-m", "deploy finished", "-t", "stage:canary", "-e", "build:42", "--level", "warning"]);
    expect(stdout + stderr).toContain("Event dispatched");
    await relay.harness.drain();
    const summary = relay.harness.store.list(100).find((each) => each.title === "deploy finished");
    expect(summary, "no captured event titled 'deploy finished'").toBeDefined();
    const event = await storedEvent(summary!.id);
    expect(event.level).toBe("warning");
    expect(JSON.stringify(event.logentry ?? event.message)).toContain("deploy finished");
    expect(JSON.stringify(event.tags)).toContain("canary");
    expect(event.extra).toMatchObject({ build: "42" });
  });

  it("send-envelope: a stored envelope arrives as it was", async () => {
    const id = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    const file = join(dir, "stored.envelope");
    writeFileSync(file, `{"event_id":"${id}"}\n{"type":"event"}\n{"message":"from a file","level":"info","extra":{"password":"hunter2"}}\n`);
    await cli(["send-envelope", file]);
    const event = await storedEvent(id);
    expect(JSON.stringify(event.logentry ?? event.message)).toContain("from a file");
    expect(event.extra).toEqual({ password: "[Filtered]" });
  });
});
