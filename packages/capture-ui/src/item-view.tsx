import type { CapturedItem } from "./api";
import { DataTree } from "./data-tree";
import { LogsTable } from "./logs-table";
import { SpanWaterfall } from "./span-waterfall";
import { spansOfItem } from "./spans";

/**
 * One envelope item other than the event: spans as a waterfall, logs as a table, anything else
 * (sessions, check-ins, reports, types this page does not know yet) as its header and payload.
 */
export function ItemView({ item }: { item: CapturedItem }) {
  const type = item.headers.type;
  if (type === "span" || type === "otel_span") {
    const spans = spansOfItem(item.payload);
    if (spans.length > 0) return <SpanWaterfall spans={spans} />;
  }
  if (type === "log" || type === "otel_log") return <LogsTable payload={item.payload} />;
  return (
    <div class="item">
      <DataTree value={item.payload} />
    </div>
  );
}
