import type { Result } from "@org/protocol/result";
import { BASIC_VALUE_TYPES, parseValueType, valueTypeName, VT } from "./value-type.js";

/** One step of a selector path. */
export type SelectorPathItem =
  | { readonly kind: "type"; readonly type: number }
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "key"; readonly key: string; readonly lower: string }
  | { readonly kind: "wildcard" }
  | { readonly kind: "deep" };

/** A parsed selector of Relay's selector language (`$string`, `extra.foo`, `$http.headers.x`, `a && !b`, …). */
export type Selector =
  | { readonly kind: "and"; readonly all: readonly Selector[] }
  | { readonly kind: "or"; readonly any: readonly Selector[] }
  | { readonly kind: "not"; readonly inner: Selector }
  | { readonly kind: "path"; readonly items: readonly SelectorPathItem[] };

/** Whether a field may hold personal data: `false` fields are never scrubbed, `maybe` ones only by explicit paths. */
export type Pii = "true" | "maybe" | "false";

/** Where the walk stands: one entry per step from the item's root to the current value. */
export interface PathState {
  /** The key of this step, lower-cased; `undefined` for an array index. */
  readonly key: string | undefined;
  /** The array index of this step, or -1. */
  readonly index: number;
  /** Value-type flags of the value at this step. */
  readonly types: number;
}

/** A selector that could not be parsed. */
export interface SelectorError {
  readonly code: "invalid_selector";
  readonly message: string;
}

type ParseResult = Result<Selector, SelectorError>;

const LEGACY: Readonly<Record<string, Selector>> = {
  freeform: { kind: "path", items: [{ kind: "type", type: VT.string }] },
  email: { kind: "path", items: [{ kind: "type", type: VT.string }] },
  sensitive: { kind: "path", items: [{ kind: "type", type: VT.string }] },
  text: { kind: "path", items: [{ kind: "type", type: VT.string }] },
  databag: { kind: "path", items: [{ kind: "type", type: VT.object }] },
  container: { kind: "path", items: [{ kind: "type", type: VT.object }] },
};

class SelectorParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new SelectorSyntaxError(`${message} at position ${this.pos} of ${JSON.stringify(this.text)}`);
  }

  private skipSpace(): void {
    while (this.text[this.pos] === " ") this.pos++;
  }

  private eat(token: string): boolean {
    this.skipSpace();
    if (this.text.startsWith(token, this.pos)) {
      this.pos += token.length;
      return true;
    }
    return false;
  }

  parseRoot(): Selector {
    const selector = this.parseOr();
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail("unexpected character");
    return selector;
  }

  private parseOr(): Selector {
    const parts = [this.parseAnd()];
    while (this.eat("||") || this.eat("|")) parts.push(this.parseAnd());
    return parts.length === 1 ? parts[0]! : { kind: "or", any: parts };
  }

  private parseAnd(): Selector {
    const parts = [this.parseMaybeNot()];
    while (this.eat("&&") || this.eat("&")) parts.push(this.parseMaybeNot());
    return parts.length === 1 ? parts[0]! : { kind: "and", all: parts };
  }

  private parseMaybeNot(): Selector {
    if (this.eat("~") || this.eat("!")) return { kind: "not", inner: this.parseParenthesisOrPath() };
    return this.parseParenthesisOrPath();
  }

  private parseParenthesisOrPath(): Selector {
    if (this.eat("(")) {
      const inner = this.parseOr();
      if (!this.eat(")")) this.fail("expected ')'");
      return inner;
    }
    return this.parsePath();
  }

  private parsePath(): Selector {
    const items: SelectorPathItem[] = [this.parseItem()];
    while (this.eat(".")) items.push(this.parseItem());
    if (items.filter((item) => item.kind === "deep").length > 1) this.fail("deep wildcard used more than once");
    if (items.length === 1 && items[0]!.kind === "wildcard") this.fail("wildcard must be part of a path");
    return { kind: "path", items };
  }

  private parseItem(): SelectorPathItem {
    this.skipSpace();
    const rest = this.text.slice(this.pos);
    let match = /^\$[a-z_]+/.exec(rest);
    if (match) {
      this.pos += match[0].length;
      const type = parseValueType(match[0].slice(1));
      if (type === undefined) this.fail(`unknown value type ${match[0]}`);
      return { kind: "type", type };
    }
    if (rest.startsWith("**")) {
      this.pos += 2;
      return { kind: "deep" };
    }
    if (rest.startsWith("*")) {
      this.pos += 1;
      return { kind: "wildcard" };
    }
    match = /^[0-9]+/.exec(rest);
    if (match) {
      this.pos += match[0].length;
      const index = Number(match[0]);
      if (!Number.isSafeInteger(index)) this.fail("invalid index");
      return { kind: "index", index };
    }
    match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest);
    if (match) {
      this.pos += match[0].length;
      return { kind: "key", key: match[0], lower: match[0].toLowerCase() };
    }
    if (rest.startsWith("'")) {
      let key = "";
      let i = this.pos + 1;
      for (;;) {
        if (i >= this.text.length) this.fail("unterminated quoted key");
        const ch = this.text[i]!;
        if (ch === "'") {
          if (this.text[i + 1] === "'") {
            key += "'";
            i += 2;
            continue;
          }
          break;
        }
        key += ch;
        i++;
      }
      if (key === "") this.fail("empty quoted key");
      this.pos = i + 1;
      return { kind: "key", key, lower: key.toLowerCase() };
    }
    return this.fail("expected a selector path item");
  }
}

