import { useEffect, useState } from "preact/hooks";
import { API, fetchJson, type CaptureDigest, type CapturedDetail } from "./api";
import { SpanWaterfall } from "./span-waterfall";
import { spansOfItem, spansOfTransaction, type WaterfallSpan } from "./spans";

/** Whether a capture carries spans (a transaction or streamed spans). */
export function carriesSpans(itemTypes: readonly string[]): boolean {
  return itemTypes.some((type) => type === "transaction" || type === "span" || type === "otel_span");
}

/** All spans of one capture. */
export function spansOfCapture(detail: CapturedDetail): WaterfallSpan[] {
  return (detail.items ?? []).flatMap((item) => {
    if (item.headers.type === "transaction" && detail.event) return spansOfTransaction(detail.event);
    if (item.headers.type === "span" || item.headers.type === "otel_span") return spansOfItem(item.payload);
    return [];
  });
}

/**
 * The waterfall of a whole trace: SDKs that stream spans send one trace in several envelopes, so
 * the spans of every capture of the trace are drawn together, starting with this one's.
 */
export function TraceSpans({ detail, traceId, captures }: { detail: CapturedDetail; traceId: string | undefined; captures: readonly CaptureDigest[] }) {
  const own = spansOfCapture(detail);
  const [spans, setSpans] = useState<readonly WaterfallSpan[]>(own);
  const siblings = captures.filter((each) => traceId !== undefined && each.trace_id === traceId && each.event_id !== detail.event_id && carriesSpans(each.item_types));
  const key = siblings.map((each) => each.event_id).join(",");
  useEffect(() => {
    let live = true;
    void Promise.all(siblings.map((each) => fetchJson<CapturedDetail>(API.detail(each.event_id)).catch(() => undefined))).then((details) => {
      if (!live) return;
      const byId = new Map(own.map((span) => [span.id, span]));
      for (const sibling of details) for (const span of sibling ? spansOfCapture(sibling) : []) if (!byId.has(span.id)) byId.set(span.id, span);
      setSpans([...byId.values()]);
    });
    return () => {
      live = false;
    };
    // Refetched when another capture of the trace arrives.
  }, [detail.event_id, key]);
  return <SpanWaterfall spans={spans} />;
}
