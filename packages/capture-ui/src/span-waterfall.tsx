import { formatDuration } from "./format-time";
import { placeSpans, type WaterfallSpan } from "./spans";

/** Spans as a waterfall: one row per span, indented under its parent, its bar placed in time. */
export function SpanWaterfall({ spans }: { spans: readonly WaterfallSpan[] }) {
  const placed = placeSpans(spans);
  if (placed.length === 0) return <p class="muted">No spans.</p>;
  const start = Math.min(...placed.map((span) => span.start));
  const end = Math.max(...placed.map((span) => span.end));
  const total = Math.max(end - start, 0.001);
  return (
    <div class="waterfall">
      <div class="waterfall-head">
        <span>Span</span>
        <span>0 ms — {formatDuration(total)}</span>
      </div>
      {placed.map((span) => {
        const left = ((span.start - start) / total) * 100;
        const width = Math.max(((span.end - span.start) / total) * 100, 0.3);
        return (
          <div class="span-row" key={span.id} data-span-id={span.id}>
            <div class="span-label" style={{ paddingLeft: `${span.depth * 14 + 4}px` }} title={span.name}>
              {span.op && <span class="op">{span.op}</span>} <span class="span-name">{span.name}</span>
            </div>
            <div class="span-track">
              <div class={span.status && span.status !== "ok" ? "span-bar failed" : "span-bar"} style={{ left: `${left}%`, width: `${width}%` }} />
              <span class="span-duration" style={left + width > 80 ? { right: `${100 - left}%`, marginRight: "6px" } : { left: `${left + width}%`, marginLeft: "6px" }}>
                {formatDuration(span.end - span.start)}
              </span>
            </div>
          </div>
        );
      })}
    </div>
  );
}
