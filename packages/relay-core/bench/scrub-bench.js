// Data scrubbing cost per event: the @sentry/node 7 fixture event scrubbed with Relay's default
// rules (the converted datascrubbingSettings), then with those plus five advanced piiConfig rules.
// Prints µs per event for each and their ratio (the goal is at most 1.3×).
// BENCH_SCRUB_EVENTS (default 300) and BENCH_SCRUB_ROUNDS (default 41) tune it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sdkCapturesDir } from "@org/testkit";
import { compileScrubbing, scrubEventInPlace } from "../dist/internal.js";

const events = Number(process.env.BENCH_SCRUB_EVENTS ?? 300);
const rounds = Number(process.env.BENCH_SCRUB_ROUNDS ?? 41);
const capture = JSON.parse(readFileSync(join(sdkCapturesDir(), "sentry-node-7.120.4__envelope__event.json"), "utf8"));
const eventText = capture.body_text.split("\n")[2];

const DEFAULTS = { scrubData: true, scrubDefaults: true, scrubIpAddresses: true };
const FIVE_RULES = {
  rules: {
    order_id: { type: "pattern", pattern: "ORD-[0-9]{4,}", redaction: { method: "replace", text: "[order]" } },
    customer: { type: "redact_pair", keyPattern: "(?i)customer|account", redaction: { method: "replace", text: "[customer]" } },
  },
  applications: {
    $string: ["order_id", "@email:replace"],
    "**": ["customer"],
    "extra.**": ["@uuid:mask"],
    "$user.ip_address": ["@ip:hash"],
  },
};

function compile(piiConfig) {
  const { plan, problems } = compileScrubbing({ piiConfig }, DEFAULTS);
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  return plan;
}

/** µs per event of one round: fresh copies are made before the clock starts. */
function round(plan) {
  const copies = Array.from({ length: events }, () => JSON.parse(eventText));
  // With --expose-gc, the copies' garbage is collected before the clock starts, not during it.
  globalThis.gc?.();
  const start = process.hrtime.bigint();
  for (const event of copies) scrubEventInPlace(event, plan);
  return Number(process.hrtime.bigint() - start) / 1000 / events;
}

const median = (samples) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
const plans = { base: compile(undefined), custom: compile(FIVE_RULES) };
// Rounds alternate between the two, so that drift on a shared machine hits both alike.
const samples = { base: [], custom: [] };
for (let i = 0; i < rounds + 5; i++) {
  for (const name of i % 2 === 0 ? ["base", "custom"] : ["custom", "base"]) {
    const value = round(plans[name]);
    if (i >= 5) samples[name].push(value);
  }
}
const best = (list) => Math.min(...list);
const row = (label, pick) => `${label}${pick(samples.base).toFixed(1)} → ${pick(samples.custom).toFixed(1)} µs/event  (${(pick(samples.custom) / pick(samples.base)).toFixed(2)}×, goal ≤ 1.30×)`;
console.log("data scrubbing, @sentry/node 7 fixture event: Relay's default rules → default + five piiConfig rules");
console.log(row("  median of rounds:  ", median));
// The fastest round is the one a busy machine disturbed least.
console.log(row("  fastest round:     ", best));
