// @module-tag e2e
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeUpstream, startHttpRecorder, startNatsServer, type HttpRecorder } from "@org/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runRelayCommand, startRelayProcess } from "./relay-process.js";

describe("relay doctor", () => {
  let dir: string;
  let upstream: HttpRecorder;
  let busy: Server;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "relay-doctor-"));
    mkdirSync(join(dir, ".relay"));
    upstream = await startHttpRecorder();
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  });
  afterEach(async () => {
    await upstream.close();
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const configure = (port: number): void => {
    writeFileSync(join(dir, ".relay", "config.yml"), `relay:\n  mode: managed\n  upstream: ${upstream.url}/\n  port: ${port}\n`);
  };

  it("passes a healthy setup, registration included", async () => {
    const fake = await startFakeUpstream();
    try {
      writeFileSync(join(dir, ".relay", "config.yml"), `relay:\n  mode: managed\n  upstream: ${fake.url}/\n  port: 0\n`);
      await runRelayCommand(dir, ["credentials", "generate"]);
      const result = await runRelayCommand(dir, ["doctor"]);
      expect(result.stdout).toContain("[ok  ] credentials: relay id");
      expect(result.stdout).toContain(`[ok  ] upstream: ${fake.url}/api/0/relays/live/ answered 200`);
      expect(result.stdout).toMatch(/\[ok {2}\] clock: within \d+ s of the upstream/);
      expect(result.stdout).toMatch(/\[ok {2}\] registration: the upstream accepts this relay/);
      expect(result.code).toBe(0);
      expect(fake.registered.size).toBe(1);
      // It registers as this relay's version, as `relay run` would.
      const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
      expect([...fake.registered.values()][0]!.version).toBe(version);
    } finally {
      await fake.close();
    }
  });

  it("says which key to allow when the upstream refuses the registration", async () => {
    const fake = await startFakeUpstream({ allowedRelays: [] });
    try {
      writeFileSync(join(dir, ".relay", "config.yml"), `relay:\n  mode: managed\n  upstream: ${fake.url}/\n  port: 0\n`);
      const generated = await runRelayCommand(dir, ["credentials", "generate"]);
      const publicKey = /public key: (\S+)/.exec(generated.stdout)![1]!;
      const result = await runRelayCommand(dir, ["doctor"]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`[FAIL] registration: the upstream refused this relay's public key ${publicKey}`);
      expect(result.stdout).toContain("Settings → Relays");
    } finally {
      await fake.close();
    }
  });

  it("explains missing credentials, a busy port and a skewed clock", async () => {
    const port = (busy.address() as { port: number }).port;
    configure(port);
    upstream.respond((_request, response) => response.writeHead(200, { date: new Date(Date.now() - 3_600_000).toUTCString() }).end("{}"));
    const result = await runRelayCommand(dir, ["doctor"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("[FAIL] credentials:");
    expect(result.stdout).toContain("run relay credentials generate");
    expect(result.stdout).toContain(`[FAIL] port: 127.0.0.1:${port} is already in use`);
    expect(result.stdout).toMatch(/\[FAIL\] clock: this clock is 3\d{3} s off the upstream's/);
  });

  it("checks a JetStream spool and the TLS files", async () => {
    const nats = await startNatsServer({ args: ["-js"] });
    try {
      const config = (servers: string): string =>
        `relay:\n  mode: proxy\n  upstream: ${upstream.url}/\n  port: 0\n  tls_port: 0\n  tls_cert_path: missing-cert.pem\n  tls_key_path: missing-key.pem\nspool:\n  backend: jetstream\n  nats:\n    servers: ${servers}\n`;
      writeFileSync(join(dir, ".relay", "config.yml"), config(nats.url));
      const reachable = await runRelayCommand(dir, ["doctor"]);
      expect(reachable.stdout).toMatch(/\[ok {2}\] spool: JetStream at nats:\/\/127\.0\.0\.1:\d+ is reachable; the stream RELAY_SPOOL will be created at start/);
      expect(reachable.stdout).toMatch(/\[FAIL\] tls: \S+\/config\.yml:6: relay\.tls_cert_path: .*missing-cert\.pem/);
      await nats.stop();
      const down = await runRelayCommand(dir, ["doctor"]);
      expect(down.stdout).toMatch(/\[FAIL\] spool: JetStream at nats:\/\/127\.0\.0\.1:\d+: .*is nats-server running with -js/);
      expect(down.code).toBe(1);
    } finally {
      await nats.stop();
    }
  });

  it("says when the upstream cannot be reached", async () => {
    configure(0);
    await upstream.close();
    const result = await runRelayCommand(dir, ["doctor"]);
    expect(result.stdout).toMatch(/\[FAIL\] upstream: .* is not reachable \(.*\): check relay.upstream and the network/);
  });

  it("takes the identity from RELAY_ID and RELAY_SECRET_KEY, as relay run does", async () => {
    const fake = await startFakeUpstream();
    try {
      writeFileSync(join(dir, ".relay", "config.yml"), `relay:\n  mode: managed\n  upstream: ${fake.url}/\n  port: 0\n`);
      const other = mkdtempSync(join(tmpdir(), "relay-doctor-identity-"));
      try {
        expect((await runRelayCommand(other, ["credentials", "generate"])).code).toBe(0);
        const file = JSON.parse(readFileSync(join(other, ".relay", "credentials.json"), "utf8")) as { id: string; secret_key: string };
        const result = await runRelayCommand(dir, ["doctor"], { RELAY_ID: file.id, RELAY_SECRET_KEY: file.secret_key });
        expect(result.stdout).toContain(`[ok  ] credentials: relay id ${file.id} (from RELAY_ID and RELAY_SECRET_KEY)`);
        expect(result.stdout).not.toContain(file.secret_key);
        expect(fake.registered.has(file.id)).toBe(true);
        expect(result.code).toBe(0);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    } finally {
      await fake.close();
    }
  });

  it("finds the relay it checks running on its port and passes", async () => {
    // A port that was free a moment ago, written into the config that both commands read.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => { resolve(); }));
    writeFileSync(join(dir, ".relay", "config.yml"), `relay:\n  mode: capture\n  port: ${port}\n`);
    const running = await startRelayProcess(dir, ["run"]);
    try {
      const result = await runRelayCommand(dir, ["doctor"]);
      expect(result.stdout).toContain(`[ok  ] port: a relay is running on 127.0.0.1:${port}`);
      expect(result.stdout).not.toContain("[FAIL]");
      expect(result.code).toBe(0);
    } finally {
      await running.stop();
    }
  });

  it("reports a bad value once, as a failure, never as ok first", async () => {
    writeFileSync(join(dir, ".relay", "config.yml"), `relay:\n  mode: static\n  upstream: ${upstream.url}/\n  port: 0\nlimits:\n  max_event_size: lots\n`);
    const result = await runRelayCommand(dir, ["doctor"]);
    const configLines = result.stdout.split("\n").filter((line) => line.includes("] config:"));
    expect(configLines, result.stdout + result.stderr).toEqual([expect.stringMatching(/^\[FAIL\] config: \S+config\.yml:6: limits\.max_event_size: not a size: "lots"/)]);
    expect(result.code).toBe(1);
  });

  it("reports any invalid configuration as the one failed check, with its file, line and key, as relay run refuses it", async () => {
    writeFileSync(join(dir, ".relay", "config.yml"), `relay:\n  mode: proxy\n  upstream: ${upstream.url}/\n  port: eighty\n`);
    const run = await runRelayCommand(dir, ["run"]);
    const result = await runRelayCommand(dir, ["doctor"]);
    const problem = /config\.yml:4: relay\.port: .*/.exec(run.stderr)?.[0];
    expect(problem, run.stderr).toBeDefined();
    expect(result.stdout).toBe(`[FAIL] config: ${join(dir, ".relay", "config.yml")}:4: relay.port: ${problem!.replace(/^config\.yml:4: relay\.port: /, "")}\n`);
    expect(result.code).toBe(1);
    expect(upstream.requests).toEqual([]);
  });

  it("reads RELAY_* overrides and the identity variables exactly as relay run does", async () => {
    const port = (busy.address() as { port: number }).port;
    configure(0);
    const overridden = await runRelayCommand(dir, ["doctor"], { RELAY_PORT: String(port), RELAY_MODE: "proxy" });
    expect(overridden.stdout).toContain(`[FAIL] port: 127.0.0.1:${port} is already in use`);
    expect(overridden.stdout).not.toContain("] credentials:");
    // Half an identity: both commands refuse it with the same words.
    const half = { RELAY_ID: "e5f2d1c0-0000-4000-8000-000000000000" };
    const run = await runRelayCommand(dir, ["run"], half);
    const doctor = await runRelayCommand(dir, ["doctor"], half);
    expect(run.stderr).toContain("relay: RELAY_ID and RELAY_SECRET_KEY must be set together");
    expect(doctor.stdout).toContain("[FAIL] credentials: RELAY_ID and RELAY_SECRET_KEY must be set together");
    expect(doctor.code).toBe(1);
  });
});
