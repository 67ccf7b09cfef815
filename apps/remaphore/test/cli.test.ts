import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectRemaphore, encodeMessage, loadRemaphoreConfig, parseRemaphoreConfig } from "@org/messaging";
import { connect } from "nats";
import { DEADLINE_MS, startNatsServer, waitUntil, type NatsServer } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Fleet, listening, remaphore, remaphoreInProcess } from "./fleet.js";

describe("the remaphore command against a real nats-server", () => {
  let server: NatsServer;
  let fleet: Fleet;
  let scripts: string;

  beforeAll(async () => {
    server = await startNatsServer();
    fleet = new Fleet(server.url, ["site.up.host1", "site.down.host1", "site.down.host2", "site.down.host3", "site.other.host9"]);
    scripts = mkdtempSync(join(tmpdir(), "remaphore-scripts-"));
    const write = (name: string, body: string): void => {
      writeFileSync(join(scripts, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(scripts, name), 0o755);
    };
    write("record.sh", `{ for a in "$@"; do printf 'arg=%s\\n' "$a"; done; env | sort; } > "$0.$REMAPHORE_DESTMATCH.out"`);
    // Run by node itself, not a shell, so the environment it records is exactly the one it was given.
    writeFileSync(
      join(scripts, "record-env"),
      `#!${process.execPath}\nrequire("node:fs").writeFileSync(\`\${process.argv[1]}.\${process.env.REMAPHORE_DESTMATCH}.json\`, JSON.stringify({ args: process.argv.slice(2), env: process.env }));\n`,
    );
    chmodSync(join(scripts, "record-env"), 0o755);
    write("pong.sh", 'echo "pong $1 $2"');
    write("multi.sh", 'printf "a\\n"; printf "b\\n" >&2; printf "c"');
    write("slow.sh", "exec sleep 600");
    write("binary.sh", "printf '\\377\\376 raw'");
  });

  afterAll(async () => {
    fleet.cleanup();
    rmSync(scripts, { recursive: true, force: true });
    await server.stop();
  });

  const conf = (destination: string): string => fleet.node(destination).configFile;
  // `-t` of a receiver waiting for one message, or of a request every peer answers: both end as
  // soon as that happens, so the shared deadline costs nothing and only bounds a broken run.
  const DEADLINE = `${String(DEADLINE_MS)}ms`;

  it("runs the S3 example: three downloaders wait for the uploader's upload_done", async () => {
    const downloaders = ["site.down.host1", "site.down.host2", "site.down.host3"].map((d) =>
      remaphore(["-c", conf(d), "-u", "upload_done", "-t", DEADLINE, join(scripts, "record-env")]),
    );
    await Promise.all(downloaders.map(listening));
    const uploader = await remaphore(["-c", conf("site.up.host1"), "-s", "-u", "upload_done", "bigfile", "uploaded"]).done;
    expect(uploader).toMatchObject({ code: 0, stdout: "" });
    const results = await Promise.all(downloaders.map((d) => d.done));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    const record = JSON.parse(readFileSync(join(scripts, "record-env.site.down.host2.json"), "utf8")) as { args: string[]; env: Record<string, string> };
    expect(record.args).toEqual(["ping", "bigfile uploaded"]);
    expect(Object.keys(record.env).sort()).toEqual([
      "REMAPHORE_DESTMATCH",
      "REMAPHORE_MSG",
      "REMAPHORE_SENDER",
      "REMAPHORE_TIME",
      "REMAPHORE_UUID",
      "REMAPHORE_VERB",
    ]);
    expect(record.env).toMatchObject({
      REMAPHORE_SENDER: fleet.node("site.up.host1").key,
      REMAPHORE_VERB: "ping",
      REMAPHORE_UUID: "75706c6f61645f646f6e65",
      REMAPHORE_MSG: "bigfile uploaded",
      REMAPHORE_DESTMATCH: "site.down.host2",
    });
    expect(record.env.REMAPHORE_TIME).toMatch(/^\d+$/);
  });

  it("prints the replies of two responders, framing multi-line output", async () => {
    const one = remaphore(["-c", conf("site.down.host1"), "-o", "-t", DEADLINE, join(scripts, "pong.sh")]);
    const two = remaphore(["-c", conf("site.down.host2"), "-o", "-t", DEADLINE, join(scripts, "multi.sh")]);
    const three = remaphore(["-c", conf("site.down.host3"), "-o", "-t", DEADLINE]);
    await Promise.all([listening(one), listening(two), listening(three)]);
    const nobody = await remaphore(["-c", conf("site.up.host1"), "-r", "-t", "10s", "-D", "nowhere.**", "x"]).done;
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toContain("remaphore: ERROR: no known receivers\n");
    // Every peer the pattern names answers: the request ends with the last reply, well before -t.
    const request = await remaphore(["-c", conf("site.up.host1"), "-r", "-t", DEADLINE, "-D", "site.down.*", "-v", "ping", "x"]).done;
    expect(request.code).toBe(0);
    expect(request.stdout).toContain("site.down.host3,NO_DATA\n");
    const sep = /--> ([0-9a-f]{32})/.exec(request.stdout)?.[1];
    expect(sep).toBeDefined();
    expect(request.stdout).toContain("site.down.host1,0,pong ping x\n");
    expect(request.stdout).toContain(`--> ${sep!}\nsite.down.host2,0,a\nb\nc\n--< ${sep!}\n`);
    await Promise.all([one.done, two.done, three.done]);
  });

  it("ignores, with a debug reason, an unknown key, a wrong verb, a forged signature, a replay and a skewed message", async () => {
    // The receiver waits for a last message with the id "end", sent after all the others.
    const receiver = remaphore(["-c", conf("site.down.host1"), "-u", "end"]);
    await listening(receiver);
    const stranger = new Fleet(server.url, ["site.stranger"]);
    expect((await remaphore(["-c", stranger.node("site.stranger").configFile, "-s", "hi"]).done).code).toBe(0);
    stranger.cleanup();
    expect((await remaphore(["-c", conf("site.up.host1"), "-s", "-v", "delete", "rm -rf"]).done).code).toBe(0);
    const sender = fleet.node("site.up.host1");
    const message = (time: bigint, payload: string): Uint8Array => {
      const raw = encodeMessage({ destination: "**", time, uuid: new Uint8Array(12), verb: "ping", request: false, payload: Buffer.from(payload) }, sender.pair);
      if (!raw.ok) throw raw.error;
      return raw.value;
    };
    const nc = await connect({ servers: server.url });
    const now = BigInt(Date.now()) * 1_000_000n;
    const forged = Buffer.from(message(now, "genuine"));
    forged.set(Buffer.from("forged!"), forged.length - 7);
    nc.publish("remaphore.all", forged);
    const once = message(now, "once");
    nc.publish("remaphore.all", once);
    nc.publish("remaphore.all", once);
    nc.publish("remaphore.all", message(now - 60_000_000_000n, "late"));
    const end = encodeMessage({ destination: "**", time: BigInt(Date.now()) * 1_000_000n, uuid: Buffer.from("end"), verb: "ping", request: false, payload: Buffer.from("end") }, sender.pair);
    if (!end.ok) throw end.error;
    nc.publish("remaphore.all", end.value);
    await nc.drain();
    const result = await receiver.done;
    expect(result.code).toBe(0);
    for (const reason of ["unknown_sender", "verb_not_allowed", "bad_signature", "replay", "skew"]) expect(result.stderr).toContain(`: ${reason} (`);
    // The same drops in the original's words, on its log lines.
    for (const reason of ["peer key or permission not known", "signature corrupt", "message outside of time window", "message replayed"]) {
      expect(result.stderr).toMatch(new RegExp(`^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d Message error: ${reason}$`, "m"));
    }
  });

  it("hands shell metacharacters to the script verbatim and runs nothing else", async () => {
    const marker = join(scripts, "pwned");
    const receiver = remaphore(["-c", conf("site.down.host3"), "-o", "-t", DEADLINE, join(scripts, "record.sh")]);
    await listening(receiver);
    const payload = `$(touch ${marker}); rm -rf / \`touch ${marker}\` && touch ${marker}`;
    expect((await remaphore(["-c", conf("site.up.host1"), "-s", "-D", "site.down.host3", payload]).done).code).toBe(0);
    expect((await receiver.done).code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(join(scripts, "record.sh.site.down.host3.out"), "utf8")).toContain(`arg=${payload}\n`);
  });

  it("finds a script given by bare name on the receiver's PATH, and answers -1 for one not there", async () => {
    const path = `${scripts}:${process.env.PATH ?? ""}`;
    const found = remaphore(["-c", conf("site.down.host1"), "-o", "-t", DEADLINE, "pong.sh"], { PATH: path });
    const missing = remaphore(["-c", conf("site.down.host2"), "-o", "-t", DEADLINE, "no-such-script.sh"], { PATH: path });
    await Promise.all([listening(found), listening(missing)]);
    const [one, two] = await Promise.all(
      ["site.down.host1", "site.down.host2"].map((destination) => remaphore(["-c", conf("site.up.host1"), "-r", "-t", DEADLINE, "-D", destination, "x"]).done),
    );
    expect(one!.stdout).toBe("site.down.host1,0,pong ping x\n");
    expect(two!.stdout).toBe("site.down.host2,-1,\n");
    expect((await found.done).code).toBe(0);
    expect((await missing.done).code).toBe(0);
  });

  it("answers -1 for a payload holding a NUL byte, which no script can be given", async () => {
    const receiver = remaphore(["-c", conf("site.down.host1"), "-o", "-t", DEADLINE, join(scripts, "pong.sh")]);
    await listening(receiver);
    const loaded = await loadRemaphoreConfig(conf("site.up.host1"));
    if (!loaded.ok) throw loaded.error;
    const client = await connectRemaphore(loaded.value.config);
    try {
      const result = await client.request({ destination: "site.down.host1", payload: Buffer.from("a\0b"), timeoutMs: DEADLINE_MS });
      expect(result.replies.map((reply) => Buffer.from(reply.message.payload).toString("latin1"))).toEqual(["-1,"]);
    } finally {
      await client.close();
    }
    expect((await receiver.done).code).toBe(0);
  });

  it("replies with the script's output byte for byte, even when it is not UTF-8", async () => {
    const receiver = remaphore(["-c", conf("site.down.host1"), "-o", "-t", DEADLINE, join(scripts, "binary.sh")]);
    await listening(receiver);
    const loaded = await loadRemaphoreConfig(conf("site.up.host1"));
    if (!loaded.ok) throw loaded.error;
    const client = await connectRemaphore(loaded.value.config);
    try {
      const result = await client.request({ destination: "site.down.host1", payload: "x", timeoutMs: DEADLINE_MS });
      expect(result.replies.map((reply) => Buffer.from(reply.message.payload).toString("hex"))).toEqual([Buffer.from("0,\xff\xfe raw", "latin1").toString("hex")]);
    } finally {
      await client.close();
    }
    expect((await receiver.done).code).toBe(0);
  });

  it("replies NO_DATA when the receiver runs no script", async () => {
    const receiver = remaphore(["-c", conf("site.down.host1"), "-o", "-t", DEADLINE]);
    await listening(receiver);
    const request = await remaphore(["-c", conf("site.up.host1"), "-r", "-t", DEADLINE, "-D", "site.down.host1", "x"]).done;
    expect(request).toMatchObject({ code: 0, stdout: "site.down.host1,NO_DATA\n" });
    expect((await receiver.done).code).toBe(0);
  });

  it("kills a script still running at the deadline and answers -1", async () => {
    // Both ends run in this process on vitest's fake Date, which the test moves past the
    // receiver's -t once it listens: the deadline is reached by its clock, not by waiting for it.
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    try {
      const receiver = remaphoreInProcess(["-c", conf("site.down.host2"), "-o", "-t", "1h", join(scripts, "slow.sh")]);
      await waitUntil(() => receiver.stderr().includes(" Ready\n"), "the receiver to log Ready", { detail: receiver.stderr });
      vi.setSystemTime(Date.now() + 3_600_000);
      // No -t: the request ends when the receiver answers. The script sleeps ten minutes.
      const request = remaphoreInProcess(["-c", conf("site.up.host1"), "-r", "-D", "site.down.host2", "x"]);
      expect(await request.done).toBe(0);
      expect(request.stdout()).toBe("site.down.host2,-1,\n");
      expect(await receiver.done).toBe(0);
      expect(receiver.stderr()).toContain("Exec (-1)");
    } finally {
      vi.useRealTimers();
    }
  });

  it("exits 1 when nothing arrives before -t", async () => {
    expect((await remaphore(["-c", conf("site.down.host1"), "-t", "300ms"]).done).code).toBe(1);
  });

  it("exits 2 for usage and configuration errors", async () => {
    const both = await remaphore(["-r", "-s"]).done;
    expect(both).toMatchObject({ code: 2 });
    expect(both.stderr).toBe("remaphore: -r and -s are mutually exclusive\n");
    expect((await remaphore(["-d", "-D", "x"]).done).stderr).toBe("remaphore: -d and -D are mutually exclusive\n");
    // -C prints its example however the other flags conflict, as the original does.
    const example = await remaphore(["-C", "-r", "-s"]).done;
    expect(example.code).toBe(0);
    expect(example.stdout).toContain("[ Identities ]");
    expect((await remaphore(["-x"]).done).stderr).toContain("flag provided but not defined: -x");
    const missing = await remaphore(["-c", join(scripts, "missing.conf"), "-s"]).done;
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^remaphore: ERROR: cannot read/);
    expect(missing.stderr).toContain(`remaphore -C > ${join(scripts, "missing.conf")}`);
  });

  it("exits 3 with nats: timeout when no server is reachable by -t", async () => {
    const dir = mkdtempSync(join(tmpdir(), "remaphore-down-"));
    const offline = new Fleet("nats://127.0.0.1:1", ["site.a"]);
    const result = await remaphore(["-c", offline.node("site.a").configFile, "-s", "-t", "500ms", "x"]).done;
    offline.cleanup();
    rmSync(dir, { recursive: true, force: true });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("remaphore: ERROR: nats: timeout\n");
  });

  it("prints an example config with a fresh identity that parses back", async () => {
    const result = await remaphore(["-C"]).done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^server: nats:\/\/natsserver:4222\ncredentials: \/path\/to\/credentials\/file\nsubject: remaphore\ndefault_identity: \w+\ndestination: all\nallow_skew: 5s\n\n(#[^\n]*\n|[a-z_]+: [^\n]+\n)+\n\[ Identities \]\n\w+ \w+ \[ping\]\n\n\[ Peers \]\n$/);
    // The keys of kept signals and semaphores, with their defaults (the original ignores them).
    for (const key of ["keep_stream: REMAPHORE_KEPT", "keep_max_age: 24h", "keep_max_msgs: 16", "# since: 1h", "# state_dir: ", "semaphore_bucket: remaphore_semaphores", "semaphore_ttl: 30s", "jetstream_replicas: 1"]) {
      expect(result.stdout).toContain(`\n${key}`);
    }
    expect(parseRemaphoreConfig(result.stdout).ok).toBe(true);
  });

  it("explains itself with -h and --version", async () => {
    const help = await remaphore(["-h"]).done;
    expect(help.code).toBe(0);
    for (const flag of ["-s", "-r", "-o", "-d", "-D", "-p", "-u", "-v", "-t", "-S", "-c", "-C"]) expect(help.stdout).toContain(`  ${flag}`);
    expect((await remaphore(["--version"]).done).stdout).toMatch(/^remaphore \d+\.\d+\.\d+\n$/);
  });
});
