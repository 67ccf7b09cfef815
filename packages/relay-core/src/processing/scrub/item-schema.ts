import { attributePii } from "./attribute-pii.js";
import type { Pii } from "./selector.js";
import { VT } from "./value-type.js";

/**
 * What the scrubber knows of a value's place in Sentry's schema: its `pii` attribute (as Relay's
 * event schema marks each field), its schema kind for `$…` selectors, and how to descend.
 */
export interface SchemaNode {
  readonly pii: Pii;
  /** The schema kind of an object at this place (`$frame`, `$http`, …); JSON kinds otherwise. */
  readonly types?: number;
  /** Kinds a string at this place has beside `$string` (a log entry's message is also `$message`). */
  readonly stringTypes?: number;
  /** Known fields of a structure. */
  readonly fields?: Readonly<Record<string, SchemaNode>>;
  /** Fields not listed, values of a map, elements of an array. */
  readonly other?: SchemaNode;
  /** A list of `[key, value]` pairs (headers, cookies, tags), entered by key. */
  readonly pairs?: boolean;
  /** Attributes of logs and spans: `{name: {type, value}}`. */
  readonly attributes?: boolean;
  /** A native image path: only its directory is scrubbed, its file name is kept (debug images' `code_file`, `debug_file`). */
  readonly imagePath?: boolean;
  /** Picks a child's node by its key and value, where the schema depends on the value (contexts by their type). */
  readonly select?: (key: string, value: unknown) => SchemaNode;
}

const TRUE: SchemaNode = { pii: "true" };
const MAYBE: SchemaNode = { pii: "maybe" };
const FALSE: SchemaNode = { pii: "false" };

/** A structure with typed fields; unknown fields default to `pii=true` as Relay's `other` maps do. */
function struct(types: number | undefined, fields: Record<string, SchemaNode>, other: SchemaNode = TRUE): SchemaNode {
  return types === undefined ? { pii: "false", fields, other } : { pii: "false", types, fields, other };
}

function falseFields(...names: string[]): Record<string, SchemaNode> {
  return Object.fromEntries(names.map((name) => [name, FALSE]));
}

/** A `{values: [...]}` wrapper that SDKs may also send as a bare array. */
function values(item: SchemaNode): SchemaNode {
  return { pii: "false", fields: { values: { pii: "false", other: item } }, other: item };
}

/** The children of a data bag inherit its `pii` attribute. */
export function childOf(node: SchemaNode, key: string | undefined): SchemaNode {
  if (key !== undefined && node.fields && Object.hasOwn(node.fields, key)) return node.fields[key]!;
  if (node.other) return node.other;
  return node.fields ? TRUE : node.pii === "true" ? TRUE : node.pii === "maybe" ? MAYBE : FALSE;
}

const PAIRS_TRUE: SchemaNode = { pii: "true", pairs: true };
const PAIRS_MAYBE: SchemaNode = { pii: "maybe", pairs: true };

const ATTRIBUTE_NODES: Readonly<Record<Pii, SchemaNode>> = {
  true: { pii: "false", fields: { type: FALSE, value: TRUE }, other: FALSE },
  maybe: { pii: "false", fields: { type: FALSE, value: MAYBE }, other: FALSE },
  false: { pii: "false", fields: { type: FALSE, value: FALSE }, other: FALSE },
};

/** Attributes of a span or log; each attribute's value as personal as the Sentry conventions say. */
const ATTRIBUTES: SchemaNode = {
  pii: "true",
  attributes: true,
  other: ATTRIBUTE_NODES.true,
  select: (name) => ATTRIBUTE_NODES[attributePii(name)],
};

const USER = struct(VT.user, {
  id: TRUE,
  email: TRUE,
  ip_address: TRUE,
  username: TRUE,
  name: TRUE,
  geo: TRUE,
  segment: TRUE,
  data: TRUE,
  sentry_user: TRUE,
});

const REQUEST = struct(VT.request, {
  url: MAYBE,
  method: FALSE,
  data: TRUE,
  query_string: PAIRS_TRUE,
  fragment: TRUE,
  cookies: PAIRS_TRUE,
  headers: PAIRS_TRUE,
  body_size: FALSE,
  env: TRUE,
  inferred_content_type: FALSE,
  api_target: FALSE,
  protocol: FALSE,
});

const FRAME = struct(VT.frame, {
  ...falseFields("lineno", "colno", "platform", "in_app", "instruction_addr", "addr_mode", "symbol_addr", "image_addr", "function_id", "trust", "lang", "stack_start", "lock", "parent_index"),
  function: MAYBE,
  raw_function: MAYBE,
  symbol: MAYBE,
  module: MAYBE,
  package: MAYBE,
  filename: MAYBE,
  abs_path: MAYBE,
  pre_context: MAYBE,
  context_line: MAYBE,
  post_context: MAYBE,
  vars: TRUE,
  data: TRUE,
});

