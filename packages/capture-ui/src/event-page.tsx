import { useEffect, useState } from "preact/hooks";
import { API, asObject, fetchJson, type CaptureDigest, type CapturedDetail, type Json } from "./api";
import { EventDetails } from "./event-details";
import { formatClock } from "./format-time";
import { ItemView } from "./item-view";
import { LevelBadge } from "./level-badge";
import { collectRemarks } from "./meta";
import { ProcessingChanges } from "./processing-changes";
import { RawView } from "./raw-view";
import { Section } from "./section";
import { carriesSpans, TraceSpans } from "./trace-spans";

type Loaded = { state: "loading" } | { state: "failed"; message: string } | { state: "ready"; detail: CapturedDetail; digest: CaptureDigest };

const EVENT_ITEMS = new Set(["event", "transaction"]);
const SPAN_ITEMS = new Set(["span", "otel_span"]);

/** One capture: a header with what it is, then its details or its raw envelope. */
export function EventPage({ id, captures }: { id: string; captures: readonly CaptureDigest[] }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const [tab, setTab] = useState<"details" | "raw">("details");
  useEffect(() => {
    let live = true;
    setLoaded({ state: "loading" });
    Promise.all([fetchJson<CapturedDetail>(API.detail(id)), fetchJson<CaptureDigest>(API.digest(id))]).then(
      ([detail, digest]) => {
        if (live) setLoaded({ state: "ready", detail, digest });
      },
      (error: unknown) => {
        if (live) setLoaded({ state: "failed", message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [id]);

  if (loaded.state === "loading") return <main class="event-page muted">Loading…</main>;
  if (loaded.state === "failed") {
    return (
      <main class="event-page">
        <p class="notice">{loaded.message}</p>
        <a href="#/">Back to the list</a>
      </main>
    );
  }
  const { detail, digest } = loaded;
  const event: Json | undefined = detail.event;
  const remarks = collectRemarks(asObject(event?._meta));
  const spans = carriesSpans(digest.item_types);
  const others = (detail.items ?? []).filter((item) => !EVENT_ITEMS.has(item.headers.type) && !(spans && SPAN_ITEMS.has(item.headers.type)));
  const related = digest.trace_id === undefined ? [] : captures.filter((each) => each.trace_id === digest.trace_id && each.event_id !== digest.event_id);
  const received = new Date(detail.received);
  const facts: [string, string | undefined][] = [
    ["id", detail.event_id],
    ["received", `${received.toLocaleDateString()} ${formatClock(received)}`],
    ["items", digest.item_types.join(", ")],
    ["SDK", digest.sdk],
    ["platform", digest.platform],
    ["environment", digest.environment],
    ["release", typeof event?.release === "string" ? event.release : undefined],
    ["trace", digest.trace_id],
  ];
  return (
    <main class="event-page">
      <a class="back" href="#/">
        ← All captures
      </a>
      <header class="event-header">
        <h1>
          <LevelBadge level={digest.level} /> <span class="event-title">{digest.title}</span>
        </h1>
        {digest.culprit && <p class="event-culprit">{digest.culprit}</p>}
        <dl class="facts">
          {facts
            .filter((fact): fact is [string, string] => fact[1] !== undefined)
            .map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
        </dl>
      </header>
      <nav class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === "details"} class={tab === "details" ? "tab on" : "tab"} onClick={() => { setTab("details"); }}>
          Details
        </button>
        <button type="button" role="tab" aria-selected={tab === "raw"} class={tab === "raw" ? "tab on" : "tab"} onClick={() => { setTab("raw"); }}>
          Raw
        </button>
      </nav>
      {tab === "raw" ? (
        <RawView detail={detail} />
      ) : (
        <div>
          {detail.envelope_error && <p class="notice">The envelope could not be read: {detail.envelope_error}</p>}
          {remarks.length > 0 && (
            <Section title={`Changed by processing (${remarks.length})`} id="changes">
              <ProcessingChanges remarks={remarks} />
            </Section>
          )}
          {spans && (
            <Section title="Spans" id="spans">
              <TraceSpans detail={detail} traceId={digest.trace_id} captures={captures} />
            </Section>
          )}
          {event && <EventDetails event={event} />}
          {others.map((item, index) => (
            <Section title={itemTitle(item.headers)} id={`item-${index}`} key={index}>
              <ItemView item={item} />
            </Section>
          ))}
          {related.length > 0 && (
            <Section title="Also in this trace" id="related">
              <ul class="related">
                {related.map((each) => (
                  <li key={each.event_id}>
                    <a href={`#/events/${each.event_id}`}>{each.title}</a> <span class="types">{each.item_types.join(", ")}</span>
                  </li>
                ))}
              </ul>
            </Section>
          )}
        </div>
      )}
    </main>
  );
}

function itemTitle(headers: Json & { type: string }): string {
  const names: Readonly<Record<string, string>> = { span: "Spans", log: "Logs", session: "Session", sessions: "Sessions", client_report: "Client report", check_in: "Check-in", attachment: "Attachment", feedback: "Feedback" };
  const name = names[headers.type] ?? `Item: ${headers.type}`;
  return typeof headers.filename === "string" ? `${name} ${headers.filename}` : name;
}
