/**
 * Vectors from Sentry Relay's own tests of the normalization every Relay runs before forwarding
 * (relay-event-normalization and the event schema it reads into), each named `<file>::<test>`.
 * Inputs and expected outputs are Relay's; where a Relay test calls one step alone, the vector
 * runs the whole of `normalizeEvent` and checks what that step decides.
 */
import { describe, expect, it } from "vitest";
import { normalizeEvent, type NormalizeOptions } from "./normalize-event.js";
import { trimString } from "./event-trimming.js";
import { EventMeta } from "./event-meta.js";
import { formatVersion } from "./user-agent-contexts.js";

type Json = Record<string, unknown>;
type Segment = string | number;

const RECEIVED = Date.UTC(2026, 10, 22, 12, 0, 0);
const R = RECEIVED / 1000;
const GENERATED_ID = "e".repeat(32);
const CLIENT_IP = "2.125.160.216";
/** A past limit so wide that only the stale-timestamp checks decide (Relay's unit tests set none). */
const NO_PAST_LIMIT = 1e15;

const TRACE_REMARKS = {
  trace: {
    trace_id: { "": { rem: [["trace_id.missing", "s"]] } },
    span_id: { "": { rem: [["span_id.missing", "s"]] } },
  },
};
const MASKED_TRACE = { trace_id: "[trace-id]", span_id: "[span-id]", status: "unknown", type: "trace" };

interface Vector {
  /** The Relay test this comes from, as `<file>::<test>`. */
  readonly relay: string;
  readonly input: Json;
  readonly options?: Partial<NormalizeOptions>;
  /** Expected values at paths of the output (`undefined`: absent). */
  readonly expect?: readonly (readonly [readonly Segment[], unknown])[];
  /** The whole expected output, generated trace ids masked, `omit`ted keys left out. */
  readonly event?: Json;
  readonly omit?: readonly string[];
  /** The event is refused, with this code. */
  readonly refused?: string;
}

function run(input: Json, options: Partial<NormalizeOptions> = {}): ReturnType<typeof normalizeEvent> {
  return normalizeEvent(input, { receivedAt: RECEIVED, generateId: () => GENERATED_ID, ...options });
}

function at(value: unknown, path: readonly Segment[]): unknown {
  let node = value;
  for (const segment of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[String(segment)];
  }
  return node;
}

/** Relay's snapshots redact the ids it makes up; so do these vectors. */
function masked(event: Json): Json {
  const copy = structuredClone(event);
  const trace = at(copy, ["contexts", "trace"]) as Json | undefined;
  if (trace && at(copy, ["_meta", "contexts", "trace", "trace_id"]) !== undefined) trace.trace_id = "[trace-id]";
  if (trace && at(copy, ["_meta", "contexts", "trace", "span_id"]) !== undefined) trace.span_id = "[span-id]";
  return copy;
}

function check(vector: Vector): void {
  const result = run(vector.input, vector.options);
  if (vector.refused !== undefined) {
    expect(result.ok ? "accepted" : result.error.code).toBe(vector.refused);
    return;
  }
  if (!result.ok) throw result.error;
  const event = result.value as Json;
  if (vector.event) {
    const actual = masked(event);
    for (const key of vector.omit ?? []) Reflect.deleteProperty(actual, key);
    expect(actual).toEqual(vector.event);
  }
  for (const [path, value] of vector.expect ?? []) expect(at(event, path), path.join(".")).toEqual(value);
}

function nested(depth: number): unknown {
  return depth === 0 ? "max depth" : { [`key${depth}`]: nested(depth - 1) };
}

const iso = (text: string): number => Date.parse(text) / 1000;

