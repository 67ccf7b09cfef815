import { generateKeyPair } from "@org/identity";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { vectors } from "../test/vectors.js";
import { parseGoDuration } from "./go-duration.js";
import { exampleConfig, parseRemaphoreConfig, renderRemaphoreConfig } from "./remaphore-config.js";

describe("parseRemaphoreConfig", () => {
  it("reads the original's configs", () => {
    const parsed = parseRemaphoreConfig(vectors.configs["A.conf"]);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    expect(parsed.value).toMatchObject({
      servers: ["nats://127.0.0.1:<port>"],
      credentials: "<tmp>/test.creds",
      subject: "remaphore",
      defaultIdentity: vectors.keys.A.pub58,
      destination: "site.a.host1",
      allowSkewMs: 5000,
    });
    expect(parsed.value.identities[0]?.verbs).toEqual(["ping", "upload"]);
    expect(parsed.value.peers[0]).toMatchObject({ destination: "site.b.host1", publicKeyText: vectors.keys.B.pub58, verbs: ["ping", "upload"] });
  });

  it("reads the example the original's -C prints", () => {
    const parsed = parseRemaphoreConfig(vectors.gen_config_example);
    expect(parsed.ok).toBe(true);
  });

  it("accepts comments, any case in section names, tabs and repeated servers; lower-cases verbs", () => {
    const text = [
      "# remaphore",
      "server: nats://a:4222",
      "SERVER: nats://b:4222   # failover",
      "credentials: /etc/remaphore/creds",
      "destination: site.a",
      "[identities]",
      `${vectors.keys.A.pub58}\t${vectors.keys.A.priv58} [PING, Upload] # note`,
      "[  PEERS  ]",
      `site.b  ${vectors.keys.B.pub58}  [*]`,
      "[ Unknown ]",
      "anything goes here",
    ].join("\n");
    const parsed = parseRemaphoreConfig(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    expect(parsed.value.servers).toEqual(["nats://a:4222", "nats://b:4222"]);
    expect(parsed.value.identities[0]?.verbs).toEqual(["ping", "upload"]);
    expect(parsed.value.peers[0]?.verbs).toEqual(["*"]);
    expect(parsed.value.allowSkewMs).toBe(3000);
    expect(parsed.value.defaultIdentity).toBe(vectors.keys.A.pub58);
  });

  it("drops empty verb entries and takes allow_skew 0 as the default, as the original does", () => {
    const text = [
      "server: nats://a:4222",
      "credentials: /etc/remaphore/creds",
      "destination: site.a",
      "allow_skew: 0",
      "[identities]",
      `${vectors.keys.A.pub58} ${vectors.keys.A.priv58} [ping, ]`,
      "[peers]",
      `site.b ${vectors.keys.B.pub58} [ , upload,,]`,
    ].join("\n");
    const parsed = parseRemaphoreConfig(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    expect(parsed.value.identities[0]?.verbs).toEqual(["ping"]);
    expect(parsed.value.peers[0]?.verbs).toEqual(["upload"]);
    expect(parsed.value.allowSkewMs).toBe(3000);
  });

  it("reports every malformed line with its number", () => {
    const text = [
      "server: nats://a:4222",
      "no colon here",
      "allow_skew: soon",
      "[ Identities ]",
      `${vectors.keys.A.pub58} ${vectors.keys.B.priv58} [ping]`,
      `${vectors.keys.A.pub58} ${vectors.keys.A.priv58}`,
      "[ Peers ]",
      "site.b notbase58!! [ping]",
    ].join("\n");
    const parsed = parseRemaphoreConfig(text);
    expect(parsed.ok).toBe(false);
    const lines = parsed.ok ? [] : parsed.error.map((p) => p.line);
    // No identity, no destination; a missing credentials file is not a problem.
    expect(lines).toEqual([0, 0, 2, 3, 5, 6, 8]);
  });

  it("connects without credentials when the setting is missing or empty", () => {
    const base = ["server: nats://127.0.0.1:4222", "destination: site.a", "[ Identities ]", `${vectors.keys.A.pub58} ${vectors.keys.A.priv58} [ping]`];
    for (const extra of [[], ["credentials:"], ["credentials:   "]]) {
      const parsed = parseRemaphoreConfig([...extra, ...base].join("\n"));
      expect(parsed.ok && parsed.value.credentials).toBeUndefined();
    }
    const parsed = parseRemaphoreConfig(["credentials: /etc/remaphore/nats.creds", ...base].join("\n"));
    expect(parsed.ok && parsed.value.credentials).toBe("/etc/remaphore/nats.creds");
    expect(parsed.ok && renderRemaphoreConfig(parsed.value)).toContain("credentials: /etc/remaphore/nats.creds\n");
  });

  it("renders what parses back to the same config", () => {
    const config = exampleConfig(generateKeyPair());
    const text = renderRemaphoreConfig(config);
    expect(text.split("\n").slice(0, 6)).toEqual([
      "server: nats://natsserver:4222",
      "credentials: /path/to/credentials/file",
      "subject: remaphore",
      `default_identity: ${config.defaultIdentity}`,
      "destination: all",
      "allow_skew: 5s",
    ]);
    const back = parseRemaphoreConfig(text);
    expect(back.ok && renderRemaphoreConfig(back.value)).toBe(text);
  });

  it("never throws on arbitrary text", () => {
    const line = fc.oneof(fc.string(), fc.constantFrom("[ Identities ]", "[ Peers ]", "server: x", "# c", `a ${vectors.keys.B.pub58} [x]`));
    fc.assert(fc.property(fc.array(line, { maxLength: 20 }), (lines) => typeof parseRemaphoreConfig(lines.join("\n")).ok === "boolean"));
  });
});

describe("parseGoDuration", () => {
  it.each([
    ["5s", 5000],
    ["500ms", 500],
    ["1h2m3s4ms", 3_723_004],
    ["24h", 86_400_000],
    ["1.5s", 1500],
    ["0", 0],
    ["-2s", -2000],
    ["100us", 0.1],
  ])("reads %s", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(["", "5", "s", "5x", "1h 2m", "h1"])("refuses %j", (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe("JetStream keys", () => {
  const base = ["server: nats://a:4222", "destination: site.a", "[ Identities ]", `${vectors.keys.A.pub58} ${vectors.keys.A.priv58} [ping]`];

  it("have defaults when absent, so the original's configs need none", () => {
    const parsed = parseRemaphoreConfig(vectors.configs["A.conf"]);
    expect(parsed.ok && parsed.value.jetstream).toEqual({
      keepStream: "REMAPHORE_KEPT",
      keepMaxAgeMs: 86_400_000,
      keepMaxMsgs: 16,
      sinceMs: 0,
      stateDir: undefined,
      semaphoreBucket: "remaphore_semaphores",
      semaphoreTtlMs: 30_000,
      replicas: 1,
    });
  });

  it("are read, and render back", () => {
    const text = [
      "keep_stream: SIGNALS",
      "keep_max_age: 2h",
      "keep_max_msgs: 4",
      "since: 30m",
      "state_dir: /var/lib/remaphore",
      "semaphore_bucket: locks",
      "semaphore_ttl: 10s",
      "jetstream_replicas: 3",
      ...base,
    ].join("\n");
    const parsed = parseRemaphoreConfig(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    expect(parsed.value.jetstream).toEqual({
      keepStream: "SIGNALS",
      keepMaxAgeMs: 7_200_000,
      keepMaxMsgs: 4,
      sinceMs: 1_800_000,
      stateDir: "/var/lib/remaphore",
      semaphoreBucket: "locks",
      semaphoreTtlMs: 10_000,
      replicas: 3,
    });
    const rendered = renderRemaphoreConfig(parsed.value);
    expect(rendered).toContain("keep_max_age: 2h\nkeep_max_msgs: 4\nsince: 30m\nstate_dir: /var/lib/remaphore\n");
    const back = parseRemaphoreConfig(rendered);
    expect(back.ok && back.value.jetstream).toEqual(parsed.value.jetstream);
  });

  it.each([
    ["keep_stream: a.b", 1, "keep_stream must be"],
    ["semaphore_bucket: has space", 1, "semaphore_bucket must be"],
    ["keep_max_age: 500ms", 1, "keep_max_age is not a duration of 1s or more"],
    ["since: soon", 1, "since is not a duration"],
    ["keep_max_msgs: 0", 1, "keep_max_msgs must be a number, 1 or more"],
    ["jetstream_replicas: 2", 1, "jetstream_replicas must be 1, 3 or 5"],
    ["semaphore_ttl: -3s", 1, "semaphore_ttl is not a duration"],
  ])("refuses %s with its line", (line, number, message) => {
    const parsed = parseRemaphoreConfig([line, ...base].join("\n"));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error[0]).toMatchObject({ line: number, message: expect.stringContaining(message) as string });
  });
});
