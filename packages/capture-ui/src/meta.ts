import { asObject, type Json } from "./api";

/** What processing did to one field, from the event's `_meta`. */
export interface FieldMeta {
  /** Remarks: `[rule, type, start?, end?]`. */
  readonly rem: readonly (readonly unknown[])[];
  /** The original length, when the value was shortened or replaced. */
  readonly len?: number | undefined;
  /** Errors found while normalizing the field. */
  readonly err: readonly unknown[];
}

/** A field that processing changed, with where it is. */
export interface MetaRemark {
  /** Path from the event's root, such as `extra.password` or `exception.values.0.value`. */
  readonly path: string;
  readonly meta: FieldMeta;
}

const REMARK_WORDS: Readonly<Record<string, string>> = {
  s: "[Filtered]",
  x: "[Removed]",
  m: "[Masked]",
  p: "[Pseudonymized]",
  e: "[Encrypted]",
  a: "[Annotated]",
};

/** The `_meta` node under `key` (one level down), or `undefined`. */
export function metaChild(meta: Json | undefined, key: string | number): Json | undefined {
  return asObject(meta?.[String(key)]);
}

/** The field's own entry of a `_meta` node (its `""` key), when processing changed it. */
export function fieldMeta(meta: Json | undefined): FieldMeta | undefined {
  const own = asObject(meta?.[""]);
  if (!own) return undefined;
  const rem = Array.isArray(own.rem) ? own.rem.filter((each): each is unknown[] => Array.isArray(each)) : [];
  const err = Array.isArray(own.err) ? own.err : [];
  const len = typeof own.len === "number" ? own.len : undefined;
  if (rem.length === 0 && err.length === 0 && len === undefined) return undefined;
  return { rem, err, len };
}

/** Says what processing did, as a person reads it: `[Filtered] by @password:filter (was 12 characters)`. */
export function describeMeta(meta: FieldMeta): string {
  const parts = meta.rem.map((remark) => {
    const rule = typeof remark[0] === "string" ? remark[0] : "a rule";
    const type = typeof remark[1] === "string" ? remark[1] : "";
    return `${REMARK_WORDS[type] ?? `[${type || "Changed"}]`} by ${rule}`;
  });
  for (const error of meta.err) {
    const first: unknown = Array.isArray(error) ? error[0] : error;
    parts.push(`invalid: ${typeof first === "string" ? first : JSON.stringify(first)}`);
  }
  const text = [...new Set(parts)].join("; ") || "[Changed]";
  return meta.len === undefined ? text : `${text} (was ${meta.len} characters)`;
}

/** Every field of a `_meta` tree that processing changed, in document order. */
export function collectRemarks(meta: unknown, path: readonly string[] = []): MetaRemark[] {
  const node = asObject(meta);
  if (!node) return [];
  const found: MetaRemark[] = [];
  const own = fieldMeta(node);
  if (own) found.push({ path: path.join(".") || "(event)", meta: own });
  for (const [key, child] of Object.entries(node)) {
    if (key !== "") found.push(...collectRemarks(child, [...path, key]));
  }
  return found;
}
