// @module-tag e2e
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { APP_DIR, startRelayProcessFrom } from "./relay-process.js";

const run = promisify(execFile);

describe("deploy bundle", () => {
  const out = mkdtempSync(join(tmpdir(), "relay-deploy-"));
  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it("pnpm deploy makes a self-contained folder that runs the relay", async () => {
    const bundle = join(out, "relay");
    await run("pnpm", ["--filter", "@org/relay", "deploy", "--legacy", "--prod", bundle], { cwd: join(APP_DIR, "..", "..") });
    const work = join(out, "work");
    const relay = await startRelayProcessFrom(join(bundle, "bin", "relay.js"), work);
    try {
      expect((await fetch(`${relay.url}/api/relay/healthcheck/ready/`)).status).toBe(200);
    } finally {
      await relay.stop();
    }
  });
});
