import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair, type KeyPair } from "@org/identity";
import { connectRemaphore, encodeMessage, loadRemaphoreConfig } from "@org/messaging";
import { startNatsServer, type NatsServer } from "@org/testkit";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, Fleet, listening, remaphore } from "./fleet.js";

const LOG_LINE = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d (.*)$/;

/** The text of the Go-format log lines on stderr, prefixes checked and removed. */
function logLines(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => LOG_LINE.exec(line)?.[1] ?? `NOT A LOG LINE: ${line}`);
}

/** Whether a process has ended (gone, or a zombie nobody has reaped yet). */
function isGone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").startsWith("Z");
  } catch {
    return true;
  }
}

describe("the remaphore receiver against a real nats-server, without credentials", () => {
  let server: NatsServer;
  let fleet: Fleet;
  let dir: string;
  let nc: NatsConnection;
  const conf = (destination: string): string => fleet.node(destination).configFile;

  const script = (name: string, body: string): string => {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
    return join(dir, name);
  };

  /** A message from `pair`, signed now. */
  const signed = (pair: KeyPair, payload: string, uuid = ""): Uint8Array => {
    const raw = encodeMessage(
      { destination: "**", time: BigInt(Date.now()) * 1_000_000n, uuid: uuid === "" ? new Uint8Array(generateKeyPair().publicKey.subarray(0, 12)) : Buffer.from(uuid), verb: "ping", request: false, payload: Buffer.from(payload) },
      pair,
    );
    if (!raw.ok) throw raw.error;
    return raw.value;
  };

  beforeAll(async () => {
    server = await startNatsServer();
    // No credentials line: a plain local nats-server, as in the README's walkthrough.
    fleet = new Fleet(server.url, ["site.sender", "site.receiver"], { withoutCredentials: true });
    dir = mkdtempSync(join(tmpdir(), "remaphore-receiver-"));
    nc = await connect({ servers: server.url });
  });

  afterAll(async () => {
    await nc.close();
    fleet.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  });

  it("acts on a genuine trigger sent after 5,000 forgeries that carry a peer's key", async () => {
    const out = join(dir, "genuine.out");
    const record = script("record-genuine.sh", `echo "$2" > ${out}`);
    const receiver = remaphore(["-c", conf("site.receiver"), "-u", "genuine", record], { REMAPHORE_LOG: "" });
    await listening(receiver);
    const peerKey = fleet.node("site.sender").key;
    const stranger = generateKeyPair();
    for (let i = 0; i < 5000; i++) {
      // Valid framing, a known peer's key, a signature made by someone else.
      const parts = Buffer.from(signed(stranger, `forged ${i}`)).toString("latin1").split(",");
      parts[0] = peerKey;
      nc.publish("remaphore.all", Buffer.from(parts.join(","), "latin1"));
    }
    nc.publish("remaphore.all", signed(fleet.node("site.sender").pair, "the genuine one", "genuine"));
    await nc.flush();
    const result = await receiver.done;
    expect(result.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("the genuine one\n");
    const lines = logLines(result.stderr);
    expect(lines.filter((line) => line === "Message error: signature corrupt")).toHaveLength(5000);
    // The genuine message was not judged late for having waited behind the forgeries.
    expect(lines).not.toContain("Message error: message outside of time window");
    expect(lines.slice(-2)).toEqual(["Incoming message", `Exec (0): '${record} ping the genuine one'`]);
  });

  it("logs like the original by default and says nothing with -q", async () => {
    const pong = script("pong.sh", 'echo "pong $2"');
    const receiver = remaphore(["-c", conf("site.receiver"), "-o", pong], { REMAPHORE_LOG: "" });
    await listening(receiver);
    nc.publish("remaphore.all", signed(fleet.node("site.sender").pair, "hello"));
    const result = await receiver.done;
    expect(result.code).toBe(0);
    expect(logLines(result.stderr)).toEqual(["Ready", "Incoming message", `Exec (0): '${pong} ping hello'`]);

    // Quiet gives no Ready to wait for: send until the receiver has taken one.
    const quiet = remaphore(["-c", conf("site.receiver"), "-o", "-q", pong], { REMAPHORE_LOG: "" });
    let ended = false;
    void quiet.done.then(() => (ended = true));
    await eventually(() => {
      nc.publish("remaphore.all", signed(fleet.node("site.sender").pair, "hello"));
      return ended;
    }, "the quiet receiver to take a message");
    expect(await quiet.done).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("logs a script that fails or cannot start as the original does", async () => {
    const fail = script("fail.sh", "exit 7");
    const failing = remaphore(["-c", conf("site.receiver"), "-o", fail], { REMAPHORE_LOG: "" });
    await listening(failing);
    nc.publish("remaphore.all", signed(fleet.node("site.sender").pair, "x"));
    expect(logLines((await failing.done).stderr).slice(-2)).toEqual([`Exec (7): '${fail} ping x'`, "ERROR: exit status 7"]);
    const missing = remaphore(["-c", conf("site.receiver"), "-o", "no-such-script"], { REMAPHORE_LOG: "" });
    await listening(missing);
    nc.publish("remaphore.all", signed(fleet.node("site.sender").pair, "x"));
    expect(logLines((await missing.done).stderr).slice(-2)).toEqual(["Exec (-1): 'no-such-script ping x'", 'ERROR: exec: "no-such-script": executable file not found in $PATH']);
  });

  it("sends with -s to a plain server without credentials, and times out when there is none", async () => {
    const out = join(dir, "plain.out");
    const receiver = remaphore(["-c", conf("site.receiver"), "-o", script("plain.sh", `echo "$2" > ${out}`)]);
    await listening(receiver);
    const sent = await remaphore(["-c", conf("site.sender"), "-s", "-D", "site.receiver", "over", "the", "short", "path"], { REMAPHORE_LOG: "" }).done;
    expect(sent).toEqual({ code: 0, stdout: "", stderr: "" });
    expect((await receiver.done).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("over the short path\n");
    const offline = new Fleet("nats://127.0.0.1:1", ["site.a"], { withoutCredentials: true });
    try {
      const result = await remaphore(["-c", offline.node("site.a").configFile, "-s", "-t", "500ms", "x"], { REMAPHORE_LOG: "" }).done;
      expect(result).toMatchObject({ code: 3, stderr: "remaphore: ERROR: nats: timeout\n" });
    } finally {
      offline.cleanup();
    }
  });

  it("runs scripts one at a time in arrival order by default", async () => {
    const log = join(dir, "order.log");
    // The first messages sleep longest: run at the same time, their lines would interleave.
    const order = script("order.sh", `echo "start $2" >> ${log}; sleep 0.$((5 - $2)); echo "end $2" >> ${log}`);
    const receiver = remaphore(["-c", conf("site.receiver"), order]);
    await listening(receiver);
    for (const n of [1, 2, 3, 4]) nc.publish("remaphore.all", signed(fleet.node("site.sender").pair, String(n)));
    await nc.flush();
    const lines = await eventually(() => {
      const text = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
      return text.length === 8 ? text : undefined;
    }, "four scripts to finish");
    receiver.kill("SIGTERM");
    await receiver.done;
    expect(lines).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3", "start 4", "end 4"]);
  });

  it("runs scripts at the same time with -j 2", async () => {
    // Each script waits until the other has started: only two at once can both finish.
    const pair = script(
      "pair.sh",
      `touch ${dir}/$2.started; other=$(test "$2" = a && echo b || echo a); i=0; while [ ! -e ${dir}/$other.started ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; test -e ${dir}/$other.started`,
    );
    const receiver = remaphore(["-c", conf("site.receiver"), "-j", "2", pair], { REMAPHORE_LOG: "" });
    await listening(receiver);
    for (const name of ["a", "b"]) nc.publish("remaphore.all", signed(fleet.node("site.sender").pair, name));
    await nc.flush();
    await eventually(() => logLines(receiver.stderr()).filter((line) => line.startsWith("Exec (")).length === 2, "two scripts to finish");
    receiver.kill("SIGTERM");
    const lines = logLines((await receiver.done).stderr);
    expect(lines.filter((line) => line.startsWith("Exec (")).sort()).toEqual([`Exec (0): '${pair} ping a'`, `Exec (0): '${pair} ping b'`]);
  });

  it("kills the running script's whole process group on SIGTERM", async () => {
    const pids = join(dir, "group.pids");
    const group = script("group.sh", `sleep 300 & echo "$$ $!" > ${pids}.tmp && mv ${pids}.tmp ${pids}; wait`);
    const receiver = remaphore(["-c", conf("site.receiver"), group]);
    await listening(receiver);
    nc.publish("remaphore.all", signed(fleet.node("site.sender").pair, "x"));
    const started = await eventually(() => (existsSync(pids) ? readFileSync(pids, "utf8").trim().split(" ").map(Number) : undefined), "the script to start");
    expect(started).toHaveLength(2);
    expect(started.some(isGone)).toBe(false);
    receiver.kill("SIGTERM");
    expect((await receiver.done).code).toBe(143);
    await eventually(() => started.every(isGone), "the script and its child to end");
  });
});

describe("replies that fit the server's max_payload", () => {
  let server: NatsServer;
  let fleet: Fleet;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "remaphore-payload-"));
    writeFileSync(join(dir, "nats.conf"), "max_payload: 65536\n");
    server = await startNatsServer({ args: ["-c", join(dir, "nats.conf")] });
    fleet = new Fleet(server.url, ["site.a", "site.b"], { withoutCredentials: true });
    writeFileSync(join(dir, "big.sh"), "#!/bin/sh\nhead -c 100000 /dev/zero | tr '\\0' x\n");
    chmodSync(join(dir, "big.sh"), 0o755);
  });

  afterAll(async () => {
    fleet.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  });

  it("cuts a script's output to what the server carries, and says so", async () => {
    const receiver = remaphore(["-c", fleet.node("site.b").configFile, "-o", join(dir, "big.sh")]);
    await listening(receiver);
    const loaded = await loadRemaphoreConfig(fleet.node("site.a").configFile);
    if (!loaded.ok) throw loaded.error;
    const client = await connectRemaphore(loaded.value.config);
    try {
      const result = await client.request({ destination: "site.b", timeoutMs: 30_000 });
      expect(result.replies).toHaveLength(1);
      const reply = result.replies[0]!.message;
      expect(reply.raw.length).toBeLessThanOrEqual(65536);
      const text = Buffer.from(reply.payload).toString("latin1");
      expect(text).toMatch(/^0,x+\n\[output truncated at \d+ bytes\]$/);
      expect(text.length).toBeGreaterThan(60_000);
    } finally {
      await client.close();
    }
    expect((await receiver.done).code).toBe(0);
  });
});