const STACKTRACE = struct(VT.stacktrace, { frames: { pii: "false", other: FRAME }, registers: TRUE, frames_omitted: FALSE, lang: FALSE, snapshot: FALSE, instruction_addr_adjustment: FALSE });

const EXCEPTION = struct(VT.exception, {
  type: MAYBE,
  value: TRUE,
  module: MAYBE,
  stacktrace: STACKTRACE,
  raw_stacktrace: STACKTRACE,
  thread_id: FALSE,
  mechanism: struct(undefined, { data: TRUE }, FALSE),
});

const THREAD = struct(VT.thread, { ...falseFields("id", "crashed", "current", "main", "state", "held_locks"), name: MAYBE, stacktrace: STACKTRACE, raw_stacktrace: STACKTRACE });

const BREADCRUMB = struct(VT.breadcrumb, { ...falseFields("timestamp", "type", "level", "event_id"), category: MAYBE, message: TRUE, data: TRUE });

const MESSAGE: SchemaNode = { pii: "true", stringTypes: VT.message };
const LOGENTRY = struct(VT.logentry, { message: MESSAGE, formatted: MESSAGE, params: TRUE });

const SDK = struct(VT.sdk, { client_ip: TRUE }, FALSE);

/** Span data and attributes holding what an AI model was sent and answered: personal only when a rule names them. */
export const GEN_AI_PAYLOAD_FIELDS: readonly string[] = [
  "gen_ai.input.messages",
  "gen_ai.prompt",
  "gen_ai.request.messages",
  "gen_ai.tool.call.arguments",
  "gen_ai.tool.input",
  "gen_ai.tool.call.result",
  "gen_ai.tool.output",
  "gen_ai.output.messages",
  "gen_ai.response.tool_calls",
  "gen_ai.response.text",
  "gen_ai.response.object",
  "gen_ai.tool.definitions",
  "gen_ai.request.available_tools",
  "gen_ai.tool.name",
];

/** Fields of span data the product reads: some only reachable by explicit selectors, some never personal. */
const SPAN_DATA_FIELDS: Record<string, SchemaNode> = {
  ...Object.fromEntries(["code.filepath", "code.lineno", "code.function", "code.namespace"].map((name) => [name, MAYBE])),
  ...Object.fromEntries(GEN_AI_PAYLOAD_FIELDS.map((name) => [name, MAYBE])),
  ...falseFields("ai.completion_tokens.used", "ai.prompt_tokens.used", "ai.total_tokens.used"),
};

/** A span's `data` (and the trace context's): arbitrary values are personal, the product's fields as marked. */
function spanData(pii: Pii): SchemaNode {
  return { pii, fields: SPAN_DATA_FIELDS, other: TRUE };
}

/** A context Relay knows by its type: only the fields it marks are scrubbed by default, the rest only by explicit selectors. */
function knownContext(fields: Record<string, SchemaNode> = {}): SchemaNode {
  return { pii: "false", fields: { type: FALSE, ...fields }, other: MAYBE };
}

const TRACE_CONTEXT = struct(undefined, { ...falseFields("trace_id", "span_id", "parent_span_id", "op", "status", "origin", "type", "sampled", "exclusive_time", "client_sample_rate"), data: spanData("maybe") }, MAYBE);

/** User feedback: the address its author gave to be answered at is never scrubbed (`pii=false` in Relay). */
const FEEDBACK_CONTEXT = struct(undefined, { contact_email: FALSE });

const KNOWN_CONTEXTS: Readonly<Record<string, SchemaNode>> = {
  trace: TRACE_CONTEXT,
  feedback: FEEDBACK_CONTEXT,
  response: knownContext({ cookies: PAIRS_TRUE, headers: PAIRS_TRUE, data: TRUE }),
  ...Object.fromEntries(
    [
      "device",
      "os",
      "runtime",
      "app",
      "browser",
      "gpu",
      "profile",
      "replay",
      "flags",
      "memory_info",
      "monitor",
      "reprocessing",
      "otel",
      "cloudresource",
      "culture",
      "performancescore",
      "spring",
      "threadpool_info",
      "otaupdates",
      "chromiumstabilityreport",
      "unity",
    ].map((type) => [type, knownContext()]),
  ),
};