const NORMALIZE_MOD: readonly Vector[] = [
  { relay: "normalize/mod.rs::test_user_ip_from_remote_addr", input: { request: { env: { REMOTE_ADDR: CLIENT_IP } }, platform: "javascript" }, expect: [[["user", "ip_address"], CLIENT_IP]] },
  { relay: "normalize/mod.rs::test_user_ip_from_invalid_remote_addr", input: { request: { env: { REMOTE_ADDR: "whoops" } }, platform: "javascript" }, expect: [[["user"], undefined]] },
  { relay: "normalize/mod.rs::test_user_ip_from_client_ip_without_auto", input: { platform: "javascript" }, options: { clientIp: CLIENT_IP, inferIpAddress: true }, expect: [[["user", "ip_address"], CLIENT_IP]] },
  { relay: "normalize/mod.rs::test_user_ip_from_client_ip_with_auto", input: { user: { ip_address: "{{auto}}" } }, options: { clientIp: CLIENT_IP, inferIpAddress: true }, expect: [[["user", "ip_address"], CLIENT_IP]] },
  { relay: "normalize/mod.rs::test_user_ip_from_client_ip_without_appropriate_platform", input: {}, options: { clientIp: CLIENT_IP }, expect: [[["user", "ip_address"], undefined]] },
  { relay: "normalize/mod.rs::test_geo_present_if_ip_inferring_disabled", input: { user: { ip_address: "{{auto}}" } }, options: { clientIp: CLIENT_IP, inferIpAddress: false }, expect: [[["user", "ip_address"], "{{auto}}"]] },
  { relay: "normalize/mod.rs::test_geo_and_ip_present_if_ip_inferring_enabled", input: { user: { ip_address: "{{auto}}" } }, options: { clientIp: CLIENT_IP, inferIpAddress: true }, expect: [[["user", "ip_address"], CLIENT_IP]] },
  { relay: "normalize/mod.rs::test_event_level_defaulted", input: {}, expect: [[["level"], "error"]] },
  {
    relay: "normalize/mod.rs::test_transaction_level_untouched",
    input: { type: "transaction", timestamp: iso("1987-06-05T04:03:02Z"), start_timestamp: iso("1987-06-05T04:03:02Z"), contexts: { trace: { trace_id: "4c79f60c11214eb38604f4ae0781bfb2", span_id: "fa90fdead5f74053", op: "http.server" } } },
    expect: [[["level"], "info"]],
  },
  { relay: "normalize/mod.rs::test_environment_tag_is_moved", input: { tags: [["environment", "despacito"]] }, expect: [[["environment"], "despacito"], [["tags"], undefined]] },
  { relay: "normalize/mod.rs::test_empty_environment_is_removed_and_overwritten_with_tag", input: { tags: [["environment", "despacito"]], environment: "" }, expect: [[["environment"], "despacito"], [["tags"], undefined]] },
  { relay: "normalize/mod.rs::test_empty_environment_is_removed", input: { environment: "" }, expect: [[["environment"], null]] },
  { relay: "normalize/mod.rs::test_none_environment_errors", input: { environment: "none" }, expect: [[["environment"], null], [["_meta", "environment"], { "": { err: ["invalid_data"], val: "none" } }]] },
  { relay: "normalize/mod.rs::test_invalid_release_removed", input: { release: "Latest" }, expect: [[["release"], null], [["_meta", "release"], { "": { err: ["invalid_data"], val: "Latest" } }]] },
  {
    relay: "normalize/mod.rs::test_top_level_keys_moved_into_tags",
    input: { server_name: "foo", site: "foo", tags: [["site", "old"], ["server_name", "old"]] },
    expect: [[["site"], undefined], [["server_name"], undefined], [["tags"], [["site", "foo"], ["server_name", "foo"]]]],
  },
  {
    relay: "normalize/mod.rs::test_internal_tags_removed",
    input: { tags: [["release", "foo"], ["dist", "foo"], ["user", "foo"], ["filename", "foo"], ["function", "foo"], ["something", "else"]] },
    expect: [[["tags"], [["something", "else"]]]],
  },
  {
    relay: "normalize/mod.rs::test_empty_tags_removed",
    input: { tags: [["", "foo"], ["foo", ""], ["something", "else"]] },
    expect: [
      [["tags"], [[null, "foo"], ["foo", null], ["something", "else"]]],
      [["_meta", "tags"], { 0: { 0: { "": { err: [["invalid_data", { reason: "expected a non-empty value" }]] } } }, 1: { 1: { "": { err: [["invalid_data", { reason: "expected a non-empty value" }]] } } } }],
    ],
  },
  { relay: "normalize/mod.rs::test_tags_deduplicated", input: { tags: [["foo", "1"], ["bar", "1"], ["foo", "2"], ["bar", "2"], ["foo", "3"]] }, expect: [[["tags"], [["foo", "1"], ["bar", "1"]]]] },
  {
    relay: "normalize/mod.rs::test_unknown_debug_image",
    input: { debug_meta: { images: [{}] } },
    expect: [[["debug_meta", "images"], [null]], [["_meta", "debug_meta", "images", 0], { "": { err: [["invalid_data", { reason: "unsupported debug image type" }]], val: {} } }]],
  },
  { relay: "normalize/mod.rs::test_transaction_status_defaulted_to_unknown", input: { contexts: { trace: {} } }, expect: [[["contexts", "trace", "status"], "unknown"]] },
  { relay: "normalize/mod.rs::test_context_line_default", input: { stacktrace: { frames: [{ pre_context: [null, ""], post_context: ["", null] }] } }, expect: [[["stacktrace", "frames", 0, "context_line"], ""]] },
  { relay: "normalize/mod.rs::test_context_line_retain", input: { stacktrace: { frames: [{ pre_context: [null, ""], post_context: ["", null], context_line: "some line" }] } }, expect: [[["stacktrace", "frames", 0, "context_line"], "some line"]] },
  {
    relay: "normalize/mod.rs::test_frame_null_context_lines",
    input: { stacktrace: { frames: [{ pre_context: [null, ""], post_context: ["", null] }] } },
    expect: [[["stacktrace", "frames", 0, "pre_context"], ["", ""]], [["stacktrace", "frames", 0, "post_context"], ["", ""]]],
  },
  {
    relay: "normalize/mod.rs::test_too_long_distribution",
    input: { event_id: "52df9022835246eeb317dbd739ccd059", fingerprint: ["{{ default }}"], platform: "other", dist: "52df9022835246eeb317dbd739ccd059-52df9022835246eeb317dbd739ccd059-52df9022835246eeb317dbd739ccd059" },
    expect: [
      [["dist"], null],
      [["_meta", "dist"], { "": { err: ["value_too_long"], val: "52df9022835246eeb317dbd739ccd059-52df9022835246eeb317dbd739ccd059-52df9022835246eeb317dbd739ccd059" } }],
    ],
  },
  {
    relay: "normalize/mod.rs::test_regression_backfills_abs_path_even_when_moving_stacktrace",
    input: { exception: { values: [{ type: "FooDivisionError", value: "hi" }] }, stacktrace: { frames: [{ module: "MyModule", filename: "MyFilename", function: "Void FooBar()" }] } },
    expect: [
      [["exception", "values", 0, "stacktrace"], { frames: [{ module: "MyModule", filename: "MyFilename", abs_path: "MyFilename", function: "Void FooBar()" }] }],
      [["stacktrace"], undefined],
    ],
  },
  { relay: "normalize/mod.rs::test_parses_sdk_info_from_header", input: {}, options: { client: "_fooBar/0.0.0" }, expect: [[["sdk"], { name: "_fooBar", version: "0.0.0" }]] },
  { relay: "normalize/mod.rs::test_discards_received", input: { received: 696_969_696_969 }, expect: [[["received"], R], [["timestamp"], R]] },
  {
    relay: "normalize/mod.rs::test_grouping_config",
    input: { logentry: { message: "Hello World!" } },
    event: { event_id: GENERATED_ID, level: "error", type: "default", logentry: { formatted: "Hello World!" }, logger: "", platform: "other", timestamp: R, received: R, contexts: { trace: MASKED_TRACE }, _meta: { contexts: TRACE_REMARKS } },
  },
  {
    relay: "normalize/mod.rs::test_logentry_error",
    input: { event_id: "74ad1301f4df489ead37d757295442b1", timestamp: 1668148328.308933, received: 1668148328.308933, level: "error", platform: "python", logentry: { params: ["bogus"], formatted: 42 } },
    options: { receivedAt: 1668148400000 },
    event: {
      event_id: "74ad1301f4df489ead37d757295442b1",
      level: "error",
      type: "default",
      logentry: null,
      logger: "",
      platform: "python",
      timestamp: 1668148328.308933,
      received: 1668148400,
      contexts: { trace: MASKED_TRACE },
      _meta: {
        contexts: TRACE_REMARKS,
        logentry: { "": { err: [["invalid_data", { reason: "no message present" }]], val: { formatted: null, message: null, params: ["bogus"] } } },
      },
    },
  },
  {
    relay: "normalize/mod.rs::test_future_timestamp",
    input: { timestamp: iso("2000-01-03T00:02:00Z") },
    options: { receivedAt: Date.UTC(2000, 0, 3), maxPastMs: 30 * 24 * 3600 * 1000, maxFutureMs: 60_000 },
    event: {
      event_id: GENERATED_ID,
      level: "error",
      type: "default",
      logger: "",
      platform: "other",
      timestamp: 946857600.0,
      received: 946857600.0,
      contexts: { trace: MASKED_TRACE },
      _meta: {
        contexts: TRACE_REMARKS,
        timestamp: { "": { err: [["future_timestamp", { sdk_time: "2000-01-03T00:02:00+00:00", server_time: "2000-01-03T00:00:00+00:00" }]] } },
      },
    },
  },
  {
    relay: "normalize/mod.rs::test_past_timestamp",
    input: { timestamp: iso("2000-01-03T00:00:00Z") },
    options: { receivedAt: Date.UTC(2000, 2, 3), maxPastMs: 30 * 24 * 3600 * 1000, maxFutureMs: 60_000 },
    event: {
      event_id: GENERATED_ID,
      level: "error",
      type: "default",
      logger: "",
      platform: "other",
      timestamp: 952041600.0,
      received: 952041600.0,
      contexts: { trace: MASKED_TRACE },
      _meta: {
        contexts: TRACE_REMARKS,
        timestamp: { "": { err: [["past_timestamp", { sdk_time: "2000-01-03T00:00:00+00:00", server_time: "2000-03-03T00:00:00+00:00" }]] } },
      },
    },
  },
  ...(
    [
      ["test_normalize_logger_empty", "", "", undefined],
      ["test_normalize_logger_trimmed", " \t  \t   ", "", { rem: [["@logger:remove", "x", 0, 8]], len: 8 }],
      ["test_normalize_logger_short_no_trimming", "my.short-logger.isnt_trimmed", "my.short-logger.isnt_trimmed", undefined],
      ["test_normalize_logger_exact_length", "this_is-exactly-the_max_len.012345678901234567890123456789012345", "this_is-exactly-the_max_len.012345678901234567890123456789012345", undefined],
      ["test_normalize_logger_too_long_single_word", "this_is-way_too_long-and_we_only_have_one_word-so_we_cant_smart_trim", "*is-way_too_long-and_we_only_have_one_word-so_we_cant_smart_trim", { rem: [["@logger:replace", "s", 0, 5]], len: 68 }],
      ["test_normalize_logger_word_trimmed_at_max", "already_out.out.in.this_part-is-kept.this_right_here-is_an-extremely_long_word", "*.in.this_part-is-kept.this_right_here-is_an-extremely_long_word", { rem: [["@logger:replace", "s", 0, 15]], len: 78 }],
      ["test_normalize_logger_word_trimmed_before_max", "super_out.this_is_already_out_too.this_part-is-kept.this_right_here-is_a-very_long_word", "*.this_part-is-kept.this_right_here-is_a-very_long_word", { rem: [["@logger:replace", "s", 0, 33]], len: 87 }],
      ["test_normalize_logger_word_leading_dots", "io.this-tests-the-smart-trimming-and-word-removal-around-dot.words", "*this-tests-the-smart-trimming-and-word-removal-around-dot.words", { rem: [["@logger:replace", "s", 0, 3]], len: 66 }],
    ] as const
  ).map(([test, logger, expected, remark]): Vector => ({
    relay: `normalize/mod.rs::${test}`,
    input: { event_id: "7637af36578e4e4592692e28a1d6e2ca", platform: "java", logger },
    omit: ["timestamp", "received"],
    event: {
      event_id: "7637af36578e4e4592692e28a1d6e2ca",
      level: "error",
      type: "default",
      logger: expected,
      platform: "java",
      contexts: { trace: MASKED_TRACE },
      _meta: { ...(remark ? { "": remark } : {}), contexts: TRACE_REMARKS },
    },
  })),
  { relay: "normalize/mod.rs::test_normalization_removes_reprocessing_context", input: { contexts: { reprocessing: {} } }, expect: [[["contexts", "reprocessing"], undefined]] },
  {
    relay: "normalize/mod.rs::test_normalize_exception",
    input: { exception: { values: [{}] } },
    expect: [
      [["exception", "values"], [null]],
      [
        ["_meta", "exception", "values", 0],
        { "": { err: [["missing_attribute", { attribute: "type or value" }]], val: { mechanism: null, module: null, raw_stacktrace: null, stacktrace: null, thread_id: null, type: null, value: null } } },
      ],
    ],
  },
  { relay: "normalize/mod.rs::test_handle_types_in_spaced_exception_values", input: { exception: [{ value: "ValueError: unauthorized" }] }, expect: [[["exception", "values", 0], { type: "ValueError", value: "unauthorized" }]] },
  { relay: "normalize/mod.rs::test_handle_types_in_non_spaced_excepton_values", input: { exception: [{ value: "ValueError:unauthorized" }] }, expect: [[["exception", "values", 0], { type: "ValueError", value: "unauthorized" }]] },
  {
    relay: "normalize/mod.rs::test_rejects_empty_exception_fields",
    input: { exception: [{ value: "", type: "" }] },
    expect: [[["exception", "values", 0], null], [["_meta", "exception", "values", 0, "", "err"], [["missing_attribute", { attribute: "type or value" }]]]],
  },
  { relay: "normalize/mod.rs::test_json_value", input: { exception: [{ value: '{"unauthorized":true}' }] }, expect: [[["exception", "values", 0], { value: '{"unauthorized":true}' }]] },
  { relay: "normalize/mod.rs::test_exception_invalid", input: { exception: [{}] }, expect: [[["_meta", "exception", "values", 0, "", "err"], [["missing_attribute", { attribute: "type or value" }]]]] },
  { relay: "normalize/mod.rs::test_normalize_breadcrumbs", input: { breadcrumbs: { values: [{}] } }, expect: [[["breadcrumbs", "values", 0], { type: "default", level: "info" }]] },
  { relay: "normalize/mod.rs::test_user_data_moved", input: { user: { other: "value" } }, expect: [[["user"], { data: { other: "value" } }]] },
];

