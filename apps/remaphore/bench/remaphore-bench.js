// remaphore beside bare NATS, in one run on one nats-server:
//   1. verified receive: a burst of signed messages from a known peer, the receiver exits on the last
//   2. answered requests: a burst of requests to a receiver without a script (NO_DATA replies)
//   3. a flood of forgeries carrying a peer's key, then one genuine trigger
//   4. a whole `remaphore -s` process, taking turns with a bare nats.js publisher and `node -e 0`
// Each is printed beside a bare nats.js subscriber / responder / publisher, with CPU time per
// message (user + system, from /proc/<pid>/stat). BENCH_MESSAGES (default 20000), BENCH_REQUESTS
// (default 5000), BENCH_FORGED (default 5000), BENCH_FLOODS (default 10) and BENCH_SENDS (default 10)
// tune it; BENCH_BIN runs another build of the command (another checkout's bin/remaphore.*) to
// compare two versions under the same conditions.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeBase58, generateKeyPair } from "@org/identity";
import { encodeMessage } from "@org/messaging";
import { startNatsServer } from "@org/testkit";
import { connect } from "nats";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5_000);
const FORGED = Number(process.env.BENCH_FORGED ?? 5_000);
const SENDS = Number(process.env.BENCH_SENDS ?? 10);
const FLOODS = Number(process.env.BENCH_FLOODS ?? 10);
const BIN = process.env.BENCH_BIN ?? fileURLToPath(new URL("../bin/remaphore.cjs", import.meta.url));
const RAW = fileURLToPath(new URL("./raw-nats.js", import.meta.url));
const TICKS = 100;

const dir = mkdtempSync(join(tmpdir(), "remaphore-bench-"));
const server = await startNatsServer();
const children = new Set();
const cleanup = () => {
  for (const child of children) child.kill("SIGKILL");
};
process.once("exit", cleanup);

/** User + system CPU seconds of a running process. */
function cpuOf(pid) {
  return cpuFromStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
}
function cpuFromStat(stat) {
  const fields = stat.replace(/^.*\) /s, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}