class SelectorSyntaxError extends Error {}

/** Parses a selector without the legacy names; an error says what is wrong and where. */
export function parseSelectorStrict(text: string): ParseResult {
  try {
    return { ok: true, value: new SelectorParser(text).parseRoot() };
  } catch (error) {
    if (error instanceof SelectorSyntaxError) return { ok: false, error: { code: "invalid_selector", message: error.message } };
    throw error;
  }
}

/** Parses a selector as an application key: also accepts the legacy names (`freeform`, `databag`, …). */
export function parseSelector(text: string): ParseResult {
  if (Object.hasOwn(LEGACY, text)) return { ok: true, value: LEGACY[text]! };
  return parseSelectorStrict(text);
}

const UNQUOTED_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function formatItem(item: SelectorPathItem): string {
  switch (item.kind) {
    case "type":
      return `$${valueTypeName(item.type)}`;
    case "index":
      return String(item.index);
    case "key":
      return UNQUOTED_KEY.test(item.key) ? item.key : `'${item.key.replaceAll("'", "''")}'`;
    case "wildcard":
      return "*";
    case "deep":
      return "**";
  }
}

/** Writes a selector back as Relay writes it: canonical type names, keys quoted only where needed, minimal parentheses. */
export function formatSelector(selector: Selector): string {
  switch (selector.kind) {
    case "and":
      return selector.all.map((x) => (x.kind === "or" ? `(${formatSelector(x)})` : formatSelector(x))).join(" && ");
    case "or":
      return selector.any.map(formatSelector).join(" || ");
    case "not":
      return selector.inner.kind === "path" ? `!${formatSelector(selector.inner)}` : `!(${formatSelector(selector.inner)})`;
    case "path":
      return selector.items.map(formatItem).join(".");
  }
}

// Positional: called for each selector item at each value of every item scrubbed.
// eslint-disable-next-line max-params
function matchesItem(item: SelectorPathItem, pii: Pii, position: number, state: PathState): boolean {
  switch (item.kind) {
    case "wildcard":
      return true;
    case "deep":
      return pii === "true";
    case "type":
      if ((state.types & item.type) === 0) return false;
      if (pii === "true") return true;
      // Under `maybe`, only a schema kind at the start of a path is specific enough.
      return (item.type & BASIC_VALUE_TYPES) === 0 && position === 0;
    case "index":
      return state.index === item.index;
    case "key":
      return state.key === item.lower;
  }
}

function matchesPathItems(items: readonly SelectorPathItem[], pii: Pii, states: readonly PathState[]): boolean {
  if (items.length > states.length) return false;
  // Walk selector and path from their ends; a deep wildcard switches to the slow path.
  let s = states.length - 1;
  let i = items.length - 1;
  let deep = false;
  for (; s >= 0 && i >= 0; s--, i--) {
    const item = items[i]!;
    if (!matchesItem(item, pii, i, states[s]!)) return false;
    if (item.kind === "deep") {
      deep = true;
      s--;
      i--;
      break;
    }
  }
  if (!deep) return true;
  // Remaining selector items (before `**`) must match a contiguous run of the remaining (outer)
  // states, starting at the first outer state that matches the first of them.
  if (i < 0) return s >= 0;
  let start = 0;
  while (start <= s && !matchesItem(items[0]!, pii, 0, states[start]!)) start++;
  if (start > s) return false;
  let k = 1;
  let st = start + 1;
  for (; k <= i && st <= s; k++, st++) {
    if (!matchesItem(items[k]!, pii, k, states[st]!)) return false;
  }
  return k > i;
}

