// Throughput of the relay's ingest endpoints, each beside a bare fastify route (the ceiling), in one run.
// BENCH_DURATION (seconds, default 10) and BENCH_CONNECTIONS (default 50) tune it.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import Fastify from "fastify";
import { pino } from "pino";
import {
  DEFAULT_LIMITS,
  OutcomeCounter,
  Pipeline,
  buildRelay,
  captureDelivery,
  createEnvelopeProcessor,
  openCaptureStore,
  openSqliteSpool,
  permissiveProjectStates,
} from "../dist/index.js";

const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const KEY = "0123456789abcdef0123456789abcdef";
const shared = new URL("../../../../shared/fixtures/sdk-captures/", import.meta.url);
const capture = JSON.parse(readFileSync(new URL("sentry-node-7.120.4__envelope__event.json", shared), "utf8"));
const envelopeText = capture.body_text;
const event = envelopeText.split("\n")[2];

async function measure(name, url, options) {
  const result = await autocannon({ url, connections, duration, ...options });
  const errors = result.non2xx + result.errors + result.timeouts;
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors };
}

async function main() {
  const ceiling = Fastify();
  ceiling.post("/", () => ({}));
  await ceiling.listen({ host: "127.0.0.1", port: 0 });

  const dir = mkdtempSync(join(tmpdir(), "relay-bench-"));
  const logger = pino({ level: "silent" });
  const spool = openSqliteSpool({ path: join(dir, "spool.sqlite"), maxBytes: 4 * 1024 ** 3, maxAgeMs: 3_600_000 });
  const store = openCaptureStore(join(dir, "captured.sqlite"), 1000);
  const projects = permissiveProjectStates();
  const outcomes = new OutcomeCounter();
  const pipeline = new Pipeline({
    spool,
    process: createEnvelopeProcessor({ projects, globalScrubbing: { scrubData: true, scrubDefaults: true }, outcomes }),
    delivery: captureDelivery(store),
    outcomes,
    logger,
    concurrency: 100,
    idleMs: 50,
  });
  const relay = buildRelay({ options: { mode: "capture", limits: DEFAULT_LIMITS }, projects, spool, logger, outcomes, captureStore: store, onAccepted: () => pipeline.wake() });
  await relay.listen({ host: "127.0.0.1", port: 0 });
  pipeline.start();
  const base = `http://127.0.0.1:${relay.server.address().port}`;
  const auth = { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7`, "content-type": "application/json" };

  const rows = [];
  rows.push(await measure("ceiling: bare fastify route answering {}", `http://127.0.0.1:${ceiling.server.address().port}/`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } }));
  rows.push(await measure(`store: ${Buffer.byteLength(event)}-byte JSON event, spool on`, `${base}/api/1/store/`, { method: "POST", headers: auth, body: event }));
  rows.push(
    await measure(`envelope: gzip'd ${Buffer.byteLength(envelopeText)}-byte envelope, spool on`, `${base}/api/1/envelope/`, {
      method: "POST",
      headers: { ...auth, "content-encoding": "gzip" },
      body: gzipSync(envelopeText),
    }),
  );
  const rss = process.memoryUsage().rss;

  console.log(`\nrelay ingest, ${connections} connections, ${duration} s each (2-core machine)\n`);
  console.log("| path | req/s | p50 ms | p99 ms | errors | share of ceiling |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) {
    console.log(`| ${row.name} | ${Math.round(row.rps)} | ${row.p50} | ${row.p99} | ${row.errors} | ${((row.rps / rows[0].rps) * 100).toFixed(0)}% |`);
  }
  console.log(`\nRSS after the run: ${Math.round(rss / 1024 / 1024)} MB; spool depth left: ${spool.stats().depth}`);

  await ceiling.close();
  await relay.close();
  await pipeline.stop(10_000);
  await spool.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
