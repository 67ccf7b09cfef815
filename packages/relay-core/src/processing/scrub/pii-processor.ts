import { isIP } from "node:net";
import { childOf, type SchemaNode } from "./item-schema.js";
import type { CompiledRule } from "./pii-config.js";
import { applyRegexToChunks, charCount, joinChunks, type Chunk, type Remark } from "./redaction.js";
import type { PathState, Pii, Selector, SelectorMatcher } from "./selector.js";
import { jsonValueType, VT } from "./value-type.js";

/** One selector of a scrub plan with its rules; `legacy` ones see log and span attributes as their values. */
export interface PlanApplication {
  readonly selector: Selector;
  readonly matches: SelectorMatcher;
  readonly rules: readonly CompiledRule[];
  readonly legacy: boolean;
}

/** Everything a project scrubs with, compiled once: the `piiConfig` applications, then the converted settings. */
export interface ScrubPlan {
  readonly applications: readonly PlanApplication[];
  /** Whether events' GraphQL variables are filtered first (Relay does it whenever `scrubData` is on). */
  readonly scrubGraphql?: boolean;
  /** Whether attachments are scrubbed: Relay does it only when an advanced rule names one (`$attachments.'file.txt'`). */
  readonly scrubAttachments?: boolean;
}

/** Beyond this depth values are removed rather than walked, so scrubbing never overflows the stack. */
const MAX_DEPTH = 128;
const UNTOUCHED_STRINGS = new Set(["", "true", "false", "null", "undefined"]);
const DELETE = Symbol("delete");

type Json = Record<string, unknown>;

interface State extends PathState {
  key: string | undefined;
  index: number;
  types: number;
  raw: string | undefined;
}

interface Context {
  readonly apps: readonly PlanApplication[];
  readonly states: State[];
  /** Reused state objects by depth, so that walking allocates no state per value. */
  readonly pool: State[];
  /** States as legacy applications see them (attribute values under their attribute's name); `undefined` outside attributes. */
  legacyStates: State[] | undefined;
  readonly path: (string | number)[];
  readonly meta: Json;
  /** The `_meta` the item came with (original values kept by normalization), if any. */
  readonly existingMeta: Json | undefined;
  /** While set, rules change values without recording remarks (original values are scrubbed silently). */
  silent: boolean;
  changes: number;
}

