import type { EventMeta, MetaPathSegment } from "./event-meta.js";

/** How deep and how large (in estimated JSON bytes) a free-form part of an event may be. */
export interface BagSize {
  readonly depth: number;
  readonly bytes: number;
}

/** Relay's sizes of free-form data. */
export const BAG_SIZES = {
  medium: { depth: 5, bytes: 2048 },
  large: { depth: 7, bytes: 8192 },
  larger: { depth: 7, bytes: 16384 },
  massive: { depth: 7, bytes: 262144 },
} as const satisfies Record<string, BagSize>;

/** Relay keeps this many frames of a stack trace, the innermost ones. */
const MAX_FRAMES = 250;
/** Beyond this many frames, the middle frames lose their variables and context lines. */
const FRAME_ALLOWANCE = 50;

type Json = Record<string, unknown>;
type Path = readonly MetaPathSegment[];

const ELLIPSIS = "...";

/**
 * Shortens a string longer than `limit + allowance` characters to `limit` characters ending in
 * `...`, recording the cut in `_meta` as Relay does (`!limit` remark and the original length).
 */
export function trimString(value: string, limits: { limit: number; allowance?: number }, target: { meta: EventMeta; path: Path }): string {
  const chars = Array.from(value);
  if (chars.length <= limits.limit + (limits.allowance ?? 0)) return value;
  const kept = Math.max(0, limits.limit - ELLIPSIS.length);
  target.meta.addRemark(target.path, ["!limit", "s", kept, kept + ELLIPSIS.length]);
  target.meta.setLength(target.path, chars.length);
  return chars.slice(0, kept).join("") + ELLIPSIS;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Keys in the order Relay keeps them (sorted), which decides what a full bag cuts off. */
function sortedKeys(object: Json): string[] {
  return Object.keys(object).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Compact JSON with sorted keys, as Relay writes data as text (its maps are sorted). */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (!isObject(inner)) return inner;
    const sorted: Json = {};
    for (const key of sortedKeys(inner)) Object.defineProperty(sorted, key, { value: inner[key], enumerable: true, writable: true, configurable: true });
    return sorted;
  });
}

/** Relay's estimate of a value's JSON size, not counting what is inside arrays and objects. */
function flatSize(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value, "utf8") + 2;
  if (typeof value === "number") return String(value).length;
  if (typeof value === "boolean") return value ? 4 : 5;
  if (Array.isArray(value) || isObject(value)) return 2;
  return 4;
}

const REMOVED = Symbol("removed");

/** A bag being filled: where it starts and how many bytes it has left. */
interface OpenBag {
  readonly size: BagSize;
  readonly start: number;
  remaining: number;
}

/**
 * Walks free-form data, spending the byte budgets of every enclosing bag in Relay's order: items
 * in sorted key order, each costing its flat JSON size plus one; a full bag cuts off the rest; at
 * the last level of depth, arrays and objects become JSON text.
 */
class BagTrimmer {
  constructor(
    private readonly meta: EventMeta,
    private readonly childSize: BagSize | undefined,
  ) {}

  visit(value: unknown, depth: number, where: { path: Path; bags: OpenBag[] }): unknown {
    const { path, bags } = where;
    const remaining = Math.min(...bags.map((bag) => bag.remaining));
    const depthLeft = Math.min(...bags.map((bag) => bag.size.depth - (depth - bag.start)));
    if (remaining === 0 || depthLeft <= 0) return REMOVED;
    let current = value;
    if ((Array.isArray(current) || isObject(current)) && depthLeft === 1) current = sortedJson(current);
    if (typeof current === "string") return trimString(current, { limit: remaining }, { meta: this.meta, path });
    if (Array.isArray(current) || isObject(current)) return this.visitChildren(current, depth, where);
    return current;
  }

  private visitChildren(container: unknown[] | Json, depth: number, where: { path: Path; bags: OpenBag[] }): unknown[] | Json {
    const { path, bags } = where;
    const isArray = Array.isArray(container);
    const keys: (string | number)[] = isArray ? container.map((_item, index) => index) : sortedKeys(container);
    const result: unknown[] | Json = isArray ? [] : {};
    let count = 0;
    for (const key of keys) {
      if (Math.min(...bags.map((bag) => bag.remaining)) === 0) break;
      // Each direct child of the outermost level may open a bag of its own (`extra` values do).
      const childBags = depth === 0 && this.childSize ? [...bags, { size: this.childSize, start: depth + 1, remaining: this.childSize.bytes }] : bags;
      const item: unknown = Array.isArray(container) ? container[key as number] : container[key as string];
      const trimmed = this.visit(item, depth + 1, { path: [...path, key], bags: childBags });
      const kept = trimmed === REMOVED ? null : trimmed;
      for (const bag of bags) bag.remaining = Math.max(0, bag.remaining - (flatSize(kept) + 1));
      if (Array.isArray(result)) result.push(kept);
      else Object.defineProperty(result, key, { value: kept, enumerable: true, writable: true, configurable: true });
      count++;
    }
    if (count !== keys.length) this.meta.setLength(path, keys.length);
    return result;
  }
}

/**
 * Trims free-form data (`extra`, a context, a request body) to its bag size, and each of its
 * direct children to `childSize` when given; `undefined` if it is removed.
 */
export function trimBag(value: unknown, sizes: { size: BagSize; childSize?: BagSize }, target: { meta: EventMeta; path: Path }): unknown {
  const trimmed = new BagTrimmer(target.meta, sizes.childSize).visit(value, 0, { path: target.path, bags: [{ size: sizes.size, start: 0, remaining: sizes.size.bytes }] });
  return trimmed === REMOVED ? undefined : trimmed;
}

/**
 * Keeps the innermost 250 frames of a stack trace and, past 50 frames, drops variables and
 * context lines of the middle ones (app frames last), as Relay does. Returns the new frames.
 */
export function trimFrames(frames: unknown[], target: { meta: EventMeta; path: Path }): unknown[] {
  let kept = frames;
  if (kept.length > MAX_FRAMES) {
    target.meta.setLength(target.path, kept.length);
    kept = kept.slice(kept.length - MAX_FRAMES);
  }
  if (kept.length <= FRAME_ALLOWANCE) return kept;
  const app: number[] = [];
  const system: number[] = [];
  kept.forEach((frame, index) => {
    if (isObject(frame)) (frame.in_app === true ? app : system).push(index);
  });
  const systemHalf = Math.floor(Math.max(0, FRAME_ALLOWANCE - app.length) / 2);
  const systemRemoved = systemHalf <= system.length - systemHalf ? system.slice(systemHalf, system.length - systemHalf) : [];
  const remaining = Math.max(0, kept.length - FRAME_ALLOWANCE - systemRemoved.length);
  const appHalf = Math.floor(Math.max(0, app.length - remaining) / 2);
  const appRemoved = appHalf <= app.length - appHalf ? app.slice(appHalf, app.length - appHalf) : [];
  const slim = new Set([...systemRemoved, ...appRemoved]);
  return kept.map((frame, index) => {
    if (!slim.has(index) || !isObject(frame)) return frame;
    const copy: Json = { ...frame };
    delete copy.vars;
    delete copy.pre_context;
    delete copy.post_context;
    return copy;
  });
}
