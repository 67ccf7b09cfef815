// @module-tag e2e
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeBase58, generateKeyPair } from "@org/identity";
import { recordLines, signRecord, joinRecords } from "@org/messaging/jetstream";
import { DEADLINE_MS, startNatsServer, waitUntil, type NatsServer } from "@org/testkit";
import type { KV, NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checked, contend, CHECK } from "./contenders.js";
import { fleetOn, remaphore, type Fleet, type RunResult } from "./fleet.js";

// Slots and waits of CLI contenders that never die: a holder keeps its slot however long the
// machine stalls it, and a waiter ends when it gets one.
const LEASE = `${String(DEADLINE_MS)}ms`;

describe("fleet-wide semaphores on a real nats-server with JetStream", () => {
  let server: NatsServer;
  let fleet: Fleet;
  let dir: string;
  let nc: NatsConnection;
  let stop: () => Promise<void>;
  let kv: KV;
  const hosts = Array.from({ length: 10 }, (_, i) => `site.host${i}`);
  const conf = (destination: string): string => fleet.node(destination).configFile;

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: true });
    ({ fleet, dir, nc, stop } = await fleetOn([server.url], hosts, { stopServers: () => server.stop() }));
    // Every host may take slots of any semaphore, and knows every other as a peer that may too.
    for (const node of fleet.nodes.values()) fleet.writeConfig(node, "[ping, acquire:*]");
    kv = await nc.jetstream().views.kv("remaphore_semaphores", { history: 1 });
  });

  afterAll(() => stop());

  it("never lets more than 3 of 10 contenders hold -n 3 slots: 200 acquisitions", async () => {
    const lockDir = join(dir, "stress");
    const results = await contend({ config: (i) => conf(hosts[i]!), name: "stress", slots: 3, ttlMs: 10_000, workers: 10, count: 20, lockDir });
    expect(results.reduce((sum, result) => sum + result.acquired, 0)).toBe(200);
    const { counts, violations } = checked(lockDir);
    expect(violations).toEqual([]);
    expect(counts).toHaveLength(200);
    expect(Math.max(...counts)).toBeLessThanOrEqual(3);
    // The slots were really shared: at some point more than one held at once.
    expect(Math.max(...counts)).toBeGreaterThan(1);
  });

  it("runs the command while holding a slot and passes its exit code through; CLI contenders respect -n 2", async () => {
    expect((await remaphore(["-c", conf("site.host0"), "--acquire", "exit", "--", "sh", "-c", "exit 7"]).done).code).toBe(7);
    const lockDir = join(dir, "cli");
    mkdirSync(lockDir);
    const runs = hosts.slice(0, 4).map((host) => remaphore(["-c", conf(host), "--acquire", "cli", "-n", "2", "--ttl", LEASE, "-t", LEASE, "--", "sh", CHECK, lockDir, "2"]).done);
    const results = await Promise.all(runs);
    expect(results.map((result) => result.code)).toEqual([0, 0, 0, 0]);
    expect(checked(lockDir)).toMatchObject({ violations: [] });
    expect(checked(lockDir).counts).toHaveLength(4);
    // A host whose peers may not acquire it refuses to sign: the verb is a permission like any other.
    const narrow = fleet.node("site.host9");
    writeFileSync(narrow.configFile, readFileSync(narrow.configFile, "utf8").replace(`${narrow.key} ${encodeBase58(narrow.pair.secretKey)} [*]`, `${narrow.key} ${encodeBase58(narrow.pair.secretKey)} [acquire:deploy-*]`), { mode: 0o600 });
    const refused = await remaphore(["-c", narrow.configFile, "--acquire", "cli", "--", "true"]).done;
    expect(refused).toMatchObject({ code: 3 });
    expect(refused.stderr).toContain("remaphore: ERROR: no private key with sender permission found");
  });

  it("gives a SIGKILLed holder's slot to a waiter once its ttl has passed", async () => {
    const pidFile = join(dir, "killed-holder.pid");
    const holder = remaphore(["-c", conf("site.host1"), "--acquire", "killed", "-n", "1", "--ttl", "2s", "--", "sh", "-c", `echo $$ > ${pidFile}; exec sleep 600`]);
    try {
      await waitUntil(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n"), "the holder's command", { detail: holder.stderr });
      const waiter = remaphore(["-c", conf("site.host2"), "--acquire", "killed", "-n", "1", "--ttl", "2s", "-t", "120s", "--", "true"]);
      const status = async (): Promise<string> => (await remaphore(["-c", conf("site.host3"), "--status", "killed"]).done).stdout;
      let seen = "";
      await waitUntil(async () => (seen = await status()).includes("1 waiting"), "the waiter to stand in line", { detail: () => seen });
      holder.kill("SIGKILL");
      const result: RunResult = await waiter.done;
      expect(result.code).toBe(0);
      const takeover = /Took over an expired slot of site\.host1 \w+: ttl 2000 ms, unchanged for (\d+) ms, signed (\d+) ms ago/.exec(result.stderr);
      expect(takeover, result.stderr).not.toBeNull();
      // It waited for the ttl: the holder's record had stood still that long (or was signed longer ago than ttl + allow_skew).
      expect(Number(takeover![1]) >= 2000 || Number(takeover![2]) > 2000 + 5000).toBe(true);
    } finally {
      holder.kill("SIGKILL");
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
  });

  it("ignores forged, unknown and replayed holder records", async () => {
    // A genuine acquisition, its records watched as they are written.
    const values: Uint8Array[] = [];
    const watch = await kv.watch({ key: "sem.guarded" });
    void (async () => {
      for await (const entry of watch) if (entry.operation === "PUT") values.push(entry.value);
    })();
    expect((await remaphore(["-c", conf("site.host4"), "--acquire", "guarded", "-n", "1", "--ttl", "60s", "--", "true"]).done).code).toBe(0);
    await waitUntil(() => values.some((value) => Buffer.from(value).includes(",_,done ")), "the release to be written");
    watch.stop();
    const held = values.flatMap((value) => recordLines(value)).find((line) => Buffer.from(line).includes(",acquire:guarded,_,hold "))!;
    expect(held).toBeDefined();
    // Written back after its release (a replay), beside one signed by a key nobody knows and a tampered one.
    const stranger = generateKeyPair();
    const unknown = signRecord({ publicKeyText: encodeBase58(stranger.publicKey), keyPair: stranger, verbs: ["*"] }, "guarded", { kind: "hold", id: new Uint8Array(12).fill(7), seq: 1, ttlMs: 60_000, slots: 1, now: Date.now() });
    const tampered = Buffer.from(held);
    tampered[tampered.length - 1] = "9".charCodeAt(0);
    const current = await kv.get("sem.guarded");
    await kv.update("sem.guarded", joinRecords([...recordLines(current!.value), held, unknown, new Uint8Array(tampered)]), current!.revision);
    // With any of them counted, this would wait for the 60 s ttl and give up at -t.
    const next = await remaphore(["-c", conf("site.host5"), "--acquire", "guarded", "-n", "1", "-t", LEASE, "--", "true"]).done;
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).not.toContain("Took over");
    expect(next.stderr).toMatch(/ignored a record of guarded: unknown_sender/);
    expect(next.stderr).toMatch(/ignored a record of guarded: bad_signature/);
  });
});