function setOwn(target: Json, key: string, value: unknown): void {
  // `__proto__` is the one inherited setter of a plain object; define it as data instead.
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function metaNode(root: Json, path: readonly (string | number)[]): Json {
  let node = root;
  for (const segment of path) {
    const key = String(segment);
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (typeof next === "object" && next !== null && !Array.isArray(next)) node = next as Json;
    else {
      const created: Json = {};
      setOwn(node, key, created);
      node = created;
    }
  }
  return node;
}

function record(ctx: Context, remarks: readonly Remark[], originalLength: number | undefined): void {
  if (ctx.silent) return;
  ctx.changes++;
  const node = metaNode(ctx.meta, ctx.path);
  const here = (Object.hasOwn(node, "") ? node[""] : undefined) as Json | undefined;
  const entry: Json = here ?? {};
  entry.rem = [...((entry.rem as Remark[] | undefined) ?? []), ...remarks];
  if (originalLength !== undefined && entry.len === undefined) entry.len = originalLength;
  node[""] = entry;
}

/** Applies one rule to a value: chunks of a string, or `undefined` for a container or number. */
function applyRule(rule: CompiledRule, key: string, chunks: readonly Chunk[] | undefined): readonly Chunk[] | undefined | typeof DELETE {
  const redactChunks = rule.redaction.method !== "default" && rule.redaction.method !== "remove";
  if (rule.anything && (chunks === undefined || !redactChunks)) return DELETE;
  let out = chunks;
  for (const matcher of rule.matchers) {
    if (matcher.kind === "value") {
      if (!out) continue;
      // A regex that cannot match the untouched text is not run at all.
      if (matcher.mustContain !== undefined && out.length === 1 && out[0]!.rule === undefined && !matcher.mustContain.test(out[0]!.text)) continue;
      out = applyRegexToChunks(out, rule, matcher);
      continue;
    }
    matcher.regex.lastIndex = 0;
    if (matcher.regex.test(key)) {
      if (out && redactChunks) out = applyRegexToChunks(out, rule, ANYTHING_VALUE);
      else return DELETE;
    } else if (matcher.kind === "keyvalue" && out) {
      out = applyRegexToChunks(out, rule, matcher);
    }
  }
  return out;
}

/** Matches any text at all, for redacting a whole value whose key matched. */
const ANYTHING_REGEX_ALL = new RegExp("[\\s\\S]", "g");
/** A key matcher that matched redacts the whole value. */
const ANYTHING_VALUE = { regex: ANYTHING_REGEX_ALL, behavior: "value" } as const;

function statesFor(ctx: Context, app: PlanApplication): readonly State[] {
  return app.legacy && ctx.legacyStates ? ctx.legacyStates : ctx.states;
}

function keyFor(states: readonly State[]): string {
  return states.at(-1)?.raw ?? "";
}

/** Runs every matching rule on a value; returns the new string, `DELETE`, or the value unchanged. */
function applyAll(ctx: Context, pii: Pii, value: string | undefined): string | undefined | typeof DELETE {
  if (pii === "false") return value;
  let chunks: readonly Chunk[] | undefined = value === undefined ? undefined : [{ text: value }];
  const initial = chunks;
  for (const app of ctx.apps) {
    const states = statesFor(ctx, app);
    if (!app.matches(pii, states)) continue;
    const key = keyFor(states);
    for (const rule of app.rules) {
      const result = applyRule(rule, key, chunks);
      if (result === DELETE) {
        const earlier = value !== undefined && chunks !== initial ? joinChunks(chunks!).remarks : [];
        record(ctx, [...earlier, [rule.origin, "x"]], earlier.length > 0 ? charCount(value!) : undefined);
        return DELETE;
      }
      chunks = result;
    }
  }
  if (value === undefined || chunks === initial) return value;
  const joined = joinChunks(chunks!);
  if (joined.text === value) return value;
  record(ctx, joined.remarks, charCount(value));
  return joined.text;
}

/** The entry (`{"": {...}}`'s inner object) the item's own `_meta` has at the current path, if any. */
function existingEntry(ctx: Context): Json | undefined {
  let node: unknown = ctx.existingMeta;
  for (const segment of ctx.path) {
    if (typeof node !== "object" || node === null) return undefined;
    const key = String(segment);
    node = Object.hasOwn(node, key) ? (node as Json)[key] : undefined;
  }
  if (typeof node !== "object" || node === null || !Object.hasOwn(node, "")) return undefined;
  const entry = (node as Json)[""];
  return typeof entry === "object" && entry !== null && !Array.isArray(entry) ? (entry as Json) : undefined;
}

/**
 * Scrubs the original value normalization kept in `_meta` for this place (`val`), as Relay does so
 * that nothing personal leaks through `_meta`: the rules see it as a string one step below the
 * field, under the field's own name; no remarks are recorded, and a removal drops the original.
 */
// Positional for the same reason as processValue.
// eslint-disable-next-line max-params
function scrubOriginalValue(value: unknown, node: SchemaNode, { key, index }: { key: string | undefined; index: number }, ctx: Context): void {
  const entry = existingEntry(ctx);
  if (typeof entry?.val !== "string" || UNTOUCHED_STRINGS.has(entry.val)) return;
  const original = entry.val;
  const depth = ctx.states.length;
  enter(ctx, key, index).types = value === null || value === undefined ? 0 : jsonValueType(value);
  enter(ctx, key, -1).types = VT.string;
  ctx.silent = true;
  try {
    const result = applyAll(ctx, node.pii, original);
    if (result === DELETE) delete entry.val;
    else if (result !== original) entry.val = result;
    else return;
    ctx.changes++;
  } finally {
    ctx.silent = false;
    ctx.states.length = depth;
  }
}

/** Scrubs the directory of an image path and keeps its file name; a path without a directory is left alone. */
function scrubImagePath(ctx: Context, pii: Pii, value: string): string {
  const split = Math.max(value.lastIndexOf("/"), value.lastIndexOf("\\"));
  if (split < 0) return value;
  const directory = value.slice(0, split);
  const basename = value.slice(split);
  if (UNTOUCHED_STRINGS.has(directory)) return value;
  const result = applyAll(ctx, pii, directory);
  return result === DELETE ? basename.slice(1) : (result ?? directory) + basename;
}

function isValidIp(value: unknown): boolean {
  return typeof value === "string" && (value === "{{auto}}" || isIP(value) !== 0);
}

/** Pushes the state of the value at `key` or `index`; the caller sets its `types`. */
function enter(ctx: Context, key: string | undefined, index: number): State {
  const depth = ctx.states.length;
  let state = ctx.pool[depth];
  if (!state) {
    state = { key: undefined, raw: undefined, index: -1, types: 0 };
    ctx.pool[depth] = state;
  }
  state.key = key?.toLowerCase();
  state.raw = key;
  state.index = index;
  ctx.states.push(state);
  return state;
}

// Positional: the walk runs for every value of every item, and an options object per call would allocate.
// eslint-disable-next-line max-params
function processValue(value: unknown, node: SchemaNode, key: string | undefined, index: number, ctx: Context): unknown {
  if (ctx.existingMeta !== undefined && ctx.path.length > 0 && Object.hasOwn(ctx.existingMeta, String(ctx.path[0]))) scrubOriginalValue(value, node, { key, index }, ctx);
  if (value === null || value === undefined) return value;
  const jsonType = jsonValueType(value);
  // Structures have their schema kind; pair lists (headers, cookies, tags) are maps, as in Relay.
  const types =
    jsonType === VT.object && node.types !== undefined
      ? node.types
      : node.pairs === true && jsonType === VT.array
        ? VT.object
        : jsonType === VT.string && node.stringTypes !== undefined
          ? jsonType | node.stringTypes
          : jsonType;
  enter(ctx, key, index).types = types;
  try {
    if (typeof value === "string") {
      if (node.imagePath === true) return scrubImagePath(ctx, node.pii, value);
      if (UNTOUCHED_STRINGS.has(value)) return value;
      const result = applyAll(ctx, node.pii, value);
      return result === DELETE ? null : result;
    }
    if (typeof value === "boolean" || jsonType === 0) return value;
    if (applyAll(ctx, node.pii, undefined) === DELETE) return null;
    if (typeof value !== "object") return value;
    if (ctx.states.length > MAX_DEPTH) {
      record(ctx, [["!limit", "x"]], undefined);
      return null;
    }
    if (Array.isArray(value)) processArray(value, node, ctx);
    else processObject(value as Json, node, ctx);
    return value;
  } finally {
    ctx.states.pop();
  }
}

// Positional for the same reason as processValue.
// eslint-disable-next-line max-params
function processChild(container: Json | unknown[], key: string | number, node: SchemaNode, logicalKey: string | undefined, index: number, ctx: Context): void {
  const before = (container as Json)[key as string];
  const after = processValue(before, node, logicalKey, index, ctx);
  if (after !== before) {
    if (Array.isArray(container)) container[key as number] = after;
    else setOwn(container, key as string, after);
  }
}

function processArray(value: unknown[], node: SchemaNode, ctx: Context): void {
  if (node.pairs) {
    for (let i = 0; i < value.length; i++) {
      const entry = value[i];
      ctx.path.push(i);
      if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string") {
        ctx.path.push(1);
        processChild(entry, 1, childOf(node, entry[0]), entry[0], -1, ctx);
        ctx.path.pop();
      } else processChild(value, i, childOf(node, undefined), undefined, i, ctx);
      ctx.path.pop();
    }
    return;
  }
  // A two-element array led by a string is tried as a `[key, value]` pair first, as Relay does.
  if (value.length === 2 && typeof value[0] === "string" && value[1] !== null && value[1] !== undefined) {
    const before = ctx.changes;
    ctx.path.push(1);
    processChild(value, 1, childOf(node, value[0]), value[0], -1, ctx);
    ctx.path.pop();
    if (ctx.changes !== before) return;
  }
  for (let i = 0; i < value.length; i++) {
    ctx.path.push(i);
    processChild(value, i, childOf(node, undefined), undefined, i, ctx);
    ctx.path.pop();
  }
}