const EVENT_RS: readonly Vector[] = [
  {
    relay: "event.rs::test_other_debug_images_have_meta_errors",
    input: { debug_meta: { images: [{}] } },
    expect: [[["debug_meta", "images", 0], null], [["_meta", "debug_meta", "images", 0, "", "err"], [["invalid_data", { reason: "unsupported debug image type" }]]]],
  },
  { relay: "event.rs::test_normalize_dist_none", input: {}, expect: [[["dist"], undefined]] },
  { relay: "event.rs::test_normalize_dist_empty", input: { dist: "" }, expect: [[["dist"], null]] },
  { relay: "event.rs::test_normalize_dist_trim", input: { dist: " foo  " }, expect: [[["dist"], "foo"]] },
  { relay: "event.rs::test_normalize_dist_whitespace", input: { dist: " " }, expect: [[["dist"], null]] },
  { relay: "event.rs::test_normalize_platform_and_level_with_transaction_event", input: { type: "transaction" }, expect: [[["level"], "info"], [["platform"], "other"], [["type"], "transaction"]] },
  { relay: "event.rs::test_normalize_platform_and_level_with_error_event", input: { type: "error" }, expect: [[["level"], "error"], [["platform"], "other"]] },
  {
    relay: "event.rs::test_accept_recent_transactions_with_stale_timestamps",
    input: { event_id: "52df9022835246eeb317dbd739ccd059", transaction: "I have a stale timestamp, but I'm recent!", start_timestamp: -2, timestamp: -1 },
    options: { maxPastMs: 2000, maxFutureMs: 1000 },
    expect: [[["timestamp"], R], [["start_timestamp"], R - 1]],
  },
  {
    relay: "event.rs::test_reject_stale_transactions_after_timestamp_normalization",
    input: { event_id: "52df9022835246eeb317dbd739ccd059", transaction: "clockdrift is not enough to accept me :(", start_timestamp: -62135811111, timestamp: R },
    options: { maxPastMs: 2000, maxFutureMs: 1000 },
    refused: "invalid_transaction",
  },
];

const TIMESTAMP_RS: readonly Vector[] = [
  { relay: "timestamp.rs::test_accept_recent_errors", input: { event_id: "52df9022835246eeb317dbd739ccd059", timestamp: 1 }, options: { maxPastMs: NO_PAST_LIMIT }, expect: [[["timestamp"], 1]] },
  { relay: "timestamp.rs::test_reject_stale_errors", input: { event_id: "52df9022835246eeb317dbd739ccd059", timestamp: -1 }, options: { maxPastMs: NO_PAST_LIMIT }, refused: "invalid_transaction" },
  { relay: "timestamp.rs::test_accept_recent_transactions", input: { event_id: "52df9022835246eeb317dbd739ccd059", start_timestamp: 1, timestamp: 2 }, options: { maxPastMs: NO_PAST_LIMIT }, expect: [[["start_timestamp"], 1], [["timestamp"], 2]] },
  { relay: "timestamp.rs::test_reject_stale_transactions", input: { event_id: "52df9022835246eeb317dbd739ccd059", start_timestamp: -2, timestamp: -1 }, options: { maxPastMs: NO_PAST_LIMIT }, refused: "invalid_transaction" },
  { relay: "timestamp.rs::test_reject_long_running_transactions", input: { event_id: "52df9022835246eeb317dbd739ccd059", start_timestamp: -1, timestamp: 1 }, options: { maxPastMs: NO_PAST_LIMIT }, refused: "invalid_transaction" },
  { relay: "timestamp.rs::test_accept_recent_span", input: { spans: [{ span_id: "52df9022835246eeb317dbd739ccd050", start_timestamp: 1, timestamp: 2 }] }, options: { maxPastMs: NO_PAST_LIMIT }, expect: [[["spans", 0], { span_id: "52df9022835246eeb317dbd739ccd050", start_timestamp: 1, timestamp: 2 }]] },
  {
    relay: "timestamp.rs::test_reject_stale_span",
    input: { spans: [{ span_id: "52df9022835246eeb317dbd739ccd050", start_timestamp: -2, timestamp: -1 }] },
    options: { maxPastMs: NO_PAST_LIMIT },
    expect: [[["spans", 0], null], [["_meta", "spans", 0], { "": { err: [["invalid_data", { reason: "timestamp is too stale: 1969-12-31 23:59:58 UTC" }]] } }]],
  },
  {
    relay: "timestamp.rs::test_reject_long_running_span",
    input: { spans: [{ span_id: "52df9022835246eeb317dbd739ccd050", start_timestamp: -1, timestamp: 1 }] },
    options: { maxPastMs: NO_PAST_LIMIT },
    expect: [[["spans", 0], null], [["_meta", "spans", 0], { "": { err: [["invalid_data", { reason: "timestamp is too stale: 1969-12-31 23:59:59 UTC" }]] } }]],
  },
];

const START = Date.UTC(2000, 0, 1);
const END = Date.UTC(2000, 0, 2);
const DAY = 24 * 3600 * 1000;
const transaction = { type: "transaction", timestamp: END / 1000, start_timestamp: START / 1000, contexts: { trace: { trace_id: "3c79f60c11214eb38604f4ae0781bfb2", span_id: "fa90fdead5f74053", op: "http.server" } }, spans: [] };

const CLOCK_DRIFT_RS: readonly Vector[] = [
  { relay: "clock_drift.rs::test_no_sent_at", input: transaction, options: { receivedAt: END }, expect: [[["timestamp"], END / 1000], [["start_timestamp"], START / 1000], [["_meta", "timestamp"], undefined]] },
  { relay: "clock_drift.rs::test_no_clock_drift", input: transaction, options: { receivedAt: END, sentAt: END, minClockDriftMs: 0 }, expect: [[["timestamp"], END / 1000], [["start_timestamp"], START / 1000]] },
  { relay: "clock_drift.rs::test_clock_drift_lower_bound", input: transaction, options: { receivedAt: END + 60_000, sentAt: END, minClockDriftMs: 3_600_000 }, expect: [[["timestamp"], END / 1000], [["start_timestamp"], START / 1000]] },
  {
    relay: "clock_drift.rs::test_clock_drift_from_past",
    input: transaction,
    options: { receivedAt: END + DAY, sentAt: END, minClockDriftMs: 0 },
    expect: [
      [["timestamp"], (END + DAY) / 1000],
      [["start_timestamp"], (START + DAY) / 1000],
      [["_meta", "timestamp", "", "err"], [["clock_drift", { sdk_time: "2000-01-02T00:00:00+00:00", server_time: "2000-01-03T00:00:00+00:00" }]]],
    ],
  },
  {
    relay: "clock_drift.rs::test_clock_drift_from_future",
    input: transaction,
    options: { receivedAt: END - 60_000, sentAt: END, minClockDriftMs: 0 },
    expect: [[["timestamp"], (END - 60_000) / 1000], [["start_timestamp"], (START - 60_000) / 1000]],
  },
];

const SCHEMA_RS: readonly Vector[] = [
  { relay: "schema.rs::test_invalid_email", input: { user: { email: "bananabread" } }, expect: [[["user"], { email: "bananabread" }]] },
  { relay: "schema.rs::test_client_sdk_missing_attribute", input: { sdk: { name: "sentry.rust" } }, expect: [[["sdk"], { name: "sentry.rust" }], [["_meta", "sdk"], { version: { "": { err: ["missing_attribute"] } } }]] },
  { relay: "schema.rs::test_stacktrace_missing_attribute", input: { stacktrace: {} }, expect: [[["_meta", "stacktrace"], { frames: { "": { err: ["missing_attribute"] } } }]] },
  { relay: "schema.rs::test_newlines_release", input: { release: "42\n" }, expect: [[["release"], "42"]] },
];