/** Resident memory of a running process, in MiB. */
function rssOf(pid) {
  return rssFromStatus(readFileSync(`/proc/${pid}/status`, "utf8"));
}
function rssFromStatus(status) {
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function until(probe, what, ms = 120_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`bench: gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

// Two nodes that know each other, no credentials (a plain local nats-server). allow_skew is wide
// so that messages signed before the burst are still in time when the last one is checked.
const a = generateKeyPair();
const b = generateKeyPair();
const conf = (node, peerNode) => {
  const { pair: self, destination } = node;
  const { pair: peer, destination: peerDestination } = peerNode;
  const path = join(dir, `${destination}.conf`);
  writeFileSync(
    path,
    [`server: ${server.url}`, "subject: remaphore", `destination: ${destination}`, "allow_skew: 60s", "[ Identities ]", `${encodeBase58(self.publicKey)} ${encodeBase58(self.secretKey)} [*]`, "[ Peers ]", `${peerDestination} ${encodeBase58(peer.publicKey)} [*]`, ""].join("\n"),
    { mode: 0o600 },
  );
  return path;
};
const aConf = conf({ pair: a, destination: "bench.a" }, { pair: b, destination: "bench.b" });
const bConf = conf({ pair: b, destination: "bench.b" }, { pair: a, destination: "bench.a" });

// A script run once, at the last message: it records the time and its parent's (the receiver's) CPU and memory.
const record = join(dir, "record.sh");
writeFileSync(record, `#!/bin/sh\ndate +%s%N > ${dir}/$2.time.tmp; cat /proc/$PPID/stat > ${dir}/$2.stat; cat /proc/$PPID/status > ${dir}/$2.status; mv ${dir}/$2.time.tmp ${dir}/$2.time\n`);
chmodSync(record, 0o755);

function message(pair, { uuid, request = false, payload = "x" }) {
  const raw = encodeMessage(
    { destination: "**", time: BigInt(Date.now()) * 1_000_000n, uuid: uuid ?? new Uint8Array(randomBytes(12)), verb: "ping", request, payload: Buffer.from(payload) },
    pair,
  );
  if (!raw.ok) throw raw.error;
  return raw.value;
}

/** Starts a remaphore receiver (stderr to a file) and waits for Ready. */
async function receiver(args) {
  const log = join(dir, `receiver-${children.size}.log`);
  const child = spawn(process.execPath, [BIN, "-c", bConf, ...args], { stdio: ["ignore", "ignore", openSync(log, "w")], env: { ...process.env, REMAPHORE_LOG: process.env.BENCH_LOG ?? "" } });
  children.add(child);
  await until(() => existsSync(log) && readFileSync(log, "utf8").includes(" Ready\n"), "the receiver to be ready");
  return { child, log };
}

/** Starts the raw nats.js baseline and waits for it to be ready. */
async function raw(args) {
  const child = spawn(process.execPath, [RAW, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  children.add(child);
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  await until(() => out.includes("ready\n"), "the raw client to be ready");
  return { child, output: () => out };
}

const nc = await connect({ servers: server.url });
const rows = [];

// 1. Verified receive.
{
  const burst = Array.from({ length: MESSAGES - 1 }, () => message(a, {}));
  burst.push(message(a, { uuid: Buffer.from("last-one") }));
  const { child } = await receiver(["-u", "last-one", record]);
  const cpuBefore = cpuOf(child.pid);
  const t0 = Date.now();
  for (const raw of burst) nc.publish("remaphore.all", raw);
  await nc.flush();
  await until(() => existsSync(join(dir, "x.time")), "the last message to be acted on");
  const doneAt = Number(BigInt(readFileSync(join(dir, "x.time"), "utf8").trim()) / 1_000_000n);
  const cpu = cpuFromStat(readFileSync(join(dir, "x.stat"), "utf8")) - cpuBefore;
  await new Promise((resolve) => child.once("exit", resolve));
  children.delete(child);
  rmSync(join(dir, "x.time"));

  const baseline = await raw(["subscribe", server.url, "remaphore.all", String(MESSAGES)]);
  const t1 = Date.now();
  for (const raw of burst) nc.publish("remaphore.all", raw);
  await nc.flush();
  const line = await until(() => baseline.output().split("\n").find((l) => l.startsWith("{")), "the raw subscriber");
  const result = JSON.parse(line);
  children.delete(baseline.child);
  rows.push({
    what: `verified receive (${MESSAGES} msgs, exits on the last)`,
    ours: `${Math.round(MESSAGES / ((doneAt - t0) / 1000))} msgs/s, ${((cpu / MESSAGES) * 1e6).toFixed(0)} µs CPU/msg`,
    raw: `${Math.round(MESSAGES / ((result.doneAt - t1) / 1000))} msgs/s, ${((result.cpu / MESSAGES) * 1e6).toFixed(0)} µs CPU/msg`,
  });
}

// 2. Answered requests.
async function answer(pid) {
  const requests = Array.from({ length: REQUESTS }, () => message(a, { request: true }));
  let replies = 0;
  const sub = nc.subscribe("remaphore.*", {
    callback: (_error, msg) => {
      if (msg.subject !== "remaphore.all") replies += 1;
    },
  });
  await nc.flush();
  const cpuBefore = cpuOf(pid);
  const t0 = Date.now();
  for (const raw of requests) nc.publish("remaphore.all", raw);
  await nc.flush();
  await until(() => replies >= REQUESTS, `${REQUESTS} replies (got ${replies})`);
  const seconds = (Date.now() - t0) / 1000;
  const cpu = cpuOf(pid) - cpuBefore;
  sub.unsubscribe();
  return `${Math.round(REQUESTS / seconds)} replies/s, ${((cpu / REQUESTS) * 1e6).toFixed(0)} µs CPU/request`;
}
{
  const { child } = await receiver([]);
  const ours = await answer(child.pid);
  child.kill("SIGTERM");
  children.delete(child);
  const baseline = await raw(["respond", server.url, "remaphore.all"]);
  const rawResult = await answer(baseline.child.pid);
  baseline.child.kill("SIGTERM");
  children.delete(baseline.child);
  rows.push({ what: `answered requests (${REQUESTS}, NO_DATA)`, ours, raw: rawResult });
}

// 3. Floods of forgeries that carry a peer's key, each followed by a genuine trigger: how long the
// trigger waits, and the receiver's memory after one flood and after five.
{
  const stranger = generateKeyPair();
  const peerKey = encodeBase58(a.publicKey);
  const forged = Array.from({ length: FORGED }, (_, i) => {
    const parts = Buffer.from(message(stranger, { payload: `forged ${i}` })).toString("latin1").split(",");
    parts[0] = peerKey;
    return Buffer.from(parts.join(","), "latin1");
  });
  const { child } = await receiver(["-v", "genuine", record]);
  const rssBefore = rssOf(child.pid);
  const cpuBefore = cpuOf(child.pid);
  const flood = async (round) => {
    for (const raw of forged) nc.publish("remaphore.all", raw);
    const sentAt = Date.now();
    const raw = encodeMessage({ destination: "**", time: BigInt(Date.now()) * 1_000_000n, uuid: new Uint8Array(randomBytes(12)), verb: "genuine", request: false, payload: Buffer.from(`g${round}`) }, a);
    if (!raw.ok) throw raw.error;
    nc.publish("remaphore.all", raw.value);
    await nc.flush();
    await until(() => existsSync(join(dir, `g${round}.time`)), "the genuine trigger to be acted on");
    const actedAt = Number(BigInt(readFileSync(join(dir, `g${round}.time`), "utf8").trim()) / 1_000_000n);
    return { latency: actedAt - sentAt, rss: rssFromStatus(readFileSync(join(dir, `g${round}.status`), "utf8")), cpu: cpuFromStat(readFileSync(join(dir, `g${round}.stat`), "utf8")) };
  };
  const rounds = [];
  for (let round = 1; round <= FLOODS; round++) rounds.push(await flood(round));
  const first = rounds[0];
  const fifth = rounds.at(-1);
  if (process.env.BENCH_VERBOSE) console.log(rounds.map((r) => `${r.latency} ms ${r.rss.toFixed(0)} MiB`).join("\n"));
  child.kill("SIGTERM");
  children.delete(child);
  rows.push({
    what: `${FORGED} forgeries then 1 genuine trigger (x${FLOODS})`,
    ours: `acted on ${first.latency} ms (1st) / ${fifth.latency} ms (last) after sent; ${(((fifth.cpu - cpuBefore) / (FLOODS * FORGED)) * 1e6).toFixed(0)} µs CPU/forgery; RSS ${rssBefore.toFixed(0)} MiB → ${rounds.map((r) => r.rss.toFixed(0)).join(" → ")} MiB after each flood`,
    raw: "-",
  });
}

// 4. A whole `remaphore -s` process, beside a bare nats.js publisher and an empty node.
// The three commands take turns, so that a machine busier at one moment weighs on each alike.
function timed(commands) {
  const runs = commands.map(() => []);
  for (let i = 0; i < SENDS; i++) {
    commands.forEach((args, c) => {
      const result = spawnSync("/usr/bin/time", ["-f", "%e %U %S", process.execPath, ...args], { encoding: "utf8" });
      if (result.status !== 0) throw new Error(`bench: ${args.join(" ")} failed: ${result.stderr}`);
      const [wall, user, system] = result.stderr.trim().split("\n").at(-1).split(" ").map(Number);
      runs[c].push({ wall, cpu: user + system });
    });
  }
  const median = (values) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)];
  return runs.map((r) => `${(median(r.map((x) => x.wall)) * 1000).toFixed(0)} ms wall, ${(median(r.map((x) => x.cpu)) * 1000).toFixed(0)} ms CPU (median of ${SENDS})`);
}
const [send, rawPublish, empty] = timed([[BIN, "-c", aConf, "-s", "hi"], [RAW, "publish", server.url, "remaphore.all"], ["-e", "0"]]);
rows.push({ what: "`remaphore -s` whole process", ours: send, raw: rawPublish });
rows.push({ what: "`node -e 0` (for scale)", ours: "-", raw: empty });

await nc.close();
await server.stop();
cleanup();
rmSync(dir, { recursive: true, force: true });

const width = (key) => Math.max(key.length, ...rows.map((row) => row[key].length));
const pad = (text, key) => text.padEnd(width(key));
console.log(`\nremaphore bench (${new Date().toISOString()}, node ${process.version})\n`);
console.log(`${pad("", "what")} | ${pad("remaphore", "ours")} | bare nats.js`);
for (const row of rows) console.log(`${pad(row.what, "what")} | ${pad(row.ours, "ours")} | ${row.raw}`);
