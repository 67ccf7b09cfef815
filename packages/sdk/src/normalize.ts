import { types } from "node:util";

/** Options of {@link normalize}. */
export interface NormalizeOptions {
  /** Levels of objects kept; deeper objects become `[Object]`, `[Array]`, `[ClassName]` (default 3). */
  readonly depth?: number;
  /** Properties or elements kept per object or array; the rest becomes `[MaxProperties ~]` (default 1000). */
  readonly maxBreadth?: number;
  /**
   * Characters of strings kept in the whole result, roughly; the string that reaches the limit is
   * cut and ends with `…`. Bounds the memory a huge input can cost before the size cap looks at
   * it. Give the same {@link CharBudget} to several calls to share one limit between them.
   */
  readonly maxChars?: number | CharBudget;
  /** Characters kept of any one string. */
  readonly maxStringLength?: number;
}

/** Characters left to several {@link normalize} calls together. */
export interface CharBudget {
  remaining: number;
}

/** Longest key kept; a longer one is cut. */
const MAX_KEY_LENGTH = 256;

/** Default of {@link NormalizeOptions.depth}, as `normalizeDepth` in sentry-javascript. */
export const DEFAULT_NORMALIZE_DEPTH = 3;
/** Default of {@link NormalizeOptions.maxBreadth}, as `normalizeMaxBreadth` in sentry-javascript. */
export const DEFAULT_NORMALIZE_MAX_BREADTH = 1000;

interface State {
  readonly maxBreadth: number;
  readonly maxStringLength: number;
  /** Objects on the path from the root: seeing one again is a cycle. */
  readonly ancestors: Set<object>;
  readonly budget: CharBudget;
}

/** A description of a thrown value that never throws itself. */
export function describeThrown(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    return "unprintable error";
  }
}

/** `String(value)` that never throws (a Proxy or a throwing `toString` gives a placeholder). */
export function safeString(value: unknown): string {
  try {
    if (typeof value === "string") return value;
    if (typeof value === "object" && value !== null) {
      const normalized = normalize(value, { depth: 1, maxChars: 10_000 });
      return typeof normalized === "string" ? normalized : JSON.stringify(normalized);
    }
    return String(value);
  } catch {
    return "**non-serializable**";
  }
}

function nonSerializable(error: unknown): string {
  return `**non-serializable** (${describeThrown(error)})`;
}

function constructorName(value: object): string {
  try {
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
    if (!proto) return "null prototype";
    const name = proto.constructor?.name;
    return typeof name === "string" && name !== "" ? name : "Object";
  } catch {
    return "Object";
  }
}

function functionName(fn: unknown): string {
  try {
    const name = (fn as { name?: unknown }).name;
    return typeof name === "string" && name !== "" ? name : "<anonymous>";
  } catch {
    return "<anonymous>";
  }
}

function cutString(text: string, state: State): string {
  const limit = Math.min(state.maxStringLength, state.budget.remaining);
  if (text.length <= limit) {
    state.budget.remaining -= text.length;
    return text;
  }
  const kept = Math.max(0, limit);
  state.budget.remaining -= kept;
  return `${text.slice(0, kept)}…`;
}

function cutKey(key: string): string {
  return key.length > MAX_KEY_LENGTH ? `${key.slice(0, MAX_KEY_LENGTH)}…` : key;
}

function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, so that a key named `__proto__` stays data instead of changing the prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** DOM nodes (from jsdom, happy-dom or a browser) say what they are instead of exposing their tree. */
function domNodeLabel(value: object): string | undefined {
  const node = value as { nodeType?: unknown; nodeName?: unknown; id?: unknown; className?: unknown };
  if (typeof node.nodeType !== "number" || typeof node.nodeName !== "string") return undefined;
  if (node.nodeType === 9) return "[Document]";
  if (node.nodeType !== 1) return `[Node: ${node.nodeName}]`;
  let label = node.nodeName.toLowerCase();
  if (typeof node.id === "string" && node.id !== "") label += `#${node.id}`;
  if (typeof node.className === "string" && node.className.trim() !== "") label += `.${node.className.trim().split(/\s+/).join(".")}`;
  return `[Element: ${label}]`;
}

function isEventLike(value: object): value is Event {
  return typeof Event !== "undefined" && value instanceof Event;
}

/** Labels for objects that have no useful JSON of their own; undefined for those to walk into. */
function objectLabel(value: object): string | undefined {
  if (value === globalThis) return "[Global]";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "[Invalid Date]" : value.toISOString();
  if (value instanceof RegExp) return `[RegExp: ${String(value)}]`;
  if (value instanceof Promise) return "[Promise]";
  if (value instanceof WeakMap) return "[WeakMap]";
  if (value instanceof WeakSet) return "[WeakSet]";
  if (value instanceof WeakRef) return "[WeakRef]";
  if (types.isAnyArrayBuffer(value)) return `[${constructorName(value)}(${value.byteLength} bytes)]`;
  if (value instanceof DataView) return `[DataView(${value.byteLength} bytes)]`;
  return domNodeLabel(value);
}