function childNode(node: SchemaNode, key: string, value: unknown): SchemaNode {
  return node.select ? node.select(key, value) : childOf(node, key);
}

function processAttributes(value: Json, node: SchemaNode, ctx: Context): void {
  for (const name of Object.keys(value)) {
    const attribute = value[name];
    const attributeNode = childNode(node, name, attribute);
    ctx.path.push(name);
    if (typeof attribute !== "object" || attribute === null || Array.isArray(attribute)) {
      processChild(value, name, attributeNode, name, -1, ctx);
      ctx.path.pop();
      continue;
    }
    enter(ctx, name, -1).types = VT.object;
    for (const field of Object.keys(attribute)) {
      ctx.path.push(field);
      const fieldNode = childOf(attributeNode, field);
      if (field === "value") {
        const inner = (attribute as Json).value;
        const parent = ctx.states.slice(0, -1);
        ctx.legacyStates = [...parent, { key: name.toLowerCase(), raw: name, index: -1, types: jsonValueType(inner) }];
        processChild(attribute as Json, field, fieldNode, field, -1, ctx);
        ctx.legacyStates = undefined;
      } else processChild(attribute as Json, field, fieldNode, field, -1, ctx);
      ctx.path.pop();
    }
    ctx.states.pop();
    ctx.path.pop();
  }
}