/** A context's type as Relay reads it: its `type` field when that is a non-empty string, else its key. */
export function contextType(key: string, context: Record<string, unknown>): string {
  return typeof context.type === "string" && context.type !== "" ? context.type : key;
}

/** Contexts are typed by their `type` (or key); contexts Relay does not know are personal throughout. */
const CONTEXTS: SchemaNode = {
  // The map itself is not personal: `$object` selects the contexts in it, never the whole map.
  pii: "false",
  other: TRUE,
  select: (key, value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return TRUE;
    const type = contextType(key, value as Record<string, unknown>);
    return Object.hasOwn(KNOWN_CONTEXTS, type) ? KNOWN_CONTEXTS[type]! : TRUE;
  },
};

const SPAN = struct(VT.span, {
  ...falseFields("op", "span_id", "parent_span_id", "trace_id", "start_timestamp", "timestamp", "status", "origin", "exclusive_time", "measurements", "segment_id", "is_segment", "profile_id", "same_process_as_parent", "_metrics_summary", "links", "received", "platform", "kind"),
  description: MAYBE,
  data: spanData("true"),
  tags: MAYBE,
  sentry_tags: TRUE,
  // Fields beyond the schema are kept for forward compatibility and reached only by explicit selectors.
}, MAYBE);

const IMAGE_PATH: SchemaNode = { pii: "maybe", imagePath: true };
const DEBUG_META = struct(undefined, { images: { pii: "false", other: struct(undefined, { code_file: IMAGE_PATH, debug_file: IMAGE_PATH }, FALSE) } }, FALSE);

/** Events, transactions and user feedback: the schema of Relay's `Event`. */
export const EVENT_SCHEMA: SchemaNode = struct(VT.event, {
  ...falseFields(
    "event_id",
    "level",
    "version",
    "type",
    "fingerprint",
    "transaction",
    "transaction_info",
    "time_spent",
    "logger",
    "modules",
    "platform",
    "timestamp",
    "start_timestamp",
    "received",
    "release",
    "dist",
    "environment",
    "measurements",
    "breakdowns",
    "errors",
    "key_id",
    "project",
    "grouping_config",
    "_metrics",
    "_dsc",
    "scraping_attempts",
    "sdk_info",
  ),
  culprit: MAYBE,
  server_name: TRUE,
  logentry: LOGENTRY,
  user: USER,
  request: REQUEST,
  contexts: CONTEXTS,
  breadcrumbs: values(BREADCRUMB),
  exception: values(EXCEPTION),
  stacktrace: STACKTRACE,
  threads: values(THREAD),
  tags: PAIRS_MAYBE,
  extra: TRUE,
  debug_meta: DEBUG_META,
  sdk: SDK,
  spans: { pii: "false", other: SPAN },
});

/** A standalone span (`span` item, and each span of a transaction). */
export const SPAN_SCHEMA: SchemaNode = SPAN;

/** A span of the v2 span container (`{"items": [...]}`). */
export const SPAN_V2_SCHEMA: SchemaNode = struct(
  VT.span,
  {
    ...falseFields("trace_id", "span_id", "parent_span_id", "status", "is_segment", "is_remote", "start_timestamp", "end_timestamp", "kind"),
    name: MAYBE,
    links: MAYBE,
    attributes: ATTRIBUTES,
  },
  MAYBE,
);

/** A log of the log container (`{"items": [...]}`). */
export const LOG_SCHEMA: SchemaNode = struct(
  VT.log,
  {
    ...falseFields("timestamp", "trace_id", "span_id", "level", "severity_number", "severity_text"),
    body: TRUE,
    attributes: ATTRIBUTES,
  },
  MAYBE,
);

/** A cron check-in: nothing personal but what SDKs add beyond the schema. */
export const CHECK_IN_SCHEMA: SchemaNode = struct(undefined, {
  ...falseFields("check_in_id", "monitor_slug", "status", "environment", "duration", "monitor_config", "release"),
  contexts: CONTEXTS,
});

/** A session replay's event. */
export const REPLAY_SCHEMA: SchemaNode = struct(VT.replay, {
  ...falseFields("event_id", "replay_id", "segment_id", "type", "replay_type", "timestamp", "replay_start_timestamp", "trace_ids", "error_ids", "platform", "release", "dist", "environment", "errors"),
  urls: TRUE,
  user: USER,
  request: REQUEST,
  contexts: CONTEXTS,
  tags: PAIRS_MAYBE,
  sdk: SDK,
  extra: TRUE,
});

/** The legacy user feedback (`user_report`). */
export const USER_REPORT_SCHEMA: SchemaNode = struct(undefined, { event_id: FALSE, name: TRUE, email: TRUE, comments: TRUE });
