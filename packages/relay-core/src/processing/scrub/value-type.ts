/**
 * The kinds of value a selector can name with `$…`, as bit flags: JSON kinds (`$string`,
 * `$object`, …) and the kinds of the event schema (`$frame`, `$http`, `$error`, …). The bit order
 * is the declaration order Sentry's Relay sorts selectors by.
 */
export const VT = {
  string: 1 << 0,
  binary: 1 << 1,
  number: 1 << 2,
  boolean: 1 << 3,
  datetime: 1 << 4,
  array: 1 << 5,
  object: 1 << 6,
  event: 1 << 7,
  attachments: 1 << 8,
  replay: 1 << 9,
  exception: 1 << 10,
  stacktrace: 1 << 11,
  frame: 1 << 12,
  request: 1 << 13,
  user: 1 << 14,
  logentry: 1 << 15,
  message: 1 << 16,
  thread: 1 << 17,
  breadcrumb: 1 << 18,
  log: 1 << 19,
  traceMetric: 1 << 20,
  span: 1 << 21,
  sdk: 1 << 22,
  minidump: 1 << 23,
  heapMemory: 1 << 24,
  stackMemory: 1 << 25,
} as const;

/** Kinds that are plain JSON shapes: never part of a specific path to a `pii=maybe` field. */
export const BASIC_VALUE_TYPES = VT.string | VT.binary | VT.number | VT.boolean | VT.datetime | VT.array | VT.object;

/** The names of each kind, the one Relay writes first. */
const NAMES: Readonly<Record<string, number>> = {
  string: VT.string,
  binary: VT.binary,
  number: VT.number,
  boolean: VT.boolean,
  bool: VT.boolean,
  datetime: VT.datetime,
  array: VT.array,
  list: VT.array,
  object: VT.object,
  event: VT.event,
  attachments: VT.attachments,
  replay: VT.replay,
  error: VT.exception,
  exception: VT.exception,
  stack: VT.stacktrace,
  stacktrace: VT.stacktrace,
  frame: VT.frame,
  http: VT.request,
  request: VT.request,
  user: VT.user,
  logentry: VT.logentry,
  message: VT.message,
  thread: VT.thread,
  breadcrumb: VT.breadcrumb,
  log: VT.log,
  trace_metric: VT.traceMetric,
  span: VT.span,
  sdk: VT.sdk,
  minidump: VT.minidump,
  heap_memory: VT.heapMemory,
  stack_memory: VT.stackMemory,
};

const DISPLAY = new Map<number, string>();
for (const [name, flag] of Object.entries(NAMES)) if (!DISPLAY.has(flag)) DISPLAY.set(flag, name);

/** The name Relay writes for a kind's flag (`$http` for requests, `$error` for exceptions). */
export function valueTypeName(flag: number): string {
  return DISPLAY.get(flag) ?? "unknown";
}

/** The flag of a `$name` value type (without the `$`), or `undefined` for an unknown name. */
export function parseValueType(name: string): number | undefined {
  return Object.hasOwn(NAMES, name) ? NAMES[name] : undefined;
}

/** The JSON kind of a value as a flag (`0` for `null`). */
export function jsonValueType(value: unknown): number {
  switch (typeof value) {
    case "string":
      return VT.string;
    case "number":
      return VT.number;
    case "boolean":
      return VT.boolean;
    case "object":
      if (value === null) return 0;
      return Array.isArray(value) ? VT.array : VT.object;
    default:
      return 0;
  }
}
