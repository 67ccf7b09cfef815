import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RelayCliError } from "./config-error.js";
import { loadConfig, resolveConfigDir } from "./load-config.js";

describe("loadConfig", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "relay-config-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (text: string): void => {
    writeFileSync(join(dir, "config.yml"), text);
  };
  const failure = (env: NodeJS.ProcessEnv = {}): RelayCliError => {
    try {
      loadConfig(dir, env);
    } catch (error) {
      if (error instanceof RelayCliError) return error;
      throw error;
    }
    throw new Error("expected loadConfig to fail");
  };

  it("locates a key at its line, an unwritten key at its section's line, and nothing without a file", () => {
    expect(loadConfig(dir, {}).locate("relay.tls_cert_path")).toBe("configuration");
    write("# the relay\nrelay:\n  mode: capture\n  tls_port: 3443\nlimits:\n  max_event_size: 1MB\n");
    const file = join(dir, "config.yml");
    const { locate } = loadConfig(dir, {});
    expect(locate("relay.tls_port")).toBe(`${file}:4`);
    expect(locate("limits.max_event_size")).toBe(`${file}:6`);
    expect(locate("relay.tls_cert_path")).toBe(`${file}:2`);
    expect(locate("spool.path")).toBe(file);
  });

  it("runs a local capture relay when there is no configuration at all", () => {
    const loaded = loadConfig(dir, {});
    expect(loaded.file).toBeUndefined();
    expect(loaded.config.relay).toMatchObject({ mode: "capture", host: "127.0.0.1", port: 3000 });
  });

  it("runs one process by default; relay.workers (or --workers) asks for more, outside capture mode", () => {
    write("relay:\n  mode: proxy\n");
    expect(loadConfig(dir, {}).config.relay.workers).toBe(1);
    expect(loadConfig(dir, {}, { workers: 3 }).config.relay.workers).toBe(3);
    write("relay:\n  mode: proxy\n  workers: 2\n");
    expect(loadConfig(dir, {}).config.relay.workers).toBe(2);
    write("relay:\n  mode: proxy\n  workers: 0\n");
    expect(failure().message).toMatch(/relay\.workers/);
    write("relay:\n  mode: capture\n  workers: 2\n");
    expect(failure().message).toMatch(/relay\.workers: capture mode runs in one process/);
    write("relay:\n  mode: proxy\n  workers: 2\nmetrics:\n  prometheus: true\n");
    expect(failure().message).toMatch(/metrics\.prometheus needs workers: 1/);
  });

  it("fills every default of the spec around what the file sets", () => {
    write("relay:\n  upstream: https://sentry.example.com/\n");
    const { config } = loadConfig(dir, {});
    expect(config.relay).toMatchObject({ mode: "managed", upstream: "https://sentry.example.com/", port: 3000 });
    expect(config.http).toEqual({ timeout: 5, connection_timeout: 3, max_retry_interval: 60, auth_interval: 600, max_connections: 32, request_timeout: 60, outage_grace_period: 10, encoding: "auto", compression_level: 6 });
    expect(config.limits).toMatchObject({ max_event_size: "1MiB", shutdown_timeout: 10 });
    expect(config.logging).toEqual({ level: "info", format: "auto" });
    expect(config.metrics).toEqual({ statsd: null, prefix: "sentry.relay", default_tags: {}, prometheus: false });
    expect(config.sentry).toEqual({ enabled: false, dsn: null });
  });

  it("names the file, the line and the nearest key for a typo", () => {
    write("relay:\n  mode: static\n  prot: 3001\n");
    const error = failure();
    expect(error.code).toBe("config_invalid");
    expect(error.message).toContain(`${join(dir, "config.yml")}:3: unknown key relay.prot (did you mean relay.port?)`);
  });

  it("names the line and key of a value of the wrong type", () => {
    write("relay:\n  mode: capture\nlimits:\n  shutdown_timeout: soon\n");
    const error = failure();
    expect(error.message).toMatch(/config\.yml:4: limits\.shutdown_timeout: /);
  });

  it("names the file, the line and the key of a size that is not a size", () => {
    write("relay:\n  mode: capture\nspool:\n  max_disk_size: 500MiB\nlimits:\n  max_event_size: lots\n");
    expect(failure().message).toBe(`${join(dir, "config.yml")}:6: limits.max_event_size: not a size: "lots" (examples: 1024, 1kB, 1MiB)`);
    write("relay:\n  mode: capture\nspool:\n  max_disk_size: 5 parsecs\n");
    expect(failure().message).toMatch(/config\.yml:4: spool\.max_disk_size: unknown size unit "parsecs"/);
  });

  it("names the line of a rule across sections: relay.workers, sentry", () => {
    write("relay:\n  mode: capture\n  workers: 2\n");
    expect(failure().message).toBe(`${join(dir, "config.yml")}:3: relay.workers: capture mode runs in one process (workers: 1)`);
    write("relay:\n  mode: capture\nsentry:\n  enabled: true\n  dsn: not a dsn\n");
    expect(failure().message).toMatch(/config\.yml:5: sentry\.dsn: /);
  });

  it("gives the parts frozen settings in milliseconds and bytes", () => {
    write("relay:\n  mode: proxy\nhttp:\n  timeout: 2.5\nlimits:\n  max_event_size: 1kB\n  shutdown_timeout: 3\nspool:\n  max_disk_size: 2KiB\n  max_age: 60\n");
    const { settings, config } = loadConfig(dir, {});
    expect(settings.upstream).toMatchObject({ timeoutMs: 2500, connectTimeoutMs: 3000, maxRetryIntervalMs: 60_000, authIntervalMs: 600_000, projectExpiryMs: 300_000 });
    expect(settings.http.limits).toMatchObject({ maxEventSize: 1000, maxEnvelopeSize: 100 * 1024 * 1024 });
    expect(settings.http.requestTimeoutMs).toBe(60_000);
    expect(settings.spool).toMatchObject({ maxBytes: 2048, maxAgeMs: 60_000 });
    expect(settings.shutdownTimeoutMs).toBe(3000);
    expect(settings.readiness).toEqual({ authReady: "authenticated", outageGraceMs: 10_000 });
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.http.limits)).toBe(true);
    // What config show prints stays as written.
    expect(config.limits.max_event_size).toBe("1kB");
    expect(config.http.timeout).toBe(2.5);
  });

  it("reports broken YAML with its line", () => {
    write("relay:\n  mode: [capture\n");
    expect(failure().message).toMatch(/config\.yml:\d+: not valid YAML/);
  });

  it("applies RELAY_* environment overrides and says so", () => {
    write("relay:\n  mode: static\n");
    const loaded = loadConfig(dir, { RELAY_PORT: "4000", RELAY_MODE: "proxy", RELAY_HOST: "::1" });
    expect(loaded.config.relay).toMatchObject({ mode: "proxy", port: 4000, host: "::1" });
    expect(loaded.notices).toContain("RELAY_PORT overrides relay.port");
  });

  it("says that a path in relay.upstream is not used", () => {
    write("relay:\n  mode: managed\n  upstream: https://sentry.example.com/sentry/\n");
    expect(loadConfig(dir, {}).notices).toContain(
      "relay.upstream: only the origin is used; the relay talks to https://sentry.example.com/ (the path /sentry/ is ignored)",
    );
    write("relay:\n  mode: managed\n  upstream: https://sentry.example.com\n");
    expect(loadConfig(dir, {}).notices).toEqual([]);
  });

  it("rejects a bad override like a bad file value", () => {
    expect(failure({ RELAY_PORT: "eighty" }).message).toContain("relay.port");
  });

  it("reads an old .semaphore folder with a notice when .relay is absent", () => {
    mkdirSync(join(dir, ".semaphore"));
    const resolved = resolveConfigDir(undefined, dir);
    expect(resolved.dir).toBe(join(dir, ".semaphore"));
    expect(resolved.notice).toContain(".semaphore");
    mkdirSync(join(dir, ".relay"));
    expect(resolveConfigDir(undefined, dir)).toEqual({ dir: join(dir, ".relay") });
  });
});
