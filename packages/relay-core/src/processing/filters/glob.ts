/**
 * Glob patterns as Relay reads them in inbound filters (error messages, releases, transaction
 * names):
 *
 * - `*` is any run of characters (none, newlines and slashes included), `?` exactly one;
 * - `[abc]`, `[a-z]` one character of a class, `[!abc]` one character outside it (an empty
 *   class, `[]` or `[!]`, is left out of the pattern);
 * - `{a,b}` one of the alternatives (not nested; empty alternatives are left out);
 * - `\x` is the character `x` itself;
 * - a malformed pattern (unbalanced brackets or braces, a reversed range, a dangling `\`) and the
 *   empty pattern match nothing.
 *
 * Matching runs as a set of states over the text (no backtracking), so no pattern takes more
 * than time proportional to the pattern's and the text's lengths.
 */

interface CharRange {
  readonly start: number;
  readonly end: number;
}

type Token =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "any" }
  | { readonly kind: "wildcard" }
  | { readonly kind: "class"; readonly negated: boolean; readonly ranges: readonly CharRange[] }
  | { readonly kind: "alternates"; readonly alternatives: readonly (readonly Token[])[] };

class InvalidPattern extends Error {}

function pushToken(tokens: Token[], token: Token): void {
  if (token.kind === "class" && token.ranges.length === 0) return;
  if (token.kind === "alternates") {
    const alternatives = token.alternatives.filter((alternative) => alternative.length > 0);
    if (alternatives.some((alternative) => alternative.length === 1 && alternative[0]!.kind === "wildcard")) {
      pushToken(tokens, { kind: "wildcard" });
      return;
    }
    tokens.push({ kind: "alternates", alternatives });
    return;
  }
  const last = tokens.at(-1);
  if (token.kind === "wildcard" && last?.kind === "wildcard") return;
  if (token.kind === "literal" && last?.kind === "literal") {
    tokens[tokens.length - 1] = { kind: "literal", text: last.text + token.text };
    return;
  }
  tokens.push(token);
}

function parseClass(chars: readonly string[], start: number): { token: Token; end: number } {
  let i = start;
  const negated = chars[i] === "!";
  if (negated) i++;
  const ranges: { start: number; end: number }[] = [];
  let first = true;
  let inRange = false;
  const setEnd = (end: number) => {
    const last = ranges.at(-1)!;
    if (last.start > end) throw new InvalidPattern();
    last.end = end;
    inRange = false;
  };
  for (;;) {
    const char = chars[i++];
    if (char === undefined || char === "[") throw new InvalidPattern();
    if (char === "]") break;
    if (char === "-") {
      if (first) ranges.push({ start: 45, end: 45 });
      else if (inRange) setEnd(45);
      else inRange = true;
    } else {
      let literal = char;
      if (char === "\\") {
        const escaped = chars[i++];
        if (escaped === undefined) throw new InvalidPattern();
        literal = escaped;
      }
      const code = literal.codePointAt(0)!;
      if (inRange) setEnd(code);
      else ranges.push({ start: code, end: code });
    }
    first = false;
  }
  if (inRange) ranges.push({ start: 45, end: 45 });
  return { token: { kind: "class", negated, ranges }, end: i };
}

/** Parses a pattern into tokens; literals are lower-cased for case-insensitive matching. */
function parse(pattern: string, caseInsensitive: boolean): Token[] {
  const chars = Array.from(pattern);
  const tokens: Token[] = [];
  let alternatives: Token[][] | undefined;
  const target = (): Token[] => alternatives?.at(-1) ?? tokens;
  const literal = (text: string): Token => ({ kind: "literal", text: caseInsensitive ? text.toLowerCase() : text });
  for (let i = 0; i < chars.length; ) {
    const char = chars[i++]!;
    if (char === "?") pushToken(target(), { kind: "any" });
    else if (char === "*") pushToken(target(), { kind: "wildcard" });
    else if (char === "[") {
      const parsed = parseClass(chars, i);
      pushToken(target(), parsed.token);
      i = parsed.end;
    } else if (char === "]") throw new InvalidPattern();
    else if (char === "{") {
      if (alternatives) throw new InvalidPattern();
      alternatives = [[]];
    } else if (char === "}") {
      if (!alternatives) throw new InvalidPattern();
      const done = alternatives;
      alternatives = undefined;
      pushToken(tokens, { kind: "alternates", alternatives: done });
    } else if (char === "," && alternatives) alternatives.push([]);
    else if (char === "\\") {
      const escaped = chars[i++];
      if (escaped === undefined) throw new InvalidPattern();
      pushToken(target(), literal(escaped));
    } else pushToken(target(), literal(char));
  }
  if (alternatives) throw new InvalidPattern();
  return tokens;
}

