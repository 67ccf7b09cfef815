// Throughput of the relay's ingest endpoints, each beside a bare fastify route (the ceiling), in one run.
// BENCH_DURATION (seconds, default 10) and BENCH_CONNECTIONS (default 50) tune it. The load comes
// from autocannon in another process, as it would from other machines.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { sdkCapturesDir, startNatsServer } from "@org/testkit";
import { runLoad } from "./load-client.js";
import Fastify from "fastify";
import { pino } from "pino";
import { DEFAULT_LIMITS, OutcomeCounter, openCaptureStore, openSqliteSpool, openWorkerSpool, openJetStreamSpool, permissiveProjectStates } from "../dist/index.js";
import { Pipeline, buildRelay, captureDelivery, createEnvelopeProcessor, createWorkerProcessor } from "../dist/internal.js";

const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const KEY = "0123456789abcdef0123456789abcdef";
const capture = JSON.parse(readFileSync(join(sdkCapturesDir(), "sentry-node-7.120.4__envelope__event.json"), "utf8"));
const envelopeText = capture.body_text;
const event = envelopeText.split("\n")[2];

/**
 * Runs the load and measures this process's CPU time (user + system, every thread: the relay or
 * the ceiling; the load generator runs in another process) per answered request.
 */
async function measure(name, url, options) {
  const cpuBefore = process.cpuUsage();
  const result = await runLoad({ url, connections, duration, ...options });
  const cpu = process.cpuUsage(cpuBefore);
  const answered = result.ok + result.non2xx;
  const cpuPerRequest = answered > 0 ? (cpu.user + cpu.system) / answered : NaN;
  return { name, rps: result.rps, p50: result.p50, p99: result.p99, errors: result.non2xx + result.errors, cpuPerRequest };
}

/**
 * An OTLP/JSON traces request as the OpenTelemetry JS exporter sends it: one resource, one scope,
 * `count` spans of a trace with a few attributes each.
 */
function otlpTracesBody(count) {
  const start = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: count }, (_, index) => ({
    traceId: "5b8efff798038103d269b633813fc60c",
    spanId: (index + 1).toString(16).padStart(16, "0"),
    ...(index === 0 ? {} : { parentSpanId: "0000000000000001" }),
    name: index === 0 ? "GET /checkout" : `SELECT orders ${index}`,
    kind: index === 0 ? 2 : 3,
    startTimeUnixNano: String(start + BigInt(index) * 1000n),
    endTimeUnixNano: String(start + BigInt(index) * 1000n + 500_000n),
    attributes: [
      { key: "http.request.method", value: { stringValue: "GET" } },
      { key: "db.system", value: { stringValue: "postgresql" } },
      { key: "retries", value: { intValue: "2" } },
    ],
    status: { code: 0 },
  }));
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "bench" } }] }, scopeSpans: [{ scope: { name: "bench-tracer", version: "1.0.0" }, spans }] }],
  });
}

/**
 * A capture-mode relay; with `threads`, the spool and processing run in worker threads; with
 * `natsUrl`, the spool is a JetStream stream there.
 */
async function startRelay(dir, threads, natsUrl) {
  const logger = pino({ level: "silent" });
  const spoolOptions = { path: join(dir, `spool-${threads}.sqlite`), maxBytes: 4 * 1024 ** 3, maxAgeMs: 3_600_000 };
  const spool = natsUrl
    ? await openJetStreamSpool({ servers: natsUrl, stream: "BENCH", maxBytes: 4 * 1024 ** 3, maxAgeMs: 3_600_000 })
    : threads
      ? await openWorkerSpool(spoolOptions)
      : openSqliteSpool(spoolOptions);
  const store = openCaptureStore(join(dir, `captured-${threads}.sqlite`), 1000);
  const projects = permissiveProjectStates();
  const outcomes = new OutcomeCounter();
  const processorOptions = { projects, globalScrubbing: { scrubData: true, scrubDefaults: true }, outcomes };
  const workers = threads ? createWorkerProcessor({ ...processorOptions, threads }) : undefined;
  const pipeline = new Pipeline({
    spool,
    process: workers ? workers.process : createEnvelopeProcessor(processorOptions),
    delivery: captureDelivery(store),
    outcomes,
    logger,
    concurrency: 100,
    idleMs: 50,
  });
  const app = buildRelay({ options: { mode: "capture", limits: DEFAULT_LIMITS }, projects, spool, logger, outcomes, captureStore: store, onAccepted: () => pipeline.wake() });
  await app.listen({ host: "127.0.0.1", port: 0 });
  pipeline.start();
  return {
    base: `http://127.0.0.1:${app.server.address().port}`,
    spool,
    async close() {
      await app.close();
      await pipeline.stop(10_000);
      await workers?.close();
      await spool.close();
      store.close();
    },
  };
}

/**
 * The ceiling: a bare fastify route that reads the request body (as bytes, no parsing) and answers
 * `{}`. Measured with the very requests each relay row sends, so that what the load generator and
 * the kernel spend on those bytes is in both; and with a `{}` body, as a reference.
 */