function processObject(value: Json, node: SchemaNode, ctx: Context): void {
  if (node.attributes) {
    processAttributes(value, node, ctx);
    return;
  }
  const isUser = node.types === VT.user;
  const ipWasValid = isUser && (value.ip_address === undefined || value.ip_address === null || isValidIp(value.ip_address));
  for (const key of Object.keys(value)) {
    if (key === "_meta" && ctx.path.length === 0) continue;
    ctx.path.push(key);
    processChild(value, key, childNode(node, key, value[key]), key, -1, ctx);
    ctx.path.pop();
  }
  if (isUser && ipWasValid) moveInvalidIp(value, ctx);
}

/** An IP address made invalid by scrubbing (hashed, replaced) becomes the user id, so users stay countable. */
function moveInvalidIp(user: Json, ctx: Context): void {
  const ip = user.ip_address;
  if (ip === undefined || ip === null || isValidIp(ip)) return;
  if (user.id != null || user.username != null || user.email != null) return;
  user.id = ip;
  delete user.ip_address;
  const userMeta = metaNode(ctx.meta, ctx.path);
  if (Object.hasOwn(userMeta, "ip_address")) {
    userMeta.id = userMeta.ip_address;
    delete userMeta.ip_address;
  }
}

function mergeMeta(target: Json, source: Json): void {
  for (const key of Object.keys(source)) {
    const incoming = source[key] as Json;
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (typeof existing !== "object" || existing === null || Array.isArray(existing)) {
      setOwn(target, key, incoming);
      continue;
    }
    if (key === "") {
      const here = existing as Json;
      here.rem = [...(Array.isArray(here.rem) ? (here.rem as unknown[]) : []), ...((incoming.rem as unknown[] | undefined) ?? [])];
      if (here.len === undefined && incoming.len !== undefined) here.len = incoming.len;
    } else mergeMeta(existing as Json, incoming);
  }
}

/** Options of {@link scrubValue}. */
export interface ScrubValueOptions {
  /** The schema of the item's JSON (event, span, log). */
  readonly schema: SchemaNode;
  /** Whether the item's root is itself a step of the path (logs, spans: `$log.body`); events start below it. */
  readonly rootState?: boolean;
}

/**
 * Scrubs one item's JSON in place with a compiled plan, in one walk: at each value, the rules of
 * every matching selector run in Relay's order, and each change is recorded in the item's
 * `_meta` as Relay writes it (`{"": {"rem": [[rule, type, start, end]], "len": n}}`). Returns how
 * many values changed.
 */
export function scrubValue(item: Json, plan: ScrubPlan, options: ScrubValueOptions): number {
  const { schema } = options;
  if (plan.applications.length === 0) return 0;
  const existing = item._meta;
  const existingMeta = typeof existing === "object" && existing !== null && !Array.isArray(existing) ? (existing as Json) : undefined;
  const ctx: Context = { apps: plan.applications, states: [], pool: [], legacyStates: undefined, path: [], meta: {}, existingMeta, silent: false, changes: 0 };
  // Relay's walk starts at an anonymous root state (no key, no kind) that selectors see too: `**` reaches top-level fields.
  enter(ctx, undefined, -1).types = 0;
  if (options.rootState) enter(ctx, "", -1).types = schema.types ?? VT.object;
  processObject(item, schema, ctx);
  if (ctx.changes > 0) {
    const existing = item._meta;
    if (typeof existing === "object" && existing !== null && !Array.isArray(existing)) mergeMeta(existing as Json, ctx.meta);
    else item._meta = ctx.meta;
  }
  return ctx.changes;
}
