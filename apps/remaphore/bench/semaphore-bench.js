// Semaphore round trips beside the raw key-value compare-and-set they are built on, in one run on
// one nats-server with JetStream:
//   1. raw: kv.update(key, value, revision), one after the other (what one CAS costs)
//   2. ours: take a slot of a -n 1 semaphore and give it back, one after the other, uncontended
//      (bucket opened, list read, signed hold record written, signed done record written; no
//      watch: a slot free at once needs none)
// Each prints round trips per second, median and 99th-percentile latency and CPU time per round
// trip (user + system of this process). BENCH_ROUNDS (default 300) tunes it.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { encodeBase58, generateKeyPair } from "@org/identity";
import { connectRemaphore, loadRemaphoreConfig } from "@org/messaging";
import { openSemaphore } from "@org/messaging/jetstream";
import { startNatsServer } from "@org/testkit";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const dir = mkdtempSync(join(tmpdir(), "semaphore-bench-"));
const server = await startNatsServer({ jetstream: true });
const pair = generateKeyPair();
const configFile = join(dir, "bench.conf");
writeFileSync(
  configFile,
  [`server: ${server.url}`, "destination: bench.a", "semaphore_ttl: 30s", "[ Identities ]", `${encodeBase58(pair.publicKey)} ${encodeBase58(pair.secretKey)} [acquire:*]`, "[ Peers ]", ""].join("\n"),
  { mode: 0o600 },
);
const loaded = await loadRemaphoreConfig(configFile);
if (!loaded.ok) throw loaded.error;
const config = loaded.value.config;
const client = await connectRemaphore(config);
const kv = await client.connection.jetstream().views.kv(config.jetstream.semaphoreBucket, { history: 1 });

/** Runs `round` ROUNDS times after a warm-up; returns rate, latencies and CPU per round. */
async function measure(round) {
  for (let i = 0; i < 20; i++) await round();
  const latencies = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await round();
    latencies.push(performance.now() - t);
  }
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2);
  return `${((ROUNDS / elapsed) * 1000).toFixed(0)}/s, median ${at(0.5)} ms, p99 ${at(0.99)} ms, ${((used.user + used.system) / 1000 / ROUNDS).toFixed(2)} ms CPU each`;
}

const rows = [];
{
  const value = new Uint8Array(randomBytes(200));
  let revision = await kv.put("raw", value);
  const raw = await measure(async () => {
    revision = await kv.update("raw", value, revision);
  });
  rows.push({ what: `raw kv.update with revision (CAS), ${ROUNDS} rounds`, result: raw });
}
{
  const result = await measure(async () => {
    const semaphore = await openSemaphore(client.connection, config, { name: "bench-open", slots: 1 });
    const outcome = await semaphore.acquire();
    if (!outcome.acquired) throw new Error("bench: not acquired");
    await semaphore.release();
  });
  rows.push({ what: `acquire + release, semaphore opened each time, ${ROUNDS} rounds`, result });
}

await client.close();
await server.stop();
rmSync(dir, { recursive: true, force: true });

const width = Math.max(...rows.map((row) => row.what.length));
console.log(`\nsemaphore bench (${new Date().toISOString()}, node ${process.version}, nats-server with JetStream)\n`);
for (const row of rows) console.log(`${row.what.padEnd(width)} | ${row.result}`);
console.log(`\nThe baseline is the first line: an acquire + release is two such CAS writes (hold, done) plus opening the bucket, a read and two signatures.`);