const frame = (fields: Json): Json => ({ stacktrace: { frames: [{ lineno: 1, ...fields }] } });
const STACKTRACE_RS: readonly Vector[] = [
  { relay: "stacktrace.rs::test_coerces_url_filenames", input: frame({ filename: "http://foo.com/foo.js" }), expect: [[["stacktrace", "frames", 0], { lineno: 1, filename: "/foo.js", abs_path: "http://foo.com/foo.js" }]] },
  { relay: "stacktrace.rs::test_does_not_overwrite_filename", input: frame({ filename: "foo.js", abs_path: "http://foo.com/foo.js" }), expect: [[["stacktrace", "frames", 0], { lineno: 1, filename: "foo.js", abs_path: "http://foo.com/foo.js" }]] },
  { relay: "stacktrace.rs::test_ignores_results_with_empty_path", input: frame({ abs_path: "http://foo.com" }), expect: [[["stacktrace", "frames", 0], { lineno: 1, filename: "http://foo.com", abs_path: "http://foo.com" }]] },
  { relay: "stacktrace.rs::test_ignores_results_with_slash_path", input: frame({ abs_path: "http://foo.com/" }), expect: [[["stacktrace", "frames", 0], { lineno: 1, filename: "http://foo.com/", abs_path: "http://foo.com/" }]] },
  { relay: "stacktrace.rs::test_coerce_empty_filename", input: frame({ filename: "", abs_path: "http://foo.com/foo.js" }), expect: [[["stacktrace", "frames", 0], { lineno: 1, filename: "/foo.js", abs_path: "http://foo.com/foo.js" }]] },
];

const LOGENTRY_RS: readonly Vector[] = [
  { relay: "logentry.rs::test_format_python", input: { logentry: { message: "hello, %s!", params: ["world"] } }, expect: [[["logentry", "formatted"], "hello, world!"]] },
  { relay: "logentry.rs::test_format_python_named", input: { logentry: { message: "hello, %(name)s!", params: { name: "world" } } }, expect: [[["logentry", "formatted"], "hello, world!"]] },
  { relay: "logentry.rs::test_format_java", input: { logentry: { message: "hello, {}!", params: ["world"] } }, expect: [[["logentry", "formatted"], "hello, world!"]] },
  { relay: "logentry.rs::test_format_dotnet", input: { logentry: { message: "hello, {0}!", params: ["world"] } }, expect: [[["logentry", "formatted"], "hello, world!"]] },
  { relay: "logentry.rs::test_format_no_params", input: { logentry: { message: "hello, %s!" } }, expect: [[["logentry", "formatted"], "hello, %s!"]] },
  { relay: "logentry.rs::test_only_message", input: { logentry: { message: "hello, world!" } }, expect: [[["logentry"], { formatted: "hello, world!" }]] },
  { relay: "logentry.rs::test_message_formatted_equal", input: { logentry: { message: "hello, world!", formatted: "hello, world!" } }, expect: [[["logentry"], { formatted: "hello, world!" }]] },
  { relay: "logentry.rs::test_empty_missing_message", input: { logentry: { params: 0 } }, expect: [[["logentry"], null], [["_meta", "logentry", "", "err"], [["invalid_data", { reason: "no message present" }]]]] },
  { relay: "logentry.rs::test_empty_logentry", input: { logentry: {} }, expect: [[["logentry"], undefined], [["_meta", "logentry"], undefined]] },
];

const request = (fields: Json): Json => ({ request: fields });
const REQUEST_RS: readonly Vector[] = [
  { relay: "normalize/request.rs::test_url_truncation", input: request({ url: "http://example.com/path?foo#bar" }), expect: [[["request", "url"], "http://example.com/path"]] },
  { relay: "normalize/request.rs::test_url_truncation_reversed", input: request({ url: "http://example.com/path#foo?bar" }), expect: [[["request", "url"], "http://example.com/path"]] },
  { relay: "normalize/request.rs::test_url_with_ellipsis", input: request({ url: "http://example.com/path\u2026" }), expect: [[["request", "url"], "http://example.com/path..."]] },
  {
    relay: "normalize/request.rs::test_url_with_qs_and_fragment",
    input: request({ url: "http://example.com/path?some=thing#else" }),
    expect: [[["request"], { url: "http://example.com/path", query_string: [["some", "thing"]], fragment: "else" }]],
  },
  { relay: "normalize/request.rs::test_url_only_path", input: request({ url: "metamask/popup.html#" }), expect: [[["request"], { url: "metamask/popup.html" }]] },
  { relay: "normalize/request.rs::test_url_punycoded", input: request({ url: "http://göögle.com/" }), expect: [[["request"], { url: "http://xn--ggle-5qaa.com/" }]] },
  {
    relay: "normalize/request.rs::test_url_precedence",
    input: request({ url: "http://example.com/path?completely=different#stuff", query_string: [["some", "thing"]], fragment: "else" }),
    expect: [[["request"], { url: "http://example.com/path", query_string: [["some", "thing"]], fragment: "else" }]],
  },
  { relay: "normalize/request.rs::test_query_string_empty_value", input: request({ url: "http://example.com/path?some" }), expect: [[["request"], { url: "http://example.com/path", query_string: [["some", ""]] }]] },
  {
    relay: "normalize/request.rs::test_cookies_in_header",
    input: request({ url: "http://example.com", headers: [["Cookie", "a=b;c=d"]] }),
    expect: [[["request", "cookies"], [["a", "b"], ["c", "d"]]], [["request", "headers"], []]],
  },
  {
    relay: "normalize/request.rs::test_cookies_in_header_dont_override_cookies",
    input: request({ url: "http://example.com", headers: [["Cookie", "a=b;c=d"]], cookies: [["foo", "bar"]] }),
    expect: [[["request", "cookies"], [["foo", "bar"]]], [["request", "headers"], []]],
  },
  { relay: "normalize/request.rs::test_method_invalid", input: request({ method: "!!!!" }), expect: [[["request", "method"], null]] },
  { relay: "normalize/request.rs::test_method_valid", input: request({ method: "POST" }), expect: [[["request", "method"], "POST"]] },
  { relay: "normalize/request.rs::test_infer_json", input: request({ data: '{"foo":"bar"}' }), expect: [[["request", "inferred_content_type"], "application/json"], [["request", "data"], { foo: "bar" }]] },
  {
    relay: "normalize/request.rs::test_broken_json_with_fallback",
    input: request({ data: '{"foo":"b', headers: [["Content-Type", "text/plain; encoding=utf-8"]] }),
    expect: [[["request", "inferred_content_type"], "text/plain"], [["request", "data"], '{"foo":"b']],
  },
  { relay: "normalize/request.rs::test_broken_json_without_fallback", input: request({ data: '{"foo":"b' }), expect: [[["request", "inferred_content_type"], undefined], [["request", "data"], '{"foo":"b']] },
  { relay: "normalize/request.rs::test_infer_url_encoded", input: request({ data: "foo=bar" }), expect: [[["request", "inferred_content_type"], "application/x-www-form-urlencoded"], [["request", "data"], { foo: "bar" }]] },
  { relay: "normalize/request.rs::test_infer_url_false_positive", input: request({ data: "dGU=" }), expect: [[["request", "inferred_content_type"], undefined], [["request", "data"], "dGU="]] },
  { relay: "normalize/request.rs::test_infer_url_encoded_base64", input: request({ data: "dA==" }), expect: [[["request", "inferred_content_type"], undefined], [["request", "data"], "dA=="]] },
  { relay: "normalize/request.rs::test_infer_xml", input: request({ data: '<?xml version="1.0" ?>' }), expect: [[["request", "inferred_content_type"], undefined], [["request", "data"], '<?xml version="1.0" ?>']] },
  { relay: "normalize/request.rs::test_infer_binary", input: request({ data: "\u001f1\u0000\u0000" }), expect: [[["request", "inferred_content_type"], undefined], [["request", "data"], "\u001f1\u0000\u0000"]] },
];