/** The own enumerable entries to walk, after making Errors, Events, Maps and Sets walkable. */
function entriesOf(value: object, limit: number): { entries: Iterable<readonly [string, unknown]>; array: boolean } {
  if (types.isTypedArray(value)) {
    const items = value as unknown as ArrayLike<number | bigint>;
    return { entries: indexed(items), array: true };
  }
  if (Array.isArray(value)) return { entries: indexed(value as unknown[]), array: true };
  if (value instanceof Set) return { entries: indexed(take(value as Set<unknown>, limit)), array: true };
  if (value instanceof Map) {
    const pairs = take(value as Map<unknown, unknown>, limit).map(([key, inner]): [string, unknown] => [typeof key === "string" ? key : mapKey(key), inner]);
    return { entries: pairs, array: false };
  }
  const own = ownEntries(value, limit);
  if (value instanceof Error) {
    const error = value as Error & { cause?: unknown };
    const base: [string, unknown][] = [["name", error.name], ["message", error.message], ["stack", error.stack]];
    if ("cause" in error) base.push(["cause", error.cause]);
    return { entries: [...base, ...own.filter(([key]) => !["name", "message", "stack", "cause"].includes(key))], array: false };
  }
  if (isEventLike(value)) {
    const event = value as Event & { detail?: unknown };
    const base: [string, unknown][] = [["type", event.type], ["target", event.target], ["currentTarget", event.currentTarget]];
    if ("detail" in event) base.push(["detail", event.detail]);
    return { entries: [...base, ...own], array: false };
  }
  return { entries: own, array: false };
}

function mapKey(key: unknown): string {
  if (typeof key === "object" && key !== null) return `[object ${constructorName(key)}]`;
  if (typeof key === "function") return `[Function: ${functionName(key)}]`;
  if (typeof key === "symbol") return `[${String(key)}]`;
  return String(key);
}

function* indexed<T>(items: ArrayLike<T>): Iterable<readonly [string, T]> {
  for (let index = 0; index < items.length; index++) yield [String(index), items[index] as T];
}

/** The first `limit` items of an iterable: a huge Map or Set is not copied whole. */
function take<T>(items: Iterable<T>, limit: number): T[] {
  const out: T[] = [];
  for (const item of items) {
    if (out.length >= limit) break;
    out.push(item);
  }
  return out;
}

function ownEntries(value: object, limit: number): [string, unknown][] {
  const entries: [string, unknown][] = [];
  // Getters beyond the breadth limit are never called, and a huge object is not listed whole.
  for (const key in value) {
    if (entries.length >= limit) break;
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    let inner: unknown;
    try {
      inner = (value as Record<string, unknown>)[key];
    } catch (error) {
      inner = nonSerializable(error);
    }
    entries.push([key, inner]);
  }
  return entries;
}

function visit(value: unknown, depth: number, state: State): unknown {
  switch (typeof value) {
    case "string":
      return cutString(value, state);
    case "boolean":
    case "undefined":
      return value;
    case "number":
      return Number.isFinite(value) ? value : `[${String(value)}]`;
    case "bigint":
      return `[BigInt: ${String(value)}]`;
    case "symbol":
      return `[${String(value)}]`;
    case "function":
      return `[Function: ${functionName(value)}]`;
    default:
      break;
  }
  if (value === null) return null;
  const object = value as object;
  try {
    const label = objectLabel(object);
    if (label !== undefined) return cutString(label, state);
    if (depth <= 0) return `[${Array.isArray(object) ? "Array" : constructorName(object)}]`;
    if (state.ancestors.has(object)) return "[Circular ~]";
    state.ancestors.add(object);
    try {
      return walk(object, depth, state);
    } finally {
      state.ancestors.delete(object);
    }
  } catch (error) {
    return nonSerializable(error);
  }
}

function walk(object: object, depth: number, state: State): unknown {
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function" && !types.isTypedArray(object)) {
    try {
      return visit((toJSON as () => unknown).call(object), depth - 1, state);
    } catch {
      // A toJSON that throws: describe the object from its own properties instead.
    }
  }
  const { entries, array } = entriesOf(object, state.maxBreadth + 1);
  if (array) {
    const out: unknown[] = [];
    for (const [, inner] of entries) {
      if (out.length >= state.maxBreadth) {
        out.push("[MaxProperties ~]");
        break;
      }
      out.push(visit(inner, depth - 1, state));
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, inner] of entries) {
    if (count >= state.maxBreadth) {
      setKey(out, cutKey(key), "[MaxProperties ~]");
      break;
    }
    setKey(out, cutKey(key), visit(inner, depth - 1, state));
    count += 1;
  }
  return out;
}

/**
 * Turns any JavaScript value into one that `JSON.stringify` takes without throwing and without
 * losing what it was: cycles become `[Circular ~]`, BigInts `[BigInt: 1]`, symbols `[Symbol(x)]`,
 * functions `[Function: name]`, `NaN` `[NaN]`; Errors keep `name`, `message`, `stack`, `cause`;
 * Maps become objects and Sets arrays; typed arrays become arrays of numbers; a getter (or Proxy
 * trap) that throws gives `**non-serializable** (…)` for that property only; objects below
 * `depth` become `[ClassName]` and entries beyond `maxBreadth` `[MaxProperties ~]`. Never throws.
 */
export function normalize(input: unknown, options: NormalizeOptions = {}): unknown {
  const maxChars = options.maxChars ?? Number.POSITIVE_INFINITY;
  const state: State = {
    maxBreadth: options.maxBreadth ?? DEFAULT_NORMALIZE_MAX_BREADTH,
    maxStringLength: options.maxStringLength ?? Number.POSITIVE_INFINITY,
    ancestors: new Set(),
    budget: typeof maxChars === "number" ? { remaining: maxChars } : maxChars,
  };
  try {
    return visit(input, options.depth ?? DEFAULT_NORMALIZE_DEPTH, state);
  } catch (error) {
    // Only a stack overflow from a pathological toJSON chain gets here.
    return nonSerializable(error);
  }
}
