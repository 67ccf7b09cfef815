import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RelayCliError } from "./config-error.js";
import { loadConfig } from "./load-config.js";

// Configurations as Sentry's Relay documents them, written out here as an operator would have them.
const FIXTURES: Readonly<Record<string, string>> = {
  // docs.sentry.io/product/relay/getting-started/ ("Initializing Configuration"): the file `config init` writes.
  "getting started": ["relay:", "  mode: managed", "  upstream: https://sentry.io/", "  host: 0.0.0.0", "  port: 3000", ""].join("\n"),
  // docs.sentry.io/product/relay/options/ ("Logging", "Statsd Metrics", "Envelope Spooling", "Authentication").
  "configuration options": [
    "relay:",
    "  mode: managed",
    "  upstream: https://sentry.io/",
    "  host: 127.0.0.1",
    "  port: 3000",
    "  override_project_ids: false",
    "http:",
    "  timeout: 5",
    "  connection_timeout: 3",
    "  max_retry_interval: 60",
    "  host_header: sentry.example.com",
    "  auth_interval: 600",
    "  outage_grace_period: 10",
    "  encoding: gzip",
    "cache:",
    "  project_expiry: 300",
    "  project_grace_period: 0",
    "  relay_expiry: 3600",
    "  envelope_expiry: 600",
    "  envelope_buffer_size: 1000",
    "  miss_expiry: 60",
    "  batch_interval: 100",
    "  batch_size: 500",
    "  file_interval: 10",
    "spool:",
    "  envelopes:",
    "    path: /var/lib/relay/spool",
    "    max_disk_size: 500MB",
    "    max_memory_size: 500MB",
    "limits:",
    "  max_concurrent_requests: 100",
    "  max_concurrent_queries: 5",
    "  max_event_size: 1MiB",
    "  max_attachment_size: 100MiB",
    "  max_attachments_size: 100MiB",
    "  max_envelope_size: 100MiB",
    "  max_session_count: 100",
    "  max_api_payload_size: 20MiB",
    "  max_api_file_upload_size: 40MiB",
    "  max_api_chunk_upload_size: 100MiB",
    "  max_thread_count: 4",
    "  query_timeout: 30",
    "  shutdown_timeout: 10",
    "logging:",
    "  level: info",
    "  log_failed_payloads: false",
    "  format: auto",
    "  enable_backtraces: true",
    "metrics:",
    "  statsd: 127.0.0.1:8126",
    "  prefix: mycompany.relay",
    "  hostname_tag: host",
    "  sample_rate: 1.0",
    "sentry:",
    "  enabled: false",
    "  dsn: https://abc@sentry.example.com/1",
    "auth:",
    "  ready: always",
    "outcomes:",
    "  emit_outcomes: true",
    "  batch_size: 1000",
    "  batch_interval: 500",
    "  source: my-relay",
    "",
  ].join("\n"),
  // getsentry/self-hosted relay/config.example.yml: a self-hosted Sentry's own (processing) relay.
  "self-hosted": [
    "relay:",
    '  upstream: "http://web:9000/"',
    "  host: 0.0.0.0",
    "  port: 3000",
    "logging:",
    "  level: WARN",
    "processing:",
    "  enabled: true",
    "  kafka_config:",
    '    - {name: "bootstrap.servers", value: "kafka:9092"}',
    '    - {name: "message.max.bytes", value: 50000000} # 50MB',
    "  redis: redis://redis:6379",
    '  geoip_path: "/geoip/GeoLite2-City.mmdb"',
    "",
  ].join("\n"),
};

describe("a config.yml written for Sentry's Relay", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "relay-compat-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const load = (text: string): ReturnType<typeof loadConfig> => {
    writeFileSync(join(dir, "config.yml"), text);
    return loadConfig(dir, {});
  };

  it.each(Object.entries(FIXTURES))("loads the %s example", (_name, text) => {
    const loaded = load(text);
    expect(loaded.config.relay.port).toBe(3000);
  });

  it("honours the keys both relays share and moves Relay's spool.envelopes keys", () => {
    const { config } = load(FIXTURES["configuration options"]!);
    expect(config.relay).toMatchObject({ mode: "managed", host: "127.0.0.1" });
    expect(config.metrics).toMatchObject({ statsd: "127.0.0.1:8126", prefix: "mycompany.relay" });
    expect(config.spool).toMatchObject({ path: "/var/lib/relay/spool", max_disk_size: "500MB" });
    expect(config.auth.ready).toBe("always");
    expect(config.http.outage_grace_period).toBe(10);
    expect(config.outcomes.emit_outcomes).toBe(true);
  });

  it("warns once for each ignored key, naming it", () => {
    const { warnings } = load(FIXTURES["configuration options"]!);
    for (const key of ["relay.override_project_ids", "http.host_header", "cache.relay_expiry", "spool.envelopes.max_memory_size", "limits.max_thread_count", "metrics.hostname_tag", "outcomes.batch_size", "outcomes.source"]) {
      expect(warnings.filter((warning) => warning.startsWith(`${key} `))).toHaveLength(1);
    }
    expect(warnings.some((warning) => warning.startsWith("relay.port") || warning.startsWith("spool.envelopes.path"))).toBe(false);
  });

  it("reads Relay's log levels in any case and ignores processing with one warning", () => {
    const loaded = load(FIXTURES["self-hosted"]!);
    expect(loaded.config.logging.level).toBe("warn");
    expect(loaded.warnings).toEqual(["processing.* is for Sentry's internal relays; ignored"]);
    expect(load("logging:\n  level: Info\n").config.logging.level).toBe("info");
    expect(load("logging:\n  level: OFF\n  format: simplified\n").config.logging).toEqual({ level: "silent", format: "pretty" });
  });

  it("warns about an unknown key that is no typo, and refuses a likely typo with a suggestion", () => {
    expect(load("relay:\n  mode: static\nfrobnicator:\n  speed: 3\n").warnings).toEqual(["frobnicator is not a setting of this relay or of Sentry's Relay; ignored"]);
    expect(load("relay:\n  mode: static\nheap: 1\n").warnings).toEqual(["heap is not a setting of this relay or of Sentry's Relay; ignored"]);
    for (const [text, message] of [
      ["relay:\n  mode: static\n  prot: 3001\n", "config.yml:3: unknown key relay.prot (did you mean relay.port?)"],
      ["procesing:\n  enabled: false\n", "config.yml:1: unknown key procesing (did you mean processing?)"],
      ["spool:\n  envelopes:\n    pth: /tmp\n", "config.yml:3: unknown key spool.envelopes.pth (did you mean spool.envelopes.path?)"],
    ] as const) {
      writeFileSync(join(dir, "config.yml"), text);
      let error: unknown;
      try {
        loadConfig(dir, {});
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(RelayCliError);
      expect((error as RelayCliError).message).toContain(message);
    }
  });

  it("reads auth.static_relays", () => {
    const { config } = load("relay:\n  mode: static\nauth:\n  static_relays:\n    0f2d3b2e-7a1c-4e7e-9a3b-6f0d1c2b3a4f:\n      public_key: abc\n      internal: true\n");
    expect(config.auth.static_relays).toEqual({ "0f2d3b2e-7a1c-4e7e-9a3b-6f0d1c2b3a4f": { public_key: "abc", internal: true } });
  });
});