const extraKeys = Object.fromEntries(Array.from({ length: 100 }, (_item, index) => [`key_${index}`, "x".repeat(50000)]));
const keptKeys = ["key_0", "key_1", ...Array.from({ length: 10 }, (_item, index) => `key_1${index}`), "key_2", "key_20", "key_21"];
const TRIMMING_RS: readonly Vector[] = [
  { relay: "trimming.rs::test_basic_trimming", input: { culprit: "x".repeat(300) }, expect: [[["culprit"], `${"x".repeat(197)}...`], [["_meta", "culprit"], { "": { rem: [["!limit", "s", 197, 200]], len: 300 } }]] },
  {
    relay: "trimming.rs::test_databag_stripping",
    input: { extra: { key_1: "value 1", key_2: nested(8), key_3: nested(5) } },
    expect: [[["extra"], { key_1: "value 1", key_2: { key8: { key7: { key6: { key5: { key4: '{"key3":{"key2":{"key1":"max depth"}}}' } } } } }, key_3: nested(5) }]],
  },
  {
    relay: "trimming.rs::test_databag_array_stripping",
    input: { extra: extraKeys },
    expect: [
      [["extra"], { ...Object.fromEntries(keptKeys.map((key) => [key, `${"x".repeat(16381)}...`])), key_22: `${"x".repeat(16336)}...` }],
      [
        ["_meta", "extra"],
        { "": { len: 100 }, ...Object.fromEntries(keptKeys.map((key) => [key, { "": { rem: [["!limit", "s", 16381, 16384]], len: 50000 } }])), key_22: { "": { rem: [["!limit", "s", 16336, 16339]], len: 50000 } } },
      ],
    ],
  },
  {
    relay: "trimming.rs::test_databag_state_leak",
    input: {
      breadcrumbs: { values: Array.from({ length: 200 }, () => ({ data: { spamspamspam: "blablabla" } })) },
      exception: { values: [{ type: "TypeError", value: "important error message", stacktrace: { frames: Array.from({ length: 200 }, () => ({ function: "importantFunctionName", symbol: "important_symbol" })) } }] },
    },
    expect: [
      [["breadcrumbs", "values", 199, "data"], { spamspamspam: "blablabla" }],
      [["exception", "values", 0, "stacktrace", "frames"], Array.from({ length: 200 }, () => ({ function: "importantFunctionName", symbol: "important_symbol" }))],
      [["_meta", "breadcrumbs"], undefined],
      [["_meta", "exception"], undefined],
    ],
  },
  {
    relay: "trimming.rs::test_custom_context_trimming",
    input: { contexts: { despacito1: { foo: "a".repeat(4000), bar: "a".repeat(5000) } } },
    expect: [[["contexts", "despacito1", "bar"], "a".repeat(5000)], [["contexts", "despacito1", "foo"], `${"a".repeat(3186)}...`]],
  },
  { relay: "trimming.rs::test_extra_trimming_long_arrays", input: { extra: { foo: Array.from({ length: 200_000 }, () => 1) } }, expect: [[["extra", "foo", "length"], 8192], [["_meta", "extra", "foo", "", "len"], 200_000]] },
];

const TAGS_RS: readonly Vector[] = [
  {
    relay: "relay-event-schema tags.rs::test_tags_from_object",
    input: { tags: { blah: "blub", bool: true, "foo bar": "baz", "non string": 42 } },
    expect: [[["tags"], [["blah", "blub"], ["bool", "True"], ["foo-bar", "baz"], ["non-string", "42"]]]],
  },
  {
    relay: "relay-event-schema tags.rs::test_tags_from_array",
    input: { tags: [["bool", true], ["foo bar", "baz"], [23, 42], ["blah", "blub"]] },
    expect: [[["tags"], [["bool", "True"], ["foo-bar", "baz"], ["23", "42"], ["blah", "blub"]]]],
  },
];

const os = (fields: Json): Json => ({ contexts: { os: fields } });
const runtime = (fields: Json): Json => ({ contexts: { runtime: fields } });
const osIs = (fields: Json): [readonly Segment[], unknown][] => Object.entries(fields).map(([key, value]) => [["contexts", "os", key], value]);
const runtimeIs = (fields: Json): [readonly Segment[], unknown][] => Object.entries(fields).map(([key, value]) => [["contexts", "runtime", key], value]);
const CONTEXTS_RS: readonly Vector[] = [
  { relay: "normalize/contexts.rs::test_dotnet_framework_48_without_build_id", input: runtime({ raw_description: ".NET Framework 4.8.4250.0" }), expect: runtimeIs({ name: ".NET Framework", version: "4.8.4250.0" }) },
  { relay: "normalize/contexts.rs::test_dotnet_framework_472", input: runtime({ raw_description: ".NET Framework 4.7.3056.0", build: "461814" }), expect: runtimeIs({ name: ".NET Framework", version: "4.7.2" }) },
  { relay: "normalize/contexts.rs::test_dotnet_framework_future_version", input: runtime({ raw_description: ".NET Framework 200.0", build: "999999" }), expect: runtimeIs({ name: ".NET Framework", version: "200.0" }) },
  { relay: "normalize/contexts.rs::test_dotnet_native", input: runtime({ raw_description: ".NET Native 2.0" }), expect: runtimeIs({ name: ".NET Native", version: "2.0" }) },
  { relay: "normalize/contexts.rs::test_dotnet_core", input: runtime({ raw_description: ".NET Core 2.0" }), expect: runtimeIs({ name: ".NET Core", version: "2.0" }) },
  { relay: "normalize/contexts.rs::test_windows_7_or_server_2008", input: os({ raw_description: "Microsoft Windows NT 6.1.7601 Service Pack 1" }), expect: osIs({ name: "Windows", version: "7" }) },
  { relay: "normalize/contexts.rs::test_windows_8_or_server_2012_or_later", input: os({ raw_description: "Microsoft Windows NT 6.2.9200.0" }), expect: osIs({ name: "Windows", version: "8" }) },
  { relay: "normalize/contexts.rs::test_windows_10", input: os({ raw_description: "Microsoft Windows 10.0.16299" }), expect: osIs({ name: "Windows", version: "10" }) },
  { relay: "normalize/contexts.rs::test_windows_11", input: os({ raw_description: "Microsoft Windows 10.0.22000" }), expect: osIs({ name: "Windows", version: "11" }) },
  { relay: "normalize/contexts.rs::test_windows_11_future1", input: os({ raw_description: "Microsoft Windows 10.0.22001" }), expect: osIs({ name: "Windows", version: "11" }) },
  { relay: "normalize/contexts.rs::test_windows_11_future2", input: os({ raw_description: "Microsoft Windows 10.1.23456" }), expect: osIs({ name: "Windows", version: "10.1.23456" }) },
  { relay: "normalize/contexts.rs::test_macos_os_version", input: os({ raw_description: "Unix 17.5.0.0" }), expect: osIs({ name: "Unix", kernel_version: "17.5.0" }) },
  {
    relay: "normalize/contexts.rs::test_macos_runtime",
    input: os({ raw_description: "Darwin 17.5.0 Darwin Kernel Version 17.5.0: Mon Mar  5 22:24:32 PST 2018; root:xnu-4570.51.1~1/RELEASE_X86_64" }),
    expect: osIs({ name: "Darwin", kernel_version: "17.5.0" }),
  },
  { relay: "normalize/contexts.rs::test_centos_os_version", input: os({ raw_description: "Unix 3.10.0.693" }), expect: osIs({ name: "Unix", kernel_version: "3.10.0.693" }) },
  { relay: "normalize/contexts.rs::test_centos_runtime_info", input: os({ raw_description: "Linux 3.10.0-693.21.1.el7.x86_64 #1 SMP Wed Mar 7 19:03:37 UTC 2018" }), expect: osIs({ name: "Linux", kernel_version: "3.10.0" }) },
  { relay: "normalize/contexts.rs::test_wsl_ubuntu", input: os({ raw_description: "Linux 4.4.0-43-Microsoft #1-Microsoft Wed Dec 31 14:42:53 PST 2014" }), expect: osIs({ name: "Linux", kernel_version: "4.4.0" }) },
  { relay: "normalize/contexts.rs::test_macos_with_build", input: os({ raw_description: "Mac OS X 10.14.2 (18C54)" }), expect: osIs({ name: "macOS", version: "10.14.2", build: "18C54" }) },
  { relay: "normalize/contexts.rs::test_macos_without_build", input: os({ raw_description: "Mac OS X 10.14.2" }), expect: osIs({ name: "macOS", version: "10.14.2", build: undefined }) },
  { relay: "normalize/contexts.rs::test_name_not_overwritten", input: os({ name: "Properly defined name", raw_description: "Linux 4.4.0" }), expect: osIs({ name: "Properly defined name" }) },
  { relay: "normalize/contexts.rs::test_version_not_overwritten", input: os({ version: "Properly defined version", raw_description: "Linux 4.4.0" }), expect: osIs({ version: "Properly defined version" }) },
  { relay: "normalize/contexts.rs::test_no_name", input: os({}), expect: osIs({ name: undefined, version: undefined, kernel_version: undefined, raw_description: undefined }) },
  { relay: "normalize/contexts.rs::test_unity_mac_os", input: os({ raw_description: "Mac OS X 10.16.0" }), expect: osIs({ name: "macOS", version: "10.16.0", build: undefined }) },
  { relay: "normalize/contexts.rs::test_unity_windows_os", input: os({ raw_description: "Windows 10  (10.0.19042) 64bit" }), expect: osIs({ name: "Windows", version: "10", build: "19042" }) },
  { relay: "normalize/contexts.rs::test_unity_android_os", input: os({ raw_description: "Android OS 11 / API-30 (RP1A.201005.001/2107031736)" }), expect: osIs({ name: "Android", version: "11", build: undefined }) },
  { relay: "normalize/contexts.rs::test_linux_5_11", input: os({ raw_description: "Linux 5.11 Ubuntu 20.04 64bit" }), expect: osIs({ name: "Ubuntu", version: "20.04", kernel_version: "5.11", build: undefined }) },
  { relay: "normalize/contexts.rs::test_android_4_4_2", input: os({ raw_description: "Android OS 4.4.2 / API-19 (KOT49H/A536_S186_150813_ROW)" }), expect: osIs({ name: "Android", version: "4.4.2", build: undefined }) },
  { relay: "normalize/contexts.rs::test_ios_15_0", input: os({ raw_description: "iOS 15.0" }), expect: osIs({ name: "iOS", kernel_version: "15.0", build: undefined }) },
  {
    relay: "normalize/contexts.rs::test_infer_json",
    input: { contexts: { response: { data: '{"foo":"bar"}' } } },
    expect: [[["contexts", "response", "inferred_content_type"], "application/json"], [["contexts", "response", "data"], { foo: "bar" }]],
  },
  {
    relay: "normalize/contexts.rs::test_broken_json_with_fallback",
    input: { contexts: { response: { data: '{"foo":"b', headers: [["Content-Type", "text/plain; encoding=utf-8"]] } } },
    expect: [[["contexts", "response", "inferred_content_type"], "text/plain"], [["contexts", "response", "data"], '{"foo":"b']],
  },
  {
    relay: "normalize/contexts.rs::test_broken_json_without_fallback",
    input: { contexts: { response: { data: '{"foo":"b' } } },
    expect: [[["contexts", "response", "inferred_content_type"], undefined], [["contexts", "response", "data"], '{"foo":"b']],
  },
];

