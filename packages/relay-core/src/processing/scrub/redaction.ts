import { createHmac } from "node:crypto";
import type { Redaction } from "./pii-rule.js";

/** The kind of a `_meta` remark: removed, substituted, masked, pseudonymized (hashed). */
export type RemarkType = "x" | "s" | "m" | "p";

/** A remark in Relay's `_meta` shape: `[rule_id, type]` or `[rule_id, type, start, end]`. */
export type Remark = readonly [rule: string, type: RemarkType] | readonly [rule: string, type: RemarkType, start: number, end: number];

/** A piece of a string being scrubbed: original text, or the replacement a rule put there. */
export type Chunk = { readonly text: string; readonly rule?: undefined } | { readonly text: string; readonly rule: string; readonly type: RemarkType };

/** A regex match part to redact: which groups, or the whole value (`"value"`). */
export type ReplaceBehavior = readonly number[] | "value";

/** HMAC-SHA1 with an empty key, in upper-case hex: Relay's `hash` redaction. */
export function hashValue(data: string | Uint8Array): string {
  return createHmac("sha1", Buffer.alloc(0)).update(data).digest("hex").toUpperCase();
}

/** The number of characters (code points) of a string, as Relay counts lengths and ranges. */
export function charCount(text: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The chunk a redaction puts in place of `text`, with its remark's rule id. */
export function replacementChunk(redaction: Redaction, rule: string, text: string): Chunk {
  switch (redaction.method) {
    case "default":
    case "remove":
      return { text: "", rule, type: "x" };
    case "mask":
      return { text: "*".repeat(charCount(text)), rule, type: "m" };
    case "hash":
      return { text: hashValue(text), rule, type: "p" };
    case "replace":
      return { text: redaction.text, rule, type: "s" };
  }
}

function pushText(text: string, out: Chunk[], kept: Chunk[]): void {
  if (text === "") return;
  let pos = 0;
  for (let i = text.indexOf("\0"); i !== -1; i = text.indexOf("\0", pos)) {
    if (i > pos) out.push({ text: text.slice(pos, i) });
    const chunk = kept.shift();
    if (chunk) out.push(chunk);
    pos = i + 1;
  }
  if (pos < text.length) out.push({ text: text.slice(pos) });
}

const INDEXED = new WeakMap<RegExp, RegExp>();

/** The same regex with match indices (`d`), made once per regex. */
function withIndices(regex: RegExp): RegExp {
  let indexed = INDEXED.get(regex);
  if (!indexed) {
    indexed = new RegExp(regex.source, regex.flags.includes("d") ? regex.flags : `${regex.flags}d`);
    INDEXED.set(regex, indexed);
  }
  return indexed;
}

function countNul(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\0"); i !== -1; i = text.indexOf("\0", i + 1)) n++;
  return n;
}

/**
 * Applies one regex of a rule to a string's chunks. Text already redacted by an earlier rule
 * stands in the search text as one NUL and is never matched again. Returns the same array when
 * nothing matched.
 */
export function applyRegexToChunks(
  chunks: readonly Chunk[],
  source: { readonly origin: string; readonly redaction: Redaction },
  matcher: { readonly regex: RegExp; readonly behavior: ReplaceBehavior },
): readonly Chunk[] {
  const { origin: rule, redaction } = source;
  const { regex, behavior } = matcher;
  let search: string;
  const kept: Chunk[] = [];
  const only = chunks.length === 1 ? chunks[0]! : undefined;
  if (only?.rule === undefined && only !== undefined) {
    // The common case: nothing redacted yet.
    search = only.text.includes("\0") ? only.text.replaceAll("\0", "") : only.text;
  } else {
    search = "";
    let hasText = false;
    for (const chunk of chunks) {
      if (chunk.rule === undefined) {
        hasText = true;
        search += chunk.text.includes("\0") ? chunk.text.replaceAll("\0", "") : chunk.text;
      } else {
        search += "\0";
        kept.push(chunk);
      }
    }
    if (!hasText) return chunks;
  }
  regex.lastIndex = 0;
  if (!regex.test(search)) return chunks;
  if (behavior === "value") return [replacementChunk(redaction, rule, search)];
  const out: Chunk[] = [];
  let pos = 0;
  const wholeMatchOnly = behavior.length === 1 && behavior[0] === 0;
  const indexed = wholeMatchOnly ? regex : withIndices(regex);
  indexed.lastIndex = 0;
  // As Rust's regex iterates: an empty match is reported unless it starts where the previous match ended.
  let previousEnd = -1;
  for (let m = indexed.exec(search); m !== null; m = indexed.exec(search)) {
    if (m[0] === "") {
      indexed.lastIndex = m.index + 1;
      if (m.index === previousEnd) continue;
    }
    previousEnd = m.index + m[0].length;
    const spans: [number, number][] = [];
    if (wholeMatchOnly) spans.push([m.index, m.index + m[0].length]);
    else {
      for (let g = 0; g < m.length; g++) {
        const span = m.indices?.[g];
        if (span && behavior.includes(g)) spans.push([span[0], span[1]]);
      }
    }
    for (const [start, end] of spans) {
      if (start < pos) continue;
      pushText(search.slice(pos, start), out, kept);
      const matched = search.slice(start, end);
      // Redactions inside the replaced text are replaced with it.
      kept.splice(0, countNul(matched));
      out.push(replacementChunk(redaction, rule, matched));
      pos = end;
    }
  }
  pushText(search.slice(pos), out, kept);
  return out;
}

/** Joins chunks back into a string and the remarks of its redactions (ranges in characters). */
export function joinChunks(chunks: readonly Chunk[]): { readonly text: string; readonly remarks: Remark[] } {
  let text = "";
  let offset = 0;
  const remarks: Remark[] = [];
  for (const chunk of chunks) {
    const length = charCount(chunk.text);
    if (chunk.rule !== undefined) remarks.push([chunk.rule, chunk.type, offset, offset + length]);
    text += chunk.text;
    offset += length;
  }
  return { text, remarks };
}
