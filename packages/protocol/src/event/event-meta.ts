/** One error recorded in `_meta`: a bare kind, or a kind with details (`["invalid_data", {"reason": ...}]`). */
export type MetaError = string | [string, Record<string, unknown>];

/** A remark in `_meta`: `[rule, type]` or `[rule, type, start, end]`, as Relay writes them. */
export type MetaRemark = [string, string] | [string, string, number, number];

/** A key of a value inside the event: an object key or an array index. */
export type MetaPathSegment = string | number;

type Json = Record<string, unknown>;

/** Relay keeps an original value only when its JSON is smaller than this many bytes. */
const MAX_ORIGINAL_VALUE_SIZE = 500;

/** An error for a value of the wrong type, as Relay words it (`expected a string`). */
export function expected(what: string): MetaError {
  return ["invalid_data", { reason: `expected ${what}` }];
}

/** An invalid value with a reason. */
export function invalid(reason: string): MetaError {
  return ["invalid_data", { reason }];
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets an own property even for names like `__proto__`, which plain assignment would treat specially. */
export function setOwn(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The size of `value` as JSON in UTF-8 bytes, counted only up to `limit` (anything at or over the
 * limit returns `limit`), so that deep or huge values cost nothing to measure.
 */
export function boundedJsonSize(value: unknown, limit: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && size < limit) {
    const next = stack.pop();
    if (next === null || next === undefined) size += 4;
    else if (typeof next === "string") size += Buffer.byteLength(next, "utf8") + 2;
    else if (typeof next === "number") size += Number.isFinite(next) ? String(next).length : 4;
    else if (typeof next === "boolean") size += next ? 4 : 5;
    else if (Array.isArray(next)) {
      size += 2 + Math.max(0, next.length - 1);
      for (const item of next) stack.push(item);
    } else if (typeof next === "object") {
      const keys = Object.keys(next);
      size += 2 + Math.max(0, keys.length - 1);
      for (const key of keys) {
        size += Buffer.byteLength(key, "utf8") + 3;
        stack.push((next as Json)[key]);
      }
    } else size += 4;
  }
  return Math.min(size, limit);
}

/**
 * The `_meta` tree of an event being normalized. It starts from the event's own `_meta` (SDKs
 * send some) and copies a node before the first change to it, so the input is never modified.
 */
export class EventMeta {
  private root: Json;
  private readonly owned = new WeakSet<object>();

  constructor(initial: unknown) {
    this.root = isObject(initial) ? { ...initial } : {};
    this.owned.add(this.root);
  }

  private own(parent: Json, key: string): Json {
    const current = parent[key];
    if (isObject(current) && this.owned.has(current)) return current;
    const copy: Json = isObject(current) ? { ...current } : {};
    this.owned.add(copy);
    setOwn(parent, key, copy);
    return copy;
  }

  /** The meta entry (the `""` object) of the value at `path`, created when missing. */
  private entry(path: readonly MetaPathSegment[]): Json {
    let node = this.root;
    for (const segment of path) node = this.own(node, String(segment));
    return this.own(node, "");
  }

  /** Records an error on the value at `path`. */
  addError(path: readonly MetaPathSegment[], error: MetaError): void {
    const entry = this.entry(path);
    const errors = Array.isArray(entry.err) ? [...(entry.err as unknown[])] : [];
    errors.push(error);
    entry.err = errors;
  }

  /** Keeps the original of a removed or replaced value, when it is small enough (as Relay does). */
  setOriginal(path: readonly MetaPathSegment[], value: unknown): void {
    if (boundedJsonSize(value, MAX_ORIGINAL_VALUE_SIZE) >= MAX_ORIGINAL_VALUE_SIZE) return;
    this.entry(path).val = value === undefined ? null : value;
  }

  /** Records a remark (what was changed, by which rule) on the value at `path`. */
  addRemark(path: readonly MetaPathSegment[], remark: MetaRemark): void {
    const entry = this.entry(path);
    const remarks = Array.isArray(entry.rem) ? [...(entry.rem as unknown[])] : [];
    remarks.push(remark);
    entry.rem = remarks;
  }

  /** Records the original length (characters or items) of a value that was shortened. */
  setLength(path: readonly MetaPathSegment[], length: number): void {
    const entry = this.entry(path);
    if (entry.len === undefined) entry.len = length;
  }

  /** Whether the value at `path` already has errors. */
  hasErrors(path: readonly MetaPathSegment[]): boolean {
    let node: unknown = this.root;
    for (const segment of path) {
      if (!isObject(node)) return false;
      node = node[String(segment)];
    }
    if (!isObject(node)) return false;
    const entry = node[""];
    return isObject(entry) && Array.isArray(entry.err) && entry.err.length > 0;
  }

  /**
   * Forgets what was recorded inside the value at `path` (its own entry stays): when Relay
   * removes a whole value, the notes on its parts go with it.
   */
  clearInside(path: readonly MetaPathSegment[]): void {
    if (!this.has(path)) return;
    let node = this.root;
    for (const segment of path) node = this.own(node, String(segment));
    for (const key of Object.keys(node)) if (key !== "") Reflect.deleteProperty(node, key);
  }

  /** Whether anything is recorded for the value at `path` or inside it. */
  has(path: readonly MetaPathSegment[]): boolean {
    let node: unknown = this.root;
    for (const segment of path) {
      if (!isObject(node)) return false;
      node = node[String(segment)];
    }
    return isObject(node) && Object.keys(node).length > 0;
  }

  /** The tree, or `undefined` when nothing was recorded. */
  toJson(): Json | undefined {
    return Object.keys(this.root).length > 0 ? this.root : undefined;
  }
}