const FINGERPRINT_RS: readonly Vector[] = [
  { relay: "relay-event-schema fingerprint.rs::test_fingerprint_string", input: { fingerprint: ["fingerprint"] }, expect: [[["fingerprint"], ["fingerprint"]]] },
  { relay: "relay-event-schema fingerprint.rs::test_fingerprint_bool", input: { fingerprint: [true, false] }, expect: [[["fingerprint"], ["True", "False"]]] },
  { relay: "relay-event-schema fingerprint.rs::test_fingerprint_number", input: { fingerprint: [-22] }, expect: [[["fingerprint"], ["-22"]]] },
  { relay: "relay-event-schema fingerprint.rs::test_fingerprint_float", input: { fingerprint: [3.0] }, expect: [[["fingerprint"], ["3"]]] },
  { relay: "relay-event-schema fingerprint.rs::test_fingerprint_float_trunc", input: { fingerprint: [3.5] }, expect: [[["fingerprint"], ["3"]]] },
  { relay: "relay-event-schema fingerprint.rs::test_fingerprint_float_strip", input: { fingerprint: [-1e100] }, expect: [[["fingerprint"], null], [["_meta", "fingerprint"], { "": { err: [["invalid_data", { value: [-1e100] }]], len: 1 } }]] },
  {
    relay: "relay-event-schema fingerprint.rs::test_fingerprint_float_bounds",
    input: { fingerprint: [1.7976931348623157e308] },
    expect: [[["fingerprint"], null], [["_meta", "fingerprint"], { "": { err: [["invalid_data", { value: [1.7976931348623157e308] }]], len: 1 } }]],
  },
  { relay: "relay-event-schema fingerprint.rs::test_fingerprint_invalid_fallback", input: { fingerprint: ["a", null, "d"] }, expect: [[["fingerprint"], ["a", "d"]]] },
  { relay: "relay-event-schema fingerprint.rs::test_fingerprint_empty", input: { fingerprint: [] }, expect: [[["fingerprint"], undefined], [["_meta", "fingerprint"], undefined]] },
];

const aha = [[["exception", "values"], [{ type: "Test", value: "aha!" }]]] as const;
const TYPES_RS: readonly Vector[] = [
  { relay: "relay-event-schema types.rs::test_values_deserialization ({values: [...]})", input: { exception: { values: [{ type: "Test", value: "aha!" }] } }, expect: aha },
  { relay: "relay-event-schema types.rs::test_values_deserialization ([...])", input: { exception: [{ type: "Test", value: "aha!" }] }, expect: aha },
  { relay: "relay-event-schema types.rs::test_values_deserialization (one object)", input: { exception: { type: "Test", value: "aha!" } }, expect: aha },
];

const USER_RS: readonly Vector[] = [
  {
    relay: "relay-event-schema user.rs::test_user_roundtrip",
    input: { user: { id: "e4e24881-8238-4539-a32b-d3c3ecd40568", email: "mail@example.org", ip_address: "{{auto}}", username: "john_doe", name: "John Doe", segment: "vip", data: { data: "value" }, other: "value" } },
    expect: [[["user"], { id: "e4e24881-8238-4539-a32b-d3c3ecd40568", email: "mail@example.org", ip_address: "{{auto}}", username: "john_doe", name: "John Doe", segment: "vip", data: { data: "value", other: "value" } }]],
  },
  { relay: "relay-event-schema user.rs::test_user_lenient_id", input: { user: { id: 42 } }, expect: [[["user"], { id: "42" }]] },
  {
    relay: "relay-event-schema user.rs::test_user_invalid_id",
    input: { user: { id: [] } },
    expect: [[["user"], { id: null }], [["_meta", "user"], { id: { "": { err: [["invalid_data", { reason: "expected a primitive value" }]], val: [] } } }]],
  },
  { relay: "relay-event-schema user.rs::test_explicit_none", input: { user: { id: null } }, expect: [[["user"], undefined]] },
];

const exceptionIs = (value: Json): [readonly Segment[], unknown][] => [[["exception", "values", 0], value]];
const EXCEPTION_RS: readonly Vector[] = [
  {
    relay: "relay-event-schema exception.rs::test_exception_roundtrip",
    input: { exception: [{ type: "mytype", value: "myvalue", module: "mymodule", thread_id: 42, other: "value" }] },
    expect: exceptionIs({ type: "mytype", value: "myvalue", module: "mymodule", thread_id: 42, other: "value" }),
  },
  { relay: "relay-event-schema exception.rs::test_exception_default_values", input: { exception: [{ type: "mytype" }] }, expect: exceptionIs({ type: "mytype" }) },
  { relay: "relay-event-schema exception.rs::test_coerces_object_value_to_string", input: { exception: [{ value: { unauthorized: true } }] }, expect: exceptionIs({ value: '{"unauthorized":true}' }) },
  { relay: "relay-event-schema exception.rs::test_explicit_none", input: { exception: [{ value: null, type: "ZeroDivisionError" }] }, expect: exceptionIs({ type: "ZeroDivisionError" }) },
];

const SCHEMA_LOGENTRY_RS: readonly Vector[] = [
  {
    relay: "relay-event-schema logentry.rs::test_logentry_roundtrip",
    input: { logentry: { message: "Hello, %s %s!", params: ["World", 1], other: "value" } },
    expect: [[["logentry"], { message: "Hello, %s %s!", formatted: "Hello, World 1!", params: ["World", 1], other: "value" }]],
  },
  { relay: "relay-event-schema logentry.rs::test_logentry_from_message", input: { message: "hi" }, expect: [[["logentry"], { formatted: "hi" }], [["message"], undefined]] },
  { relay: "relay-event-schema logentry.rs::test_logentry_named_params", input: { logentry: { message: "Hello, %s!", params: { name: "World" } } }, expect: [[["logentry"], { formatted: "Hello, %s!", params: { name: "World" } }]] },
  {
    relay: "relay-event-schema logentry.rs::test_logentry_invalid_params",
    input: { logentry: { message: "Hello, %s!", params: 42 } },
    expect: [[["logentry", "params"], null], [["_meta", "logentry", "params"], { "": { err: [["invalid_data", { reason: "expected message parameters" }]], val: 42 } }]],
  },
];