/** Whether a selector matches the current value, given the path to it and the value's `pii` attribute. */
export function matchesSelector(selector: Selector, pii: Pii, states: readonly PathState[]): boolean {
  if (pii === "false") return false;
  switch (selector.kind) {
    case "path":
      return matchesPathItems(selector.items, pii, states);
    case "and":
      return selector.all.every((x) => matchesSelector(x, pii, states));
    case "or":
      return selector.any.some((x) => matchesSelector(x, pii, states));
    case "not":
      return !matchesSelector(selector.inner, pii, states);
  }
}

const KIND_ORDER = { and: 0, or: 1, not: 2, path: 3 } as const;
const ITEM_ORDER = { type: 0, index: 1, key: 2, wildcard: 3, deep: 4 } as const;

function compareItems(a: SelectorPathItem, b: SelectorPathItem): number {
  if (a.kind !== b.kind) return ITEM_ORDER[a.kind] - ITEM_ORDER[b.kind];
  if (a.kind === "type" && b.kind === "type") return a.type - b.type;
  if (a.kind === "index" && b.kind === "index") return a.index - b.index;
  if (a.kind === "key" && b.kind === "key") return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  return 0;
}

function compareLists<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compare(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** The order in which Relay applies the selectors of one config (its sorted map of selectors). */
export function compareSelectors(a: Selector, b: Selector): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (a.kind === "and" && b.kind === "and") return compareLists(a.all, b.all, compareSelectors);
  if (a.kind === "or" && b.kind === "or") return compareLists(a.any, b.any, compareSelectors);
  if (a.kind === "not" && b.kind === "not") return compareSelectors(a.inner, b.inner);
  if (a.kind === "path" && b.kind === "path") return compareLists(a.items, b.items, compareItems);
  return 0;
}

/** A selector made into a function, for matching it at every value of every item. */
export type SelectorMatcher = (pii: Pii, states: readonly PathState[]) => boolean;

function lastKeyOf(selector: Selector): string | undefined {
  if (selector.kind !== "path") return undefined;
  const last = selector.items.at(-1);
  return last?.kind === "key" ? last.lower : undefined;
}

/**
 * Compiles a selector into a matcher equivalent to {@link matchesSelector}, but quick to reject:
 * a path ending in a key is tried only where the current key is that key, and the paths of an
 * `||` are looked up by their last key.
 */
export function compileSelectorMatcher(selector: Selector): SelectorMatcher {
  switch (selector.kind) {
    case "path": {
      const items = selector.items;
      const lastKey = lastKeyOf(selector);
      if (lastKey === undefined) return (pii, states) => pii !== "false" && matchesPathItems(items, pii, states);
      return (pii, states) => pii !== "false" && states.length > 0 && states[states.length - 1]!.key === lastKey && matchesPathItems(items, pii, states);
    }
    case "not": {
      const inner = compileSelectorMatcher(selector.inner);
      return (pii, states) => pii !== "false" && !inner(pii, states);
    }
    case "and": {
      const all = selector.all.map(compileSelectorMatcher);
      return (pii, states) => {
        for (const matcher of all) if (!matcher(pii, states)) return false;
        return pii !== "false";
      };
    }
    case "or": {
      const byKey = new Map<string, SelectorMatcher[]>();
      const rest: SelectorMatcher[] = [];
      for (const inner of selector.any) {
        const key = lastKeyOf(inner);
        const matcher = compileSelectorMatcher(inner);
        if (key === undefined) rest.push(matcher);
        else byKey.set(key, [...(byKey.get(key) ?? []), matcher]);
      }
      return (pii, states) => {
        if (pii === "false") return false;
        const key = states.length > 0 ? states[states.length - 1]!.key : undefined;
        const candidates = key === undefined ? undefined : byKey.get(key);
        if (candidates) for (const matcher of candidates) if (matcher(pii, states)) return true;
        for (const matcher of rest) if (matcher(pii, states)) return true;
        return false;
      };
    }
  }
}
