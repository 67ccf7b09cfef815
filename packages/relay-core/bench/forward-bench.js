// End to end: SDK-style clients → relay (managed mode, SQLite spool) → a fake upstream, sustained,
// beside the same clients sending straight to the fake upstream (the baseline), in one run.
// Prints events/s accepted and delivered, the spool depth over time, and whether anything was lost.
// BENCH_FORWARD_DURATION (seconds, default 60) and BENCH_CONNECTIONS (default 50) tune it.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { peakRssMb, processCpuMicros, runLoad } from "./load-client.js";
import { generateCredentials, credentialsPublicKey } from "@org/identity";
import { fork } from "node:child_process";
import { pino } from "pino";
import { DEFAULT_LIMITS, OutcomeCounter, createRelayService, openWorkerSpool } from "../dist/index.js";
import { sdkCapturesDir } from "@org/testkit";

const duration = Number(process.env.BENCH_FORWARD_DURATION ?? 60);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const KEY = "0123456789abcdef0123456789abcdef";
const capture = JSON.parse(readFileSync(join(sdkCapturesDir(), "sentry-node-7.120.4__envelope__event.json"), "utf8"));
const envelopeText = capture.body_text;
// Without an event id in the envelope header, every request becomes its own event.
const lines = envelopeText.split("\n");
const header = JSON.parse(lines[0]);
delete header.event_id;
const item = JSON.parse(lines[2]);
delete item.event_id;
const body = gzipSync([JSON.stringify(header), lines[1], JSON.stringify(item), ""].join("\n"));
const headers = { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7, sentry_client=sentry.javascript.node/7.120.4`, "content-encoding": "gzip" };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the fake upstream in a child process; `ask` sends it a message and resolves with its answer. */
async function startUpstreamProcess(projectConfigs) {
  const child = fork(new URL("./fake-upstream-process.js", import.meta.url), [JSON.stringify(projectConfigs)]);
  const { url } = await new Promise((resolve) => child.once("message", resolve));
  const ask = (message) => new Promise((resolve) => { child.once("message", resolve); child.send(message); });
  return { url, pid: child.pid, ask, close: () => new Promise((resolve) => { child.once("exit", resolve); child.send("close"); }) };
}

async function main() {
  const config = { projectId: 1, publicKeys: [{ publicKey: KEY, isEnabled: true }], config: { allowedDomains: ["*"] } };
  const baselineUpstream = await startUpstreamProcess({});
  const baselineCpu = processCpuMicros(baselineUpstream.pid);
  const baseline = await runLoad({ url: `${baselineUpstream.url}/api/1/envelope/`, method: "POST", headers, body, connections, duration: Math.min(duration, 10) });
  const baselineCpuPerRequest = (processCpuMicros(baselineUpstream.pid) - baselineCpu) / (baseline.ok + baseline.non2xx);
  await baselineUpstream.close();

  const upstream = await startUpstreamProcess({ [KEY]: config });
  const dir = mkdtempSync(join(tmpdir(), "relay-forward-bench-"));
  const credentials = generateCredentials();
  const spool = await openWorkerSpool({ path: join(dir, "spool.sqlite"), maxBytes: 8 * 1024 ** 3, maxAgeMs: 3_600_000 });
  const service = createRelayService({
    http: { mode: "managed", limits: DEFAULT_LIMITS },
    spool,
    logger: pino({ level: "silent" }),
    outcomes: new OutcomeCounter(),
    globalScrubbing: { scrubData: true, scrubDefaults: true },
    upstream: {
      url: upstream.url,
      timeoutMs: 5_000,
      connectTimeoutMs: 3_000,
      maxConnections: 32,
      maxRetryIntervalMs: 5_000,
      authIntervalMs: 600_000,
      version: "0.1.0",
      credentials: { relayId: credentials.id, publicKey: credentialsPublicKey(credentials), secretKey: credentials.keyPair.secretKey },
      projectExpiryMs: 300_000,
      projectGracePeriodMs: 60_000,
      missExpiryMs: 60_000,
      batchIntervalMs: 100,
      batchSize: 500,
    },
    concurrency: 64,
    processingThreads: 1,
    idleMs: 50,
  });
  await service.app.listen({ host: "127.0.0.1", port: 0 });
  service.start();
  await service.registration.whenRegistered();
  const url = `http://127.0.0.1:${service.app.server.address().port}/api/1/envelope/`;

  // Phase 1: as fast as the clients can send (10 s). Phase 2: a fixed rate below that, for the whole duration.
  // The relay's CPU (this process: every thread) is counted over phase 1 and the drain after it.
  const burstCpu = process.cpuUsage();
  const burst = await runLoad({ url, method: "POST", headers, body, connections, duration: Math.min(10, duration) });
  const burstDelivered = (await upstream.ask("count")).count;
  const burstDepth = spool.stats().depth;
  while (spool.stats().depth > 0) await sleep(100);
  const burstCpuUsed = process.cpuUsage(burstCpu);
  const burstCpuPerEvent = (burstCpuUsed.user + burstCpuUsed.system) / (await upstream.ask("count")).count;
  const rate = Math.max(100, Math.round(Number(process.env.BENCH_FORWARD_RATE ?? burstDelivered / Math.min(10, duration) * 0.8) / 100) * 100);

  const depth = [];
  const before = (await upstream.ask("count")).count;
  const started = Date.now();
  const sampler = setInterval(() => depth.push({ at: Math.round((Date.now() - started) / 1000), depth: spool.stats().depth }), 5_000);
  const result = await runLoad({ url, method: "POST", headers, body, connections, duration, overallRate: rate });
  clearInterval(sampler);
  const deliveredDuringRun = (await upstream.ask("count")).count - before;
  const accepted = burst.ok + result.ok;
  const drainStart = Date.now();
  while (spool.stats().depth > 0 && Date.now() - drainStart < 120_000) await sleep(100);
  const drainSeconds = (Date.now() - drainStart) / 1000;
  const { ids } = await upstream.ask("ids");
  const unique = new Set(ids).size;

  console.log(`\nend to end through the relay (managed mode, SQLite spool and processing in worker threads), ${connections} connections (2-core machine; relay, clients and fake upstream are separate processes on it)\n`);
  console.log("| path | events/s | p50 ms | p99 ms | non-2xx | CPU µs/event (user+system, all threads) | × baseline |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(`| baseline: clients straight to the fake upstream (a fastify route that gunzips and parses), 10 s | ${Math.round(baseline.rps)} | ${baseline.p50} | ${baseline.p99} | ${baseline.non2xx + baseline.errors} | ${Math.round(baselineCpuPerRequest)} | 1.0× |`);
  console.log(`| burst, 10 s: clients → relay (accepted); CPU over the burst and its drain, per event delivered | ${Math.round(burst.rps)} | ${burst.p50} | ${burst.p99} | ${burst.non2xx + burst.errors} | ${Math.round(burstCpuPerEvent)} | ${(burstCpuPerEvent / baselineCpuPerRequest).toFixed(1)}× |`);
  console.log(`| burst, 10 s: relay → upstream (delivered meanwhile) | ${Math.round(burstDelivered / Math.min(10, duration))} | | | | | |`);
  console.log(`| sustained ${duration} s at ${rate}/s: clients → relay | ${Math.round(result.rps)} | ${result.p50} | ${result.p99} | ${result.non2xx + result.errors} | | |`);
  console.log(`| sustained ${duration} s: relay → upstream | ${Math.round(deliveredDuringRun / duration)} | | | | | |`);
  console.log(`\nspool depth after the burst: ${burstDepth}; during the sustained run, every 5 s: ${depth.map((sample) => `${sample.at}s=${sample.depth}`).join(" ")}`);
  // autocannon does not count the answers to requests still in flight when it stops; the relay accepted those too.
  console.log(`answered 200: ${accepted}; delivered ${ids.length} (${unique} distinct) after ${drainSeconds.toFixed(1)} s of final draining; lost ${Math.max(0, accepted - unique)}, duplicates ${ids.length - unique}`);
  console.log(`RSS: ${Math.round(process.memoryUsage().rss / 1024 / 1024)} MB (peak ${peakRssMb(process.pid)} MB)`);

  await service.close(5_000);
  await spool.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
  if (unique < accepted) process.exitCode = 1;
}

await main();