const SCHEMA_REQUEST_RS: readonly Vector[] = [
  {
    relay: "relay-event-schema request.rs::test_header_normalization",
    input: request({ headers: { "-other-": "header", accept: "application/json", "WWW-Authenticate": "basic", "x-sentry": "version=8" } }),
    expect: [[["request", "headers"], [["-Other-", "header"], ["Accept", "application/json"], ["WWW-Authenticate", "basic"], ["X-Sentry", "version=8"]]]],
  },
  { relay: "relay-event-schema request.rs::test_header_from_sequence (valid)", input: request({ headers: [["accept", "application/json"]] }), expect: [[["request", "headers"], [["Accept", "application/json"]]]] },
  {
    relay: "relay-event-schema request.rs::test_header_from_sequence (invalid entries)",
    input: request({ headers: [["accept", "application/json"], [1, 2], ["a", "b", "c"], 23] }),
    expect: [
      [["request", "headers"], [["Accept", "application/json"], [null, "2"], null, null]],
      [
        ["_meta", "request", "headers"],
        {
          1: { 0: { "": { err: [["invalid_data", { reason: "expected a string" }]], val: 1 } } },
          2: { "": { err: [["invalid_data", { reason: "expected a tuple" }]], val: ["a", "b", "c"] } },
          3: { "": { err: [["invalid_data", { reason: "expected a tuple" }]], val: 23 } },
        },
      ],
    ],
  },
  { relay: "relay-event-schema request.rs::test_query_string", input: request({ query_string: "?foo=bar&baz=42" }), expect: [[["request", "query_string"], [["foo", "bar"], ["baz", "42"]]]] },
  { relay: "relay-event-schema request.rs::test_query_string_legacy_nested", input: request({ query_string: { foo: "bar", baz: { a: 42 } } }), expect: [[["request", "query_string"], [["baz", '{"a":42}'], ["foo", "bar"]]]] },
  {
    relay: "relay-event-schema request.rs::test_query_invalid",
    input: request({ query_string: 42 }),
    expect: [[["request", "query_string"], null], [["_meta", "request", "query_string"], { "": { err: [["invalid_data", { reason: "expected a query string or map" }]], val: 42 } }]],
  },
  {
    relay: "relay-event-schema request.rs::test_cookies_parsing",
    input: request({ cookies: " PHPSESSID=298zf09hf012fh2; csrftoken=u32t4o3tb3gg43; _gat=1;" }),
    expect: [[["request", "cookies"], [["PHPSESSID", "298zf09hf012fh2"], ["csrftoken", "u32t4o3tb3gg43"], ["_gat", "1"]]]],
  },
  {
    relay: "relay-event-schema request.rs::test_cookies_array",
    input: request({ cookies: [["foo", "bar"], ["invalid", 42], ["none", null]] }),
    expect: [[["request", "cookies"], [["foo", "bar"], ["invalid", null], ["none", null]]], [["_meta", "request", "cookies"], { 1: { 1: { "": { err: [["invalid_data", { reason: "expected a string" }]], val: 42 } } } }]],
  },
  {
    relay: "relay-event-schema request.rs::test_cookies_object",
    input: request({ cookies: { foo: "bar", invalid: 42 } }),
    expect: [[["request", "cookies"], [["foo", "bar"], ["invalid", null]]], [["_meta", "request", "cookies"], { 1: { 1: { "": { err: [["invalid_data", { reason: "expected a string" }]], val: 42 } } } }]],
  },
  {
    relay: "relay-event-schema request.rs::test_cookies_invalid",
    input: request({ cookies: 42 }),
    expect: [[["request", "cookies"], null], [["_meta", "request", "cookies"], { "": { err: [["invalid_data", { reason: "expected cookies" }]], val: 42 } }]],
  },
  { relay: "relay-event-schema request.rs::test_querystring_without_value", input: request({ query_string: "foo=bar&baz" }), expect: [[["request", "query_string"], [["foo", "bar"], ["baz", ""]]]] },
  { relay: "relay-event-schema request.rs::test_headers_lenient_value", input: request({ headers: { "X-Foo": "", "X-Bar": 42 } }), expect: [[["request", "headers"], [["X-Bar", "42"], ["X-Foo", ""]]]] },
  { relay: "relay-event-schema request.rs::test_headers_multiple_values", input: request({ headers: { "X-Foo": [""], "X-Bar": [42, "bar", "baz"] } }), expect: [[["request", "headers"], [["X-Bar", "42,bar,baz"], ["X-Foo", ""]]]] },
];

const BREADCRUMB_RS: readonly Vector[] = [
  {
    relay: "relay-event-schema breadcrumb.rs::test_breadcrumb_roundtrip",
    input: { breadcrumbs: [{ timestamp: 946684800, type: "mytype", category: "mycategory", level: "fatal", message: "my message", data: { a: "b" }, event_id: "52df9022835246eeb317dbd739ccd059", c: "d" }] },
    expect: [[["breadcrumbs", "values", 0], { timestamp: 946684800.0, type: "mytype", category: "mycategory", level: "fatal", message: "my message", data: { a: "b" }, event_id: "52df9022835246eeb317dbd739ccd059", c: "d" }]],
  },
  { relay: "relay-event-schema breadcrumb.rs::test_breadcrumb_default_values", input: { breadcrumbs: [{ timestamp: 946684800 }] }, expect: [[["breadcrumbs", "values", 0], { timestamp: 946684800.0, type: "default", level: "info" }]] },
  { relay: "relay-event-schema breadcrumb.rs::test_python_ty_regression", input: { breadcrumbs: [{ timestamp: 946684800, ty: "http" }] }, expect: [[["breadcrumbs", "values", 0], { timestamp: 946684800.0, type: "http", level: "info" }]] },
];

