// The relay as operators run it: `relay run` as its own process, with a config in a temporary
// folder, under load from another process, beside a bare fastify route (also its own process)
// receiving the very same request. For each row: req/s, p50/p99, the process's CPU time (user +
// system of every thread, from /proc/<pid>/stat) per event delivered — over the load and the
// drain that follows it — the ratio to the bare route's CPU per request, and peak RSS.
//
// A second ceiling row shows the floor of any relay that forwards: a bare route that wraps each
// body into an envelope and sends it to a fake upstream, with no spool and no processing.
//
// Knobs: BENCH_DURATION (seconds, default 10); BENCH_CONNECTIONS (default 50); BENCH_MODES (default
// "static,managed,capture"); BENCH_WORKERS (relay.workers of the forwarding modes, default "1,2":
// CPU then sums the primary and every ingest process); BENCH_SYNCHRONOUS (the spool's synchronous,
// default full); BENCH_FORWARD_FLOOR=0 leaves out the forwarding floor; BENCH_CPU_PROF=<folder>
// runs each relay under --cpu-prof (every thread writes its own profile there; `node
// bench/profile-summary.js <folder>` reads them); BENCH_RELAY_NODE_ARGS adds node options to the
// relay's command line (V8 flags that NODE_OPTIONS refuses, say); BENCH_RATE sends that many
// requests per second in all instead of as fast as the connections go; BENCH_PROCESSING_THREADS
// sets the relays' limits.processing_threads.
import { execFileSync, fork, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sdkCapturesDir } from "@org/testkit";
// The load client and /proc readers of the relay library's benchmarks.
import { peakRssMb, processCpuMicros as cpuMicros, runLoad } from "../../../packages/relay-core/bench/load-client.js";

const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const modes = (process.env.BENCH_MODES ?? "static,managed,capture").split(",");
const synchronous = process.env.BENCH_SYNCHRONOUS ?? "full";
const workerCounts = (process.env.BENCH_WORKERS ?? "1,2").split(",").map(Number);
const cpuProfDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const relayNodeArgs = (process.env.BENCH_RELAY_NODE_ARGS ?? "").split(" ").filter(Boolean);
const RELAY_BIN = fileURLToPath(new URL("../bin/relay.js", import.meta.url));
const KEY = "0123456789abcdef0123456789abcdef";

// The store request of the Node SDK's recorded event, without its event id: every request is its own event.
const capture = JSON.parse(readFileSync(join(sdkCapturesDir(), "sentry-node-7.120.4__envelope__event.json"), "utf8"));
const eventJson = JSON.parse(capture.body_text.split("\n")[2]);
delete eventJson.event_id;
const event = JSON.stringify(eventJson);
const load = {
  method: "POST",
  headers: { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7, sentry_client=sentry.javascript.node/7.120.4`, "content-type": "application/json" },
  body: event,
  ...(process.env.BENCH_RATE ? { overallRate: Number(process.env.BENCH_RATE) } : {}),
};

const sleep = (ms) => new Promise((resolve_) => setTimeout(resolve_, ms));

/**
 * Waits until a process has stopped working: at most 5 % of a core over 500 ms, twice in a row
 * (a profiler's sampling stays below that), or 30 s.
 */
async function settled(pid) {
  let quiet = 0;
  let last = cpuMicros(pid);
  const deadline = Date.now() + 30_000;
  while (quiet < 2 && Date.now() < deadline) {
    await sleep(500);
    const now = cpuMicros(pid);
    quiet = now - last <= 25_000 ? quiet + 1 : 0;
    last = now;
  }
}

/** CPU time of each thread of a process, by thread id. */
function threadCpu(pid) {
  return new Map(readdirSync(`/proc/${pid}/task`).map((tid) => [tid, cpuMicros(pid, tid)]));
}

/** Starts a node script and resolves once `pattern` appears in its output, with the match. */
function startProcess(args, options, pattern) {
  const child = spawn(process.execPath, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve_, reject) => {
    const onData = (chunk) => {
      // Past start-up the output is only kept while it is short: a busy relay logs.
      if (output.length < 100_000) output += chunk.toString();
      const match = pattern.exec(output);
      if (match) resolve_({ child, match, output: () => output });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code} before it was ready:\n${output}`)));
  });
}

function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve_) => {
    child.once("exit", resolve_);
    child.kill("SIGTERM");
  });
}

