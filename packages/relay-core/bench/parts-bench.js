// What two parts of the forwarding path cost on their own, in this process, with nothing crossing
// threads: processing (parse, normalize, inbound filters, scrub with Relay's defaults, serialize)
// of the @sentry/node 7 fixture event as the store endpoint spools it, and the SQLite spool
// (synchronous=full, in a temporary folder) storing envelopes of that size 50 per turn and
// removing the previous turn's, as the relay does under steady load. Prints CPU µs per event (user
// + system of every thread, from process.cpuUsage) beside wall µs, for the command-line bench's
// rows to be read against. BENCH_PARTS_EVENTS (default 20000) tunes it.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnvelope, createItem, serializeEnvelope } from "@org/protocol/envelope";
import { sdkCapturesDir } from "@org/testkit";
import { openSqliteSpool } from "../dist/index.js";
import { parseProjectConfig, processEnvelope } from "../dist/internal.js";

const events = Number(process.env.BENCH_PARTS_EVENTS ?? 20_000);
const KEY = "0123456789abcdef0123456789abcdef";
const capture = JSON.parse(readFileSync(join(sdkCapturesDir(), "sentry-node-7.120.4__envelope__event.json"), "utf8"));
const eventText = capture.body_text.split("\n")[2];
const payload = serializeEnvelope(createEnvelope({ eventId: "0".repeat(32), sentAt: new Date() }, [createItem("event", new TextEncoder().encode(eventText))]));
const context = { publicKey: KEY, client: "sentry.javascript.node/7.120.4", clientIp: "127.0.0.1", userAgent: "node" };
const project = parseProjectConfig("1", { publicKeys: [{ publicKey: KEY, isEnabled: true }], config: { allowedDomains: ["*"] } });
if (!project.ok) throw new Error(project.error.message);
// The relay's `pii` defaults.
const input = { project: project.value, globalScrubbing: { scrubData: true, scrubDefaults: true, scrubIpAddresses: true, sensitiveFields: [], excludeFields: [] }, limited: [] };

/** Runs `work` (which handles `count` events) and returns CPU and wall µs per event. */
async function measure(count, work) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await work();
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / count, wall: Number(process.hrtime.bigint() - start) / 1000 / count };
}

function processing() {
  for (let index = 0; index < events; index++) {
    const result = processEnvelope({ id: index.toString(16).padStart(32, "0"), projectId: "1", receivedAt: Date.now(), context, payload }, input);
    if (result.kind !== "deliver") throw new Error(`the fixture event was not delivered: ${JSON.stringify(result.dropped)}`);
  }
}

async function spooling(dir) {
  const spool = openSqliteSpool({ path: join(dir, "spool.db"), maxBytes: 1024 ** 3, maxAgeMs: 3_600_000, synchronous: "full" });
  const turn = 50;
  let previous = [];
  for (let stored = 0; stored < events; stored += turn) {
    const writes = Array.from({ length: turn }, (_, index) =>
      spool.enqueueHeld({ id: (stored + index).toString(16).padStart(32, "0"), projectId: "1", receivedAt: Date.now(), context, payload }),
    );
    const acked = previous.length > 0 ? spool.ack(previous) : Promise.resolve();
    const handles = await Promise.all(writes);
    await acked;
    previous = handles.filter((handle) => handle !== undefined);
  }
  if (previous.length > 0) await spool.ack(previous);
  if (spool.stats().depth !== 0) throw new Error(`the spool kept ${spool.stats().depth} envelopes`);
  await spool.close();
}

const dir = mkdtempSync(join(tmpdir(), "relay-parts-bench-"));
try {
  // Warm up both, then measure.
  processing();
  const processed = await measure(events, processing);
  await spooling(dir);
  rmSync(join(dir, "spool.db"), { force: true });
  const spooled = await measure(events, () => spooling(dir));
  console.log(`\nParts of the forwarding path on their own, ${events} events of ${payload.length} bytes, in process\n`);
  console.log("| part | CPU µs/event | wall µs/event |");
  console.log("| --- | ---: | ---: |");
  console.log(`| processing: parse, normalize, filters, scrub (Relay's defaults), serialize | ${processed.cpu.toFixed(1)} | ${processed.wall.toFixed(1)} |`);
  console.log(`| SQLite spool (synchronous=full): store and remove, 50 per turn | ${spooled.cpu.toFixed(1)} | ${spooled.wall.toFixed(1)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