/** Relay's test event for user agents: the User-Agent among other headers, its name in mixed case. */
const withUserAgent = (userAgent: string): Json => ({ request: { headers: [["Accept", "application/json"], ["UsEr-AgeNT", userAgent], ["WWW-Authenticate", "basic"]] } });
const withHeaders = (...headers: [string, string][]): Json => ({ request: { headers } });
/** The contexts a snapshot shows, each of the four the user agent can fill (absent: `undefined`). */
const uaContextsAre = (snapshot: Json): [readonly Segment[], unknown][] => ["browser", "device", "os", "client_os"].map((key) => [["contexts", key], snapshot[key]]);
const GOOD_UA = "Mozilla/5.0 (Linux; Android 4.0.4; Galaxy Nexus Build/IMM76B) AppleWebKit/535.19 (KHTML, like Gecko) Chrome/18.0.1025.133 Mobile Safari/535.19";
const MAC_CHROME_109 = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36";
const QUOTED_ANDROID_UA = '"Mozilla/5.0 (Linux; Android 11; foo g31(w)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Mobile Safari/537.36"';
const GALAXY_NEXUS = { family: "Samsung Galaxy Nexus", model: "Galaxy Nexus", brand: "Samsung", type: "device" };
const USER_AGENT_RS: readonly Vector[] = [
  { relay: "normalize/user_agent.rs::test_skip_no_user_agent", input: {}, expect: uaContextsAre({}) },
  { relay: "normalize/user_agent.rs::test_skip_unrecognizable_user_agent", input: withUserAgent("a dont no"), expect: uaContextsAre({}) },
  {
    relay: "normalize/user_agent.rs::test_browser_context",
    input: withUserAgent("Mozilla/5.0 (-; -; -) - Chrome/18.0.1025.133 Mobile Safari/535.19"),
    expect: uaContextsAre({ browser: { name: "Chrome Mobile", version: "18.0.1025", type: "browser" } }),
  },
  {
    relay: "normalize/user_agent.rs::test_os_context",
    input: withUserAgent("Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) - -"),
    expect: uaContextsAre({ client_os: { name: "Windows", version: "7", type: "os" } }),
  },
  {
    relay: "normalize/user_agent.rs::test_os_context_short_version",
    input: withUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) - (-)"),
    expect: uaContextsAre({
      browser: { name: "Mobile Safari UI/WKWebView", type: "browser" },
      client_os: { name: "iOS", version: "12.1", type: "os" },
      device: { family: "iPhone", model: "iPhone", brand: "Apple", type: "device" },
    }),
  },
  {
    relay: "normalize/user_agent.rs::test_os_context_full_version",
    input: withUserAgent("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_4) - (-)"),
    expect: uaContextsAre({ client_os: { name: "Mac OS X", version: "10.13.4", type: "os" }, device: { family: "Mac", model: "Mac", brand: "Apple", type: "device" } }),
  },
  { relay: "normalize/user_agent.rs::test_device_context", input: withUserAgent("- (-; -; Galaxy Nexus Build/IMM76B) - (-) "), expect: uaContextsAre({ device: GALAXY_NEXUS }) },
  {
    relay: "normalize/user_agent.rs::test_all_contexts",
    input: withUserAgent(GOOD_UA),
    expect: uaContextsAre({ browser: { name: "Chrome Mobile", version: "18.0.1025", type: "browser" }, client_os: { name: "Android", version: "4.0.4", type: "os" }, device: GALAXY_NEXUS }),
  },
  {
    relay: "normalize/user_agent.rs::test_user_agent_does_not_override_prefilled",
    input: {
      ...withUserAgent(GOOD_UA),
      contexts: {
        browser: { name: "BR_FAMILY", version: "BR_VERSION", type: "browser" },
        device: { family: "DEV_FAMILY", model: "DEV_MODEL", brand: "DEV_BRAND", type: "device" },
        os: { name: "OS_FAMILY", version: "OS_VERSION", type: "os" },
      },
    },
    expect: uaContextsAre({
      browser: { name: "BR_FAMILY", version: "BR_VERSION", type: "browser" },
      client_os: { name: "Android", version: "4.0.4", type: "os" },
      device: { family: "DEV_FAMILY", model: "DEV_MODEL", brand: "DEV_BRAND", type: "device" },
      os: { name: "OS_FAMILY", version: "OS_VERSION", type: "os" },
    }),
  },
  {
    relay: "normalize/user_agent.rs::test_fallback_to_ua_if_no_client_hints",
    input: withHeaders(["user-agent", QUOTED_ANDROID_UA], ["invalid header", "moto g31(w)"]),
    expect: [[["contexts", "device", "family"], "foo g31(w)"]],
  },
  {
    relay: "normalize/user_agent.rs::test_use_client_hints_for_device",
    input: withHeaders(["user-agent", QUOTED_ANDROID_UA], ["SEC-CH-UA-MODEL", "moto g31(w)"]),
    expect: [[["contexts", "device", "model"], "moto g31(w)"]],
  },
  { relay: "normalize/user_agent.rs::test_strip_whitespace_and_quotes", input: withHeaders(["SEC-CH-UA-MODEL", '   "moto g31(w)"']), expect: [[["contexts", "device", "model"], "moto g31(w)"]] },
  { relay: "normalize/user_agent.rs::test_ignore_empty_device", input: withHeaders(["SEC-CH-UA-MODEL", ""]), expect: [[["contexts", "device"], undefined]] },
  {
    relay: "normalize/user_agent.rs::test_client_hint_parser (Chrome)",
    input: withHeaders(["SEC-CH-UA", 'Not_A Brand";v="99", "Google Chrome";v="109", "Chromium";v="109"']),
    expect: [[["contexts", "browser", "name"], "Google Chrome"], [["contexts", "browser", "version"], "109"]],
  },
  {
    relay: "normalize/user_agent.rs::test_client_hint_parser (Opera)",
    input: withHeaders(["SEC-CH-UA", '"Chromium";v="108", "Opera";v="94", "Not)A;Brand";v="99"']),
    expect: [[["contexts", "browser", "name"], "Opera"], [["contexts", "browser", "version"], "94"]],
  },
  {
    relay: "normalize/user_agent.rs::test_client_hint_parser (mystery browser)",
    input: withHeaders(["SEC-CH-UA", '"Chromium";v="108", "mystery-browser";v="94", "Not)A;Brand";v="99"']),
    expect: [[["contexts", "browser", "name"], "mystery-browser"], [["contexts", "browser", "version"], "94"]],
  },
  {
    relay: "normalize/user_agent.rs::test_client_hints_detected",
    input: withHeaders(["user-agent", MAC_CHROME_109], ["SEC-CH-UA", 'Not_A Brand";v="99", "Google Chrome";v="109", "Chromium";v="109"']),
    expect: [[["contexts", "browser"], { name: "Google Chrome", version: "109", type: "browser" }]],
  },
  { relay: "normalize/user_agent.rs::test_ignore_empty_browser", input: withHeaders(["SEC-CH-UA", 'Not_A Brand";v="99", " ";v="109", "Chromium";v="109"']), expect: [[["contexts", "browser"], undefined]] },
  {
    relay: "normalize/user_agent.rs::test_client_hints_with_unknown_browser",
    input: withHeaders(["user-agent", MAC_CHROME_109], ["SEC-CH-UA", 'Not_A Brand";v="99", "weird browser";v="109", "Chromium";v="109"'], ["SEC-CH-UA-FULL-VERSION", "109.0.5414.87"]),
    expect: [[["contexts", "browser"], { name: "weird browser", version: "109", type: "browser" }]],
  },
  {
    relay: "normalize/user_agent.rs::fallback_on_ua_string_when_missing_browser_field",
    input: withHeaders(["user-agent", MAC_CHROME_109], ["SEC-CH-UA", 'Not_A Brand";v="99", "Chromium";v="108"']),
    expect: [[["contexts", "browser", "name"], "Chrome"], [["contexts", "browser", "version"], "109.0.0"]],
  },
  {
    relay: "normalize/user_agent.rs::test_strip_quotes",
    input: withHeaders(["SEC-CH-UA-PLATFORM", '"macOS"'], ["SEC-CH-UA-PLATFORM-VERSION", '"13.1.0"']),
    expect: [[["contexts", "client_os", "name"], "macOS"], [["contexts", "client_os", "version"], "13.1.0"]],
  },
  {
    relay: "normalize/user_agent.rs::test_choose_client_hints_for_os_context",
    input: withHeaders(["user-agent", MAC_CHROME_109], ["SEC-CH-UA-PLATFORM", "macOS"], ["SEC-CH-UA-PLATFORM-VERSION", "13.1.0"]),
    expect: [[["contexts", "client_os"], { name: "macOS", version: "13.1.0", type: "os" }]],
  },
  { relay: "normalize/user_agent.rs::test_ignore_empty_os", input: withHeaders(["SEC-CH-UA-PLATFORM", ""]), expect: [[["contexts", "client_os"], undefined]] },
  { relay: "normalize/user_agent.rs::test_keep_empty_os_version", input: withHeaders(["SEC-CH-UA-PLATFORM", "macOs"], ["SEC-CH-UA-PLATFORM-VERSION", ""]), expect: [[["contexts", "client_os", "name"], "macOs"]] },
  {
    relay: "normalize/user_agent.rs::test_fallback_on_ua_string_for_os",
    input: withHeaders(
      ["user-agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36"],
      ["invalid header", "macOS"],
      ["SEC-CH-UA-PLATFORM-VERSION", "13.1.0"],
    ),
    expect: [[["contexts", "client_os"], { name: "Mac OS X", version: "10.15.6", type: "os" }]],
  },
  {
    relay: "normalize/user_agent.rs::test_indicate_frozen_os_windows",
    input: withHeaders(["user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/111.0.0.0 Safari/537.36"]),
    expect: [[["contexts", "client_os", "version"], ">=10"]],
  },
  { relay: "normalize/user_agent.rs::test_indicate_frozen_os_mac", input: withHeaders(["user-agent", MAC_CHROME_109]), expect: [[["contexts", "client_os", "version"], ">=10.15.7"]] },
];

const TABLES: readonly (readonly [string, readonly Vector[]])[] = [
  ["normalize/mod.rs", NORMALIZE_MOD],
  ["event.rs", EVENT_RS],
  ["timestamp.rs", TIMESTAMP_RS],
  ["clock_drift.rs", CLOCK_DRIFT_RS],
  ["schema.rs", SCHEMA_RS],
  ["stacktrace.rs", STACKTRACE_RS],
  ["logentry.rs", LOGENTRY_RS],
  ["normalize/request.rs", REQUEST_RS],
  ["trimming.rs", TRIMMING_RS],
  ["normalize/contexts.rs", CONTEXTS_RS],
  ["relay-event-schema tags.rs", TAGS_RS],
  ["relay-event-schema fingerprint.rs", FINGERPRINT_RS],
  ["relay-event-schema types.rs", TYPES_RS],
  ["relay-event-schema user.rs", USER_RS],
  ["relay-event-schema exception.rs", EXCEPTION_RS],
  ["relay-event-schema logentry.rs", SCHEMA_LOGENTRY_RS],
  ["relay-event-schema request.rs", SCHEMA_REQUEST_RS],
  ["relay-event-schema breadcrumb.rs", BREADCRUMB_RS],
  ["normalize/user_agent.rs", USER_AGENT_RS],
];

describe.each(TABLES)("Relay vectors from %s", (_file, vectors) => {
  it.each(vectors.map((vector) => [vector.relay, vector] as const))("%s", (_name, vector) => {
    check(vector);
  });
});

describe("Relay vectors from trimming.rs (the string cut on its own)", () => {
  it("trimming.rs::test_string_trimming", () => {
    const meta = new EventMeta(undefined);
    expect(trimString("This is my long string I want to have trimmed!", { limit: 20 }, { meta, path: ["value"] })).toBe("This is my long s...");
    expect(meta.toJson()).toEqual({ value: { "": { rem: [["!limit", "s", 17, 20]], len: 46 } } });
  });
});

describe("Relay vectors from normalize/user_agent.rs (the version joined on its own)", () => {
  it.each([
    ["test_version_none", [undefined, undefined, undefined], undefined],
    ["test_version_major", ["X", undefined, undefined], "X"],
    ["test_version_major_minor", ["X", "Y", undefined], "X.Y"],
    ["test_version_major_minor_patch", ["X", "Y", "Z"], "X.Y.Z"],
    ["test_verison_missing_minor", ["X", undefined, "Z"], "X"],
  ] as const)("normalize/user_agent.rs::%s", (_name, [major, minor, patch], expected) => {
    expect(formatVersion(major, minor, patch)).toBe(expected);
  });
});