/** Starts the fake upstream process; `ask` sends it a message and resolves with its answer. */
async function startUpstream() {
  const child = fork(new URL("./upstream-process.js", import.meta.url));
  const { url } = await new Promise((resolve_) => child.once("message", resolve_));
  const ask = (message) => new Promise((resolve_) => { child.once("message", resolve_); child.send(message); });
  return { url, ask, close: () => new Promise((resolve_) => { child.once("exit", resolve_); child.send("close"); }) };
}

/**
 * Loads the process `pid` listening at `url` and measures its CPU per request (or per delivered
 * event with `delivered`). With `others` (a relay's ingest workers), their CPU time counts too.
 */
async function measure(name, target, delivered) {
  const { pid, url, others = [] } = target;
  const all = [pid, ...others];
  const totalCpu = () => all.reduce((sum, each) => sum + cpuMicros(each), 0);
  for (const each of all) await settled(each);
  const before = totalCpu();
  const mainBefore = cpuMicros(pid, pid);
  const threadsBefore = threadCpu(pid);
  const result = await runLoad({ url, connections, duration, ...load });
  // Drain: what was accepted is processed (and forwarded) before the CPU is read.
  let events = result.ok + result.non2xx;
  if (delivered) {
    const deadline = Date.now() + 120_000;
    while ((await delivered()) < result.ok && Date.now() < deadline) await sleep(200);
    events = await delivered();
  }
  for (const each of all) await settled(each);
  const cpu = totalCpu() - before;
  const main = cpuMicros(pid, pid) - mainBefore;
  // The busiest threads (the main thread first, then in the order they started), µs per event.
  const threads = [...threadCpu(pid)].map(([tid, micros]) => [tid, Math.round((micros - (threadsBefore.get(tid) ?? 0)) / events)]).filter(([, micros]) => micros > 0);
  const rss = all.reduce((sum, each) => sum + peakRssMb(each), 0);
  return { name, rps: result.rps, p50: result.p50, p99: result.p99, errors: result.non2xx + result.errors, accepted: result.ok, events, cpuPerEvent: cpu / events, mainPerEvent: main / events, threads, rss };
}

/**
 * The floor of forwarding: a bare route that wraps each body into an envelope and sends it to a
 * fake upstream process, no spool and no processing (`bare-forward-process.js`).
 */
async function measureForwardFloor() {
  const upstream = await startUpstream();
  const forwarder = await startProcess([fileURLToPath(new URL("./bare-forward-process.js", import.meta.url)), upstream.url, KEY], {}, /listening on (\S+)/);
  const delivered = async () => (await upstream.ask("count")).count;
  const row = await measure("bare fastify route forwarding each body to the fake upstream (no spool, no processing)", { pid: forwarder.child.pid, url: `${forwarder.match[1]}/api/1/store/` }, delivered);
  row.note = `delivered ${await delivered()} of ${row.accepted} answered 200`;
  row.floor = true;
  await stopProcess(forwarder.child);
  await upstream.close();
  return row;
}