async function measureCeilings(requests) {
  const ceiling = Fastify();
  ceiling.removeAllContentTypeParsers();
  ceiling.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  ceiling.post("/api/1/:endpoint/", () => ({}));
  ceiling.post("/api/1/integration/otlp/v1/traces/", () => ({}));
  await ceiling.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${ceiling.server.address().port}`;
  const result = {};
  for (const [name, request] of Object.entries(requests)) {
    result[name] = await measure(`ceiling: bare fastify route answering {}, ${request.what}`, `${base}${request.path}`, request.load);
  }
  await ceiling.close();
  return result;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "relay-bench-"));
  const auth = { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7`, "content-type": "application/json" };
  const gzipped = gzipSync(envelopeText);
  const otlpSpans = 20;
  const otlpTraces = otlpTracesBody(otlpSpans);
  const requests = {
    empty: { what: "request body {}", path: "/api/1/store/", load: { method: "POST", body: "{}", headers: { "content-type": "application/json" } } },
    store: { what: "the store request below", path: "/api/1/store/", load: { method: "POST", headers: auth, body: event } },
    envelope: {
      what: "the envelope request below",
      path: "/api/1/envelope/",
      load: { method: "POST", headers: { ...auth, "content-encoding": "gzip" }, body: gzipped },
    },
    otlp: {
      what: "the OTLP traces request below",
      path: "/api/1/integration/otlp/v1/traces/",
      load: { method: "POST", headers: { "x-sentry-auth": `sentry sentry_key=${KEY}`, "content-type": "application/json" }, body: otlpTraces },
    },
  };

  // The ceilings are measured before and after the relays, and averaged: this machine's speed drifts.
  const before = await measureCeilings(requests);
  const rows = [];
  const left = [];
  for (const threads of [0, 1]) {
    const where = threads ? "spool and processing in worker threads" : "all on the event loop";
    const relay = await startRelay(dir, threads);
    rows.push({ kind: "store", ...(await measure(`store: ${Buffer.byteLength(event)}-byte JSON event, ${where}`, `${relay.base}/api/1/store/`, requests.store.load)) });
    rows.push({ kind: "envelope", ...(await measure(`envelope: gzip'd ${Buffer.byteLength(envelopeText)}-byte envelope, ${where}`, `${relay.base}/api/1/envelope/`, requests.envelope.load)) });
    if (!threads) {
      rows.push({ kind: "otlp", ...(await measure(`OTLP traces: ${Buffer.byteLength(otlpTraces)}-byte JSON, ${otlpSpans} spans, ${where}`, `${relay.base}${requests.otlp.path}`, requests.otlp.load)) });
    }
    left.push(relay.spool.stats().depth);
    await relay.close();
  }
  // The same relay with its spool on NATS JetStream (file storage), as several relays would share it.
  const nats = await startNatsServer({ args: ["-js"] });
  const shared = await startRelay(dir, 1, nats.url);
  rows.push({ kind: "store", ...(await measure(`store: ${Buffer.byteLength(event)}-byte JSON event, spool on NATS JetStream, processing in a worker thread`, `${shared.base}/api/1/store/`, requests.store.load)) });
  left.push(shared.spool.stats().depth);
  await shared.close();
  await nats.stop();
  const rss = process.memoryUsage().rss;
  const after = await measureCeilings(requests);
  const ceilings = Object.fromEntries(
    Object.keys(requests).map((name) => {
      const [a, b] = [before[name], after[name]];
      return [name, { name: a.name, rps: (a.rps + b.rps) / 2, p50: Math.max(a.p50, b.p50), p99: Math.max(a.p99, b.p99), errors: a.errors + b.errors, cpuPerRequest: (a.cpuPerRequest + b.cpuPerRequest) / 2 }];
    }),
  );

  console.log(`\nrelay ingest, ${connections} connections, ${duration} s each (2-core machine, load generator on the same cores), spool on (SQLite, synchronous=full)\n`);
  console.log("| path | req/s | p50 ms | p99 ms | errors | CPU µs/req (user+system) | CPU × the ceiling for the same request | share of the ceiling's req/s | share of the {} ceiling's req/s |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  const share = (rps, ceiling) => `${((rps / ceiling.rps) * 100).toFixed(0)}%`;
  for (const row of [...Object.values(ceilings), ...rows]) {
    const same = row.kind ? share(row.rps, ceilings[row.kind]) : "";
    const cpuRatio = row.kind ? `${(row.cpuPerRequest / ceilings[row.kind].cpuPerRequest).toFixed(1)}×` : "";
    console.log(`| ${row.name} | ${Math.round(row.rps)} | ${row.p50} | ${row.p99} | ${row.errors} | ${Math.round(row.cpuPerRequest)} | ${cpuRatio} | ${same} | ${share(row.rps, ceilings.empty)} |`);
  }
  console.log(`\nceilings: mean of one run before and one after the relays (before: ${Object.values(before).map((r) => Math.round(r.rps)).join(", ")}; after: ${Object.values(after).map((r) => Math.round(r.rps)).join(", ")} req/s)`);
  console.log(`RSS after the run: ${Math.round(rss / 1024 / 1024)} MB; spool depth left when each relay stopped: ${left.join(", ")}`);

  rmSync(dir, { recursive: true, force: true });
}

await main();