/** A state of the matcher: consumes one character, loops on any character, or branches. */
type State =
  | { readonly kind: "char"; readonly test: (char: string) => boolean; readonly next: number }
  | { readonly kind: "star"; readonly next: number }
  | { readonly kind: "split"; readonly next: readonly number[] }
  | { readonly kind: "accept" };

interface Program {
  readonly states: readonly State[];
  readonly start: number;
}

function classTest(token: Extract<Token, { kind: "class" }>, caseInsensitive: boolean): (char: string) => boolean {
  const inRanges = (char: string) => {
    const code = char.codePointAt(0)!;
    return token.ranges.some((range) => range.start <= code && code <= range.end);
  };
  const contains = caseInsensitive
    ? (char: string) => inRanges(char) || inRanges(char.toLowerCase()) || inRanges(char.toUpperCase())
    : inRanges;
  return token.negated ? (char) => !contains(char) : contains;
}

function compile(tokens: readonly Token[], caseInsensitive: boolean): Program {
  const states: State[] = [{ kind: "accept" }];
  const add = (state: State): number => states.push(state) - 1;
  const sequence = (list: readonly Token[], next: number): number => {
    let current = next;
    for (let t = list.length - 1; t >= 0; t--) {
      const token = list[t]!;
      if (token.kind === "literal") {
        const chars = Array.from(token.text);
        for (let c = chars.length - 1; c >= 0; c--) {
          const expected = chars[c]!;
          current = add({ kind: "char", test: (char) => char === expected, next: current });
        }
      } else if (token.kind === "any") {
        current = add({ kind: "char", test: () => true, next: current });
      } else if (token.kind === "wildcard") {
        current = add({ kind: "star", next: current });
      } else if (token.kind === "class") {
        current = add({ kind: "char", test: classTest(token, caseInsensitive), next: current });
      } else {
        const after = current;
        current = add({ kind: "split", next: token.alternatives.map((alternative) => sequence(alternative, after)) });
      }
    }
    return current;
  };
  return { states, start: sequence(tokens, 0) };
}

function run(program: Program, text: string): boolean {
  const { states } = program;
  let active = new Set<number>();
  const enter = (set: Set<number>, index: number): void => {
    if (set.has(index)) return;
    set.add(index);
    const state = states[index]!;
    if (state.kind === "star") enter(set, state.next);
    else if (state.kind === "split") for (const next of state.next) enter(set, next);
  };
  enter(active, program.start);
  for (const char of text) {
    const next = new Set<number>();
    for (const index of active) {
      const state = states[index]!;
      if (state.kind === "char" && state.test(char)) enter(next, state.next);
      else if (state.kind === "star") enter(next, index);
    }
    if (next.size === 0) return false;
    active = next;
  }
  return active.has(0);
}

const cache = new Map<string, Program | null>();

function programFor(pattern: string, caseInsensitive: boolean): Program | null {
  const key = `${caseInsensitive ? "i" : "s"}${pattern}`;
  let program = cache.get(key);
  if (program === undefined) {
    try {
      const tokens = parse(pattern, caseInsensitive);
      program = tokens.length === 0 ? null : compile(tokens, caseInsensitive);
    } catch (error) {
      if (!(error instanceof InvalidPattern)) throw error;
      program = null;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(key, program);
  }
  return program;
}

/**
 * Whether `text` matches the glob `pattern` as a whole; inbound filters match ignoring case
 * (the default). A malformed or empty pattern matches nothing.
 */
export function globMatches(pattern: string, text: string, caseInsensitive = true): boolean {
  const program = programFor(pattern, caseInsensitive);
  if (!program) return false;
  return run(program, caseInsensitive ? text.toLowerCase() : text);
}

/** Whether `text` matches any of the globs, ignoring case; the empty text matches nothing. */
export function anyGlobMatches(patterns: readonly unknown[], text: string): boolean {
  if (text === "") return false;
  return patterns.some((pattern) => typeof pattern === "string" && globMatches(pattern, text));
}
