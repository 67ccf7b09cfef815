// @module-tag e2e
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntil } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRelayCommand, startRelayProcess, type RelayProcess } from "./relay-process.js";

describe("crash reporting through @org/sdk", () => {
  let collectorDir: string;
  let dir: string;
  let collector: RelayProcess;
  let busy: Server;

  beforeAll(async () => {
    collectorDir = mkdtempSync(join(tmpdir(), "relay-collector-"));
    dir = mkdtempSync(join(tmpdir(), "relay-crashing-"));
    collector = await startRelayProcess(collectorDir);
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    await collector.stop();
    busy.close();
    rmSync(collectorDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it("reports an error that stops the relay to the configured DSN (here a capture relay)", async () => {
    const port = (busy.address() as { port: number }).port;
    mkdirSync(join(dir, ".relay"));
    writeFileSync(join(dir, ".relay", "config.yml"), `relay:\n  mode: capture\n  port: ${port}\nsentry:\n  enabled: true\n  dsn: ${collector.dsn}\n`);
    const result = await runRelayCommand(dir, ["run"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
    let events: { title: string }[] = [];
    await waitUntil(
      async () => {
        events = ((await (await fetch(`${collector.url}/api/relay/events/`)).json()) as { events: { title: string }[] }).events;
        return events.length > 0;
      },
      "the crash report to be captured",
      { everyMs: 50 },
    );
    expect(events.map((e) => e.title)).toEqual([expect.stringContaining(`cannot listen on 127.0.0.1:${port}`)]);
  });

  it("refuses sentry.enabled without a DSN", async () => {
    const other = mkdtempSync(join(tmpdir(), "relay-nodsn-"));
    mkdirSync(join(other, ".relay"));
    writeFileSync(join(other, ".relay", "config.yml"), "relay:\n  mode: capture\n  port: 0\nsentry:\n  enabled: true\n");
    const result = await runRelayCommand(other, ["run"]);
    rmSync(other, { recursive: true, force: true });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("sentry.enabled is true but sentry.dsn is not set");
  });
});
