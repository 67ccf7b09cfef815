// @module-tag e2e
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeMessage, connectRemaphore, loadRemaphoreConfig, type RemaphoreConfig } from "@org/messaging";
import { keptSubject, KEEP_HEADER } from "@org/messaging/jetstream";
import { DEADLINE_MS, startNatsServer, waitUntil, type NatsServer } from "@org/testkit";
import { headers, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendKept } from "../src/kept.js";
import { fleetOn, listening, remaphore, type Fleet } from "./fleet.js";

// -t of receivers that end on the message they wait for (or a signal): only a broken run reaches it.
const DEADLINE = `${String(DEADLINE_MS)}ms`;

describe("kept signals on a real nats-server with JetStream", () => {
  let server: NatsServer;
  let fleet: Fleet;
  let dir: string;
  let nc: NatsConnection;
  let stop: () => Promise<void>;
  const conf = (destination: string): string => fleet.node(destination).configFile;
  const config = async (destination: string): Promise<RemaphoreConfig> => {
    const loaded = await loadRemaphoreConfig(conf(destination));
    if (!loaded.ok) throw loaded.error;
    return loaded.value.config;
  };
  /** A script that appends its payload to `<script>.out`, one line per run. */
  const recorder = (name: string): { path: string; lines: () => string[] } => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\nprintf '%s %s %s\\n' "$REMAPHORE_MSG" "$REMAPHORE_UUID" "$REMAPHORE_DESTMATCH" >> "$0.out"\n`);
    chmodSync(path, 0o755);
    return { path, lines: () => (existsSync(`${path}.out`) ? readFileSync(`${path}.out`, "utf8").split("\n").filter((line) => line !== "") : []) };
  };

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: true });
    ({ fleet, dir, nc, stop } = await fleetOn([server.url], ["site.up", "site.down.host1", "site.down.host2"], { settings: ["state_dir: {dir}/state-{destination}"], stopServers: () => server.stop() }));
  });

  afterAll(() => stop());

  it("runs the script of a downloader started after the uploader exited, once, also across a restart", async () => {
    const download = recorder("download.sh");
    const uploader = await remaphore(["-c", conf("site.up"), "-s", "--keep", "1h", "-u", "upload_done", "bigfile"]).done;
    expect(uploader).toMatchObject({ code: 0, stdout: "" });
    // The uploader has exited: only the stream can still hand the message to the downloader.
    const downloader = await remaphore(["-c", conf("site.down.host1"), "--since", "1h", "-u", "upload_done", "-t", DEADLINE, download.path]).done;
    expect(downloader.code).toBe(0);
    expect(downloader.stderr).toMatch(/Incoming message\n.*Exec \(0\): '.*download\.sh ping bigfile'/s);
    expect(download.lines()).toEqual(["bigfile 75706c6f61645f646f6e65 site.down.host1"]);

    // Started again, the same receiver finds the message it acted on in its record and waits on.
    const again = remaphore(["-c", conf("site.down.host1"), "--since", "1h", "-u", "upload_done", "-t", DEADLINE, download.path]);
    await listening(again);
    expect(again.stderr()).toContain("this receiver already acted on it");
    again.kill("SIGTERM");
    expect((await again.done).code).toBe(143);
    expect(download.lines()).toHaveLength(1);

    // Another node has its own record: it runs the script too.
    const other = await remaphore(["-c", conf("site.down.host2"), "--since", "1h", "-u", "upload_done", "-t", DEADLINE, download.path]).done;
    expect(other.code).toBe(0);
    expect(download.lines()).toEqual(["bigfile 75706c6f61645f646f6e65 site.down.host1", "bigfile 75706c6f61645f646f6e65 site.down.host2"]);
  });

  it("goes from kept to live messages without a gap or a copy", async () => {
    const record = recorder("gap.sh");
    const client = await connectRemaphore(await config("site.up"));
    const io = { now: Date.now, random: (length: number) => new Uint8Array(randomBytes(length)) };
    const send = (i: number): Promise<void> => sendKept(client, { subjectSuffix: "gap", payload: `m${i}`, keepMs: 3_600_000 }, io);
    // Sent before the receiver exists: these can only come from the stream.
    for (let i = 0; i < 20; i++) await send(i);
    const receiver = remaphore(["-c", conf("site.down.host1"), "--since", "1h", "-S", "gap", "-t", DEADLINE, record.path]);
    try {
      // Sent while the receiver starts: each is in the stream, live, or both while it reads the stream.
      for (let i = 20; i < 40; i++) await send(i);
      // Sent after `Ready`, which the receiver logs once it has read the stream: these arrive live.
      await listening(receiver);
      for (let i = 40; i < 60; i++) await send(i);
      await waitUntil(() => record.lines().some((line) => line.startsWith("m59 ")), "the last message's script", { detail: receiver.stderr });
      const read = Number(/read (\d+) kept messages/.exec(receiver.stderr())?.[1]);
      expect(read).toBeGreaterThanOrEqual(20);
      expect(read).toBeLessThanOrEqual(40);
      const payloads = record.lines().map((line) => line.split(" ")[0]);
      expect(payloads).toEqual(Array.from({ length: 60 }, (_, i) => `m${i}`));
    } finally {
      receiver.kill("SIGTERM");
      await receiver.done;
      await client.close();
    }
  });

  it("refuses a kept message stored again later (a replay) and one past its --keep", async () => {
    const record = recorder("replayed.sh");
    const up = await config("site.up");
    const signed = (payload: string, ageMs: number): { raw: Uint8Array; uuid: Uint8Array } => {
      const uuid = new Uint8Array(randomBytes(12));
      const raw = encodeMessage({ destination: "**", time: BigInt(Date.now() - ageMs) * 1_000_000n, uuid, verb: "ping", request: false, payload: Buffer.from(payload) }, up.identities[0]!.keyPair);
      if (!raw.ok) throw raw.error;
      return { raw: raw.value, uuid };
    };
    const js = nc.jetstream();
    const store = async (message: { raw: Uint8Array; uuid: Uint8Array }, keepMs: number): Promise<void> => {
      const meta = headers();
      meta.set(KEEP_HEADER, String(keepMs));
      await js.publish(keptSubject(up, { subjectSuffix: "replay", uuid: message.uuid, destination: "**" }), message.raw, { headers: meta });
    };
    // Make the stream exist with a message of its own, then write copies straight into it.
    expect((await remaphore(["-c", conf("site.up"), "-s", "--keep", "1h", "-S", "replay", "genuine"]).done).code).toBe(0);
    await store(signed("captured-a-minute-ago", 60_000), 3_600_000);
    await store(signed("kept-for-1ms", 0), 1);
    const receiver = remaphore(["-c", conf("site.down.host2"), "--since", "1h", "-S", "replay", "-t", DEADLINE, record.path]);
    await listening(receiver);
    await waitUntil(() => record.lines().length > 0, "the genuine message's script", { detail: receiver.stderr });
    receiver.kill("SIGTERM");
    const result = await receiver.done;
    expect(record.lines().map((line) => line.split(" ")[0])).toEqual(["genuine"]);
    expect(result.stderr).toMatch(/Message error: message outside of time window/);
    // Signed a minute before it was stored: at least that far off the receiver's clock, however long the machine took since.
    expect(Number(/skew \(message is (\d+) ms off our clock/.exec(result.stderr)?.[1])).toBeGreaterThanOrEqual(60_000);
    expect(result.stderr).toContain("expired (kept until");
  });

  it("loads no JetStream code for a plain -s: it is in chunks the command imports only when asked", () => {
    const dist = fileURLToPath(new URL("../dist/", import.meta.url));
    const bundle = readFileSync(join(dist, "remaphore.cjs"), "utf8");
    // Everything the entry point requires when it loads, followed through the chunks it requires.
    const loaded = new Set<string>();
    const follow = (text: string, from: string): void => {
      for (const [, relative] of text.matchAll(/^const \w+ = require\("(\.\/.+)"\);$/gm)) {
        const path = join(from, relative!);
        if (loaded.has(path)) continue;
        loaded.add(path);
        follow(readFileSync(path, "utf8"), dirname(path));
      }
    };
    follow(bundle, dist);
    expect(loaded.size).toBeGreaterThan(0);
    for (const path of loaded) expect(readFileSync(path, "utf8"), path).not.toMatch(/jetstreamManager|views\.kv/);
    expect(bundle).not.toMatch(/jetstreamManager|views\.kv/);
    expect(bundle).toMatch(/await Promise\.resolve\(\)\.then\(\(\) => require\("\.\/bundle\/kept-[\w-]+\.cjs"\)\)/);
    expect(bundle).toMatch(/await Promise\.resolve\(\)\.then\(\(\) => require\("\.\/bundle\/semaphore-command-[\w-]+\.cjs"\)\)/);
  });
});
