import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as connectTcp, createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeBase58, generateKeyPair } from "@org/identity";
import { DEADLINE_MS, freePort, startNatsServer, waitUntil, type NatsServer } from "@org/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { parseFlags, UsageError } from "../src/flags.js";
import { eventually, Fleet, listening, remaphore, remaphoreInProcess } from "./fleet.js";

const usageError = (argv: readonly string[]): UsageError => {
  try {
    parseFlags(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`parseFlags accepted ${JSON.stringify(argv)}`);
};

describe("parseFlags, as the original reads its command line", () => {
  it("takes -t 0 and negative durations as no timeout", () => {
    expect(parseFlags(["-t", "0"]).timeoutMs).toBeUndefined();
    expect(parseFlags(["-t=0s"]).timeoutMs).toBeUndefined();
    expect(parseFlags(["-t", "-1s"]).timeoutMs).toBeUndefined();
    expect(parseFlags(["-t", "1ms"]).timeoutMs).toBe(1);
    expect(parseFlags(["-t", "1.5s"]).timeoutMs).toBe(1500);
    expect(usageError(["-t", "5"]).message).toBe('invalid value "5" for flag -t: parse error');
  });

  it("takes an empty -u, -D, -p or -S as not given", () => {
    const flags = parseFlags(["-u", "", "-D", "", "-p", "", "-S", ""]);
    expect(flags.uuid).toBeUndefined();
    expect(flags.destination).toBeUndefined();
    expect(flags.publicKey).toBeUndefined();
    expect(flags.subjectSuffix).toBeUndefined();
    // The last value given wins, an empty one included.
    expect(parseFlags(["-D", "site.*", "-D="]).destination).toBeUndefined();
    expect(parseFlags(["-u", "", "-u", "id"]).uuid).toBe("id");
  });

  it("allows -d with an empty -D", () => {
    expect(parseFlags(["-d", "-D", ""])).toMatchObject({ noDestination: true, destination: undefined });
    expect(usageError(["-d", "-D", "x"]).message).toBe("-d and -D are mutually exclusive");
  });

  it("trims -v entries and drops empty ones", () => {
    expect(parseFlags(["-v", ""]).verbs).toBeUndefined();
    expect(parseFlags(["-v", " , ,"]).verbs).toBeUndefined();
    expect(parseFlags(["-v", " upload"]).verbs).toEqual(["upload"]);
    expect(parseFlags(["-v", ",upload"]).verbs).toEqual(["upload"]);
    expect(parseFlags(["-v", "ping ,\tupload\n,, x y "]).verbs).toEqual(["ping", "upload", "x y"]);
    // Go's unicode.IsSpace: no-break space is trimmed, a byte order mark is not.
    expect(parseFlags(["-v", "\u00a0ping\u3000,\ufeffup"]).verbs).toEqual(["ping", "\ufeffup"]);
  });

  it("refuses a -p that is not a base58 public key of 32 bytes, without the usage text", () => {
    const key = encodeBase58(generateKeyPair().publicKey);
    expect(parseFlags(["-p", key]).publicKey).toBe(key);
    for (const bad of ["nope", "0OIl", key.slice(0, -2), `${key}${key}`, ` ${key}`, `${key} `, `1${key}`]) {
      const error = usageError(["-p", bad]);
      expect(error.message).toBe("ERROR: Given public key does not parse");
      expect(error.showUsage).toBe(false);
    }
    // -C prints its example whatever -p says.
    expect(parseFlags(["-C", "-p", "nope"]).printConfig).toBe(true);
    expect(usageError(["-x"]).showUsage).toBe(true);
  });
});

describe("parseFlags, beyond the original: kept signals and semaphores", () => {
  it("reads --keep, --since, --acquire with -n and --ttl, and stops at -- before the command", () => {
    expect(parseFlags(["-s", "--keep", "1h", "-u", "upload_done"])).toMatchObject({ send: true, keepMs: 3_600_000, uuid: "upload_done" });
    expect(parseFlags(["-since=90m", "-u", "x"]).sinceMs).toBe(5_400_000);
    expect(parseFlags(["--acquire", "restart.web", "-n", "2", "--ttl", "30s", "-t", "10m", "--", "systemctl", "restart", "-q", "web"])).toMatchObject({
      acquire: "restart.web",
      slots: 2,
      ttlMs: 30_000,
      timeoutMs: 600_000,
      args: ["systemctl", "restart", "-q", "web"],
    });
    expect(parseFlags(["--status", "restart"]).slots).toBe(1);
  });

  it.each([
    [["--keep", "1h"], "--keep goes with -s"],
    [["-s", "--since", "1h"], "--since is for receiving"],
    [["-s", "--keep", "0"], 'invalid value "0" for flag -keep'],
    [["--acquire", "a b"], 'invalid semaphore name "a b"'],
    [["--acquire", "x", "-n", "0"], 'invalid value "0" for flag -n'],
    [["--acquire", "x", "--ttl", "500ms"], "for flag -ttl: 1s or more"],
    [["--acquire", "x", "--status", "x"], "--acquire, --release and --status are mutually exclusive"],
    [["-s", "--release", "x"], "cannot be combined with -s or -r"],
  ])("refuses %j", (argv, message) => {
    expect(usageError(argv).message).toContain(message);
  });
});

describe("the remaphore command, where it differed from the original", () => {
  let server: NatsServer;
  let fleet: Fleet;
  let scripts: string;
  const conf = (destination: string): string => fleet.node(destination).configFile;

  beforeAll(async () => {
    server = await startNatsServer();
    fleet = new Fleet(server.url, ["zone.a.host1", "zone.b.host2"]);
    scripts = mkdtempSync(join(tmpdir(), "remaphore-compat-"));
    // Called as: env.sh <output file> <verb> <payload>.
    writeFileSync(join(scripts, "env.sh"), '#!/bin/sh\nenv > "$1"\necho "$2 $3"\n');
    chmodSync(join(scripts, "env.sh"), 0o755);
  });

  afterAll(async () => {
    fleet.cleanup();
    rmSync(scripts, { recursive: true, force: true });
    await server.stop();
  });

  const environment = (file: string): Record<string, string> =>
    Object.fromEntries(
      readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );

  it("with -t 0 or a negative -t: the receiver waits, the sender sends and -r waits for its replies", async () => {
    const receiver = remaphore(["-c", conf("zone.b.host2"), "-o", "-t", "0"]);
    // Were -t 0 an immediate timeout, the receiver would exit 1 right after Ready, before this arrives.
    await listening(receiver);
    const sent = await remaphore(["-c", conf("zone.a.host1"), "-s", "-t", "0", "hello"]).done;
    expect(sent.stderr).not.toContain("ERROR");
    expect(sent.code).toBe(0);
    expect((await receiver.done).code).toBe(0);

    const responder = remaphore(["-c", conf("zone.b.host2"), "-o", "-t", "-5s"]);
    await listening(responder);
    const request = await remaphore(["-c", conf("zone.a.host1"), "-r", "-t", "0", "-D", "zone.b.host2", "x"]).done;
    expect(request).toMatchObject({ code: 0, stdout: "zone.b.host2,NO_DATA\n" });
    expect((await responder.done).code).toBe(0);
  });

  it("sets REMAPHORE_DESTMATCH to the local destination when the message's pattern matches it, whatever -D or -d", async () => {
    const cases: { readonly receive: readonly string[]; readonly pattern: string; readonly destmatch: string | undefined }[] = [
      { receive: ["-d"], pattern: "**", destmatch: "zone.b.host2" },
      { receive: ["-d"], pattern: "zone.a.*", destmatch: undefined },
      { receive: ["-D", "zone.*.host2"], pattern: "zone.*.host2", destmatch: "zone.b.host2" },
      { receive: ["-D", "zone.a.**"], pattern: "zone.a.**", destmatch: undefined },
      { receive: [], pattern: "zone.b.*", destmatch: "zone.b.host2" },
    ];
    for (const [index, item] of cases.entries()) {
      const out = join(scripts, `destmatch-${index}.env`);
      const receiver = remaphore(["-c", conf("zone.b.host2"), "-o", "-t", `${String(DEADLINE_MS)}ms`, ...item.receive, join(scripts, "env.sh"), out]);
      await listening(receiver);
      expect((await remaphore(["-c", conf("zone.a.host1"), "-s", "-D", item.pattern, "x"]).done).code).toBe(0);
      expect((await receiver.done).code).toBe(0);
      const env = environment(out);
      expect(env.REMAPHORE_MSG, JSON.stringify(item)).toBe("x");
      expect(env.REMAPHORE_DESTMATCH, JSON.stringify(item)).toBe(item.destmatch);
    }
  });

  it("takes empty -u, -D and -p values as not given and trims -v, on both ends", async () => {
    const out = join(scripts, "empty.env");
    // -u "" neither waits for an empty id nor implies -o; -p "" accepts every sender.
    const receiver = remaphore(["-c", conf("zone.b.host2"), "-u", "", "-p", "", "-v", " upload", join(scripts, "env.sh"), out]);
    await listening(receiver);
    const sent = await remaphore(["-c", conf("zone.a.host1"), "-s", "-D", "", "-u", "", "-p", "", "-v", ",upload", "first"]).done;
    expect(sent.code).toBe(0);
    expect((await remaphore(["-c", conf("zone.a.host1"), "-s", "-v", "upload ", "second"]).done).code).toBe(0);
    // Both messages run the script: the receiver does not stop after the first.
    await eventually(() => receiver.stderr().match(/script exited with 0/g)?.length === 2, "two script runs");
    receiver.kill("SIGTERM");
    const result = await receiver.done;
    expect(result.code).toBe(143);
    const env = environment(out);
    expect(env.REMAPHORE_VERB).toBe("upload");
    expect(env.REMAPHORE_UUID).toMatch(/^[0-9a-f]{24}$/);
    expect(result.stderr).not.toContain("ignored");
  });

  it("exits 2 for a -p that does not parse, before reading the config", async () => {
    const result = await remaphore(["-c", join(scripts, "missing.conf"), "-p", "not-a-key", "-s", "x"], { REMAPHORE_LOG: "" }).done;
    expect(result).toMatchObject({ code: 2, stdout: "", stderr: "remaphore: ERROR: Given public key does not parse\n" });
  });

  it("fails a request nobody is configured to answer without connecting", async () => {
    // The configured server is a plain listener that counts the connections it is offered.
    const connections: Socket[] = [];
    const listener = createServer((socket) => connections.push(socket));
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const offline = new Fleet(`nats://127.0.0.1:${(listener.address() as AddressInfo).port}`, ["zone.a.host1", "zone.b.host2"]);
    try {
      const result = await remaphore(["-c", offline.node("zone.a.host1").configFile, "-r", "-D", "nowhere.**", "x"], { REMAPHORE_LOG: "" }).done;
      expect(result).toMatchObject({ code: 3, stdout: "", stderr: "remaphore: ERROR: no known receivers\n" });
      // Connections are accepted in the order they came: once the listener has this one, it has
      // every connection the request could have made before it exited.
      const witness = connectTcp((listener.address() as AddressInfo).port, "127.0.0.1");
      await waitUntil(() => connections.length > 0 && connections.at(-1)!.remotePort === witness.localPort, "the witness connection");
      witness.destroy();
      expect(connections).toHaveLength(1);
    } finally {
      offline.cleanup();
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => listener.close(() => { resolve(); }));
    }
  });
});

describe("the remaphore command on a clock the test moves (vitest's fake Date)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("bounds a request by -t from its start: time spent connecting counts against it", async () => {
    const port = await freePort();
    const late = new Fleet(`nats://127.0.0.1:${port}`, ["zone.a.host1", "zone.b.host2"]);
    let lateServer: NatsServer | undefined;
    try {
      vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
      // No server yet: the request keeps trying to connect.
      const request = remaphoreInProcess(["-c", late.node("zone.a.host1").configFile, "-r", "-t", "1h", "-D", "zone.b.host2", "x"]);
      // Its config is read and its deadline taken: it logs this line just before.
      await waitUntil(() => request.stderr().includes(" peers\n"), "the request to read its config", { detail: request.stderr });
      // An hour passes, by the request's clock, before a server comes up; nobody answers.
      vi.setSystemTime(Date.now() + 3_600_000);
      lateServer = await startNatsServer({ port });
      // Were -t counted from the connection, it would wait another real hour.
      expect(await request.done).toBe(1);
      expect(request.stdout()).toBe("");
      expect(request.stderr()).not.toContain("ERROR");
    } finally {
      late.cleanup();
      await lateServer?.stop();
    }
  });
});