/** Writes a relay config folder for `mode` and returns it. */
function relayFolder(root, setup) {
  const { mode, upstreamUrl, workers } = setup;
  const dir = join(root, `${mode}-${workers}`);
  const configDir = join(dir, ".relay");
  mkdirSync(join(configDir, "projects"), { recursive: true });
  const config = [
    "relay:",
    `  mode: ${mode}`,
    ...(upstreamUrl ? [`  upstream: ${upstreamUrl}`] : []),
    "  port: 0",
    `  workers: ${workers}`,
    "capture:",
    "  max_events: 1000",
    "outcomes:",
    "  emit_outcomes: false",
    "spool:",
    `  synchronous: ${synchronous}`,
    ...(process.env.BENCH_PROCESSING_THREADS ? ["limits:", `  processing_threads: ${process.env.BENCH_PROCESSING_THREADS}`] : []),
    "",
  ].join("\n");
  writeFileSync(join(configDir, "config.yml"), config);
  if (mode === "static") {
    writeFileSync(join(configDir, "projects", "1.json"), JSON.stringify({ publicKeys: [{ publicKey: KEY, isEnabled: true }], config: { allowedDomains: ["*"] } }));
  }
  if (mode === "capture") writeFileSync(join(configDir, "capture-key"), `${KEY}\n`);
  if (mode === "managed") execFileSync(process.execPath, [RELAY_BIN, "credentials", "generate"], { cwd: dir, stdio: "ignore" });
  return dir;
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), "relay-cli-bench-"));
  const bare = await startProcess([fileURLToPath(new URL("./bare-route-process.js", import.meta.url))], {}, /listening on (\S+)/);
  const bareUrl = `${bare.match[1]}/api/1/store/`;
  const ceilings = [await measure("bare fastify route answering {} (before the relays)", { pid: bare.child.pid, url: bareUrl })];
  const rows = [];
  if (process.env.BENCH_FORWARD_FLOOR !== "0") rows.push(await measureForwardFloor());
  const runs = modes.flatMap((mode) => (mode === "capture" ? [[mode, 1]] : workerCounts.map((workers) => [mode, workers])));
  for (const [mode, workers] of runs) {
    const upstream = mode === "capture" ? undefined : await startUpstream();
    const dir = relayFolder(root, { mode, upstreamUrl: upstream?.url, workers });
    if (mode === "managed") {
      // The fake upstream serves the project and lets the relay register.
      await upstream.ask({ projectConfig: { key: KEY, config: { projectId: 1, publicKeys: [{ publicKey: KEY, isEnabled: true }], config: { allowedDomains: ["*"] } } } });
    }
    const profile = cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${join(cpuProfDir, mode)}`] : [];
    const relay = await startProcess([...relayNodeArgs, ...profile, RELAY_BIN, "run"], { cwd: dir, env: { ...process.env, RELAY_PORT: "", NODE_OPTIONS: process.env.BENCH_RELAY_NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? "" } }, /relay listening on (\S+)/);
    const base = relay.match[1];
    if (mode === "managed") {
      const deadline = Date.now() + 30_000;
      while (!(await fetch(`${base}/api/relay/healthcheck/ready/`)).ok && Date.now() < deadline) await sleep(100);
    }
    const delivered = upstream ? async () => (await upstream.ask("count")).count : undefined;
    const what = mode === "capture" ? "captured" : `forwarded to a fake upstream process`;
    // With ingest workers, their CPU counts too (the relay prints their process ids).
    const workerPids = (/\(pids ([\d, ]+)\)/.exec(relay.output())?.[1] ?? "").split(", ").filter(Boolean).map(Number);
    const processes = workers > 1 ? `, workers: ${workers} (primary + ${workers} ingest processes)` : "";
    const row = await measure(`relay run, ${mode} mode${processes}: ${Buffer.byteLength(event)}-byte store event, ${what}`, { pid: relay.child.pid, url: `${base}/api/1/store/`, others: workerPids }, delivered);
    if (upstream) {
      row.delivered = true;
      const { count, distinct } = await upstream.ask("count");
      row.note = `delivered ${count} (${distinct} distinct) of ${row.accepted} answered 200`;
    }
    rows.push(row);
    await stopProcess(relay.child);
    await upstream?.close();
  }
  ceilings.push(await measure("bare fastify route answering {} (after the relays)", { pid: bare.child.pid, url: bareUrl }));
  await stopProcess(bare.child);
  const bareCpu = (ceilings[0].cpuPerEvent + ceilings[1].cpuPerEvent) / 2;

  console.log(`\n\`relay run\` as a process, ${connections} connections, ${duration} s each, spool on (SQLite, synchronous=${synchronous}); CPU per event counts the load and the drain after it\n`);
  const floorCpu = rows.find((row) => row.floor)?.cpuPerEvent;
  console.log("| path | req/s | p50 ms | p99 ms | errors | CPU µs/event (user+system, all threads) | of which main thread | × bare route | × forwarding floor | peak RSS MB |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of [...ceilings, ...rows]) {
    const overFloor = floorCpu && (row.floor || row.delivered) ? `${(row.cpuPerEvent / floorCpu).toFixed(1)}×` : "";
    console.log(`| ${row.name} | ${Math.round(row.rps)} | ${row.p50} | ${row.p99} | ${row.errors} | ${Math.round(row.cpuPerEvent)} | ${Math.round(row.mainPerEvent)} | ${(row.cpuPerEvent / bareCpu).toFixed(1)}× | ${overFloor} | ${row.rss} |`);
  }
  console.log(`\nCPU µs/event per thread (main thread first, in the order they started): ${[...ceilings, ...rows].map((row) => `${row.name.split(":")[0]}: ${row.threads.map(([, micros]) => micros).join(" ")}`).join("; ")}`);
  console.log(`bare route: mean of one run before and one after the relays; ${rows.filter((row) => row.note).map((row) => `${row.name.split(":")[0]}: ${row.note}`).join("; ")}`);
  rmSync(root, { recursive: true, force: true });
}

await main();
