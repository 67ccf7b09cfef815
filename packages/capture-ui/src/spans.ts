import { asObject, asObjects, asString, type Json } from "./api";
import { toDate } from "./format-time";

/** A span as the waterfall draws it, whatever shape the SDK sent. */
export interface WaterfallSpan {
  readonly id: string;
  readonly parentId: string | undefined;
  readonly op: string | undefined;
  readonly name: string;
  /** Milliseconds since the epoch. */
  readonly start: number;
  readonly end: number;
  readonly status: string | undefined;
}

/** A span in tree order, with its depth below the root. */
export interface PlacedSpan extends WaterfallSpan {
  readonly depth: number;
}

function millis(value: unknown): number | undefined {
  return toDate(value)?.getTime();
}

function attribute(span: Json, key: string): string | undefined {
  const value = asObject(span.attributes)?.[key] ?? asObject(span.data)?.[key];
  return asString(value) ?? asString(asObject(value)?.value);
}

function fromSpan(span: Json): WaterfallSpan | undefined {
  const id = asString(span.span_id);
  const start = millis(span.start_timestamp);
  const end = millis(span.end_timestamp ?? span.timestamp) ?? start;
  if (!id || start === undefined || end === undefined) return undefined;
  const op = asString(span.op) ?? attribute(span, "sentry.op");
  // A page load named by its URL is sent as "Pageload" with its path beside.
  const byUrl = attribute(span, "sentry.segment.name.source") === "url" ? attribute(span, "url.path") : undefined;
  return {
    id,
    parentId: asString(span.parent_span_id),
    op,
    name: byUrl ?? asString(span.description) ?? asString(span.name) ?? op ?? id,
    start,
    end,
    status: asString(span.status),
  };
}

/** The spans of a transaction event: its root (from the trace context) and its child spans. */
export function spansOfTransaction(event: Json): WaterfallSpan[] {
  const trace = asObject(asObject(event.contexts)?.trace);
  const spans = asObjects(event.spans).map(fromSpan).filter((span) => span !== undefined);
  const start = millis(event.start_timestamp);
  const end = millis(event.timestamp);
  const rootId = asString(trace?.span_id);
  if (rootId && start !== undefined && end !== undefined) {
    spans.unshift({
      id: rootId,
      parentId: undefined,
      op: asString(trace?.op),
      name: asString(event.transaction) ?? rootId,
      start,
      end,
      status: asString(trace?.status),
    });
  }
  return spans;
}

/** The spans of a span item: a container of streamed spans (`{ items: [...] }`) or one span. */
export function spansOfItem(payload: unknown): WaterfallSpan[] {
  const object = asObject(payload);
  if (!object) return [];
  const list = Array.isArray(object.items) ? asObjects(object.items) : [object];
  return list.map(fromSpan).filter((span) => span !== undefined);
}

/** Spans in tree order (each parent before its children, siblings by start time), with depths. */
export function placeSpans(spans: readonly WaterfallSpan[]): PlacedSpan[] {
  const ids = new Set(spans.map((span) => span.id));
  const children = new Map<string | undefined, WaterfallSpan[]>();
  for (const span of spans) {
    const parent = span.parentId !== undefined && ids.has(span.parentId) && span.parentId !== span.id ? span.parentId : undefined;
    const list = children.get(parent) ?? [];
    list.push(span);
    children.set(parent, list);
  }
  const placed: PlacedSpan[] = [];
  const seen = new Set<string>();
  const visit = (parent: string | undefined, depth: number): void => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => a.start - b.start);
    for (const span of list) {
      if (seen.has(span.id)) continue;
      seen.add(span.id);
      placed.push({ ...span, depth });
      visit(span.id, depth + 1);
    }
  };
  visit(undefined, 0);
  return placed;
}
