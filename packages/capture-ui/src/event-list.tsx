import { useEffect, useMemo, useState } from "preact/hooks";
import { API, type CaptureDigest } from "./api";
import { formatAgo, formatClock } from "./format-time";
import { DEFAULT_KINDS, ITEM_KINDS, kindOf, type ItemKind } from "./item-kind";
import { LevelBadge } from "./level-badge";
import type { CaptureFeedState } from "./use-capture-feed";

function matches(entry: CaptureDigest, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const text = [entry.title, entry.culprit, entry.sdk, entry.level, entry.environment, entry.event_id, ...entry.item_types]
    .filter(Boolean)
    .join(" ")
    .toLowerCase();
  return words.every((word) => text.includes(word));
}

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, intervalMs);
    return () => {
      clearInterval(timer);
    };
  }, [intervalMs]);
  return now;
}

/** The list's filters and search, kept by the app so that they survive a visit to an event. */
export interface ListView {
  readonly kinds: ReadonlySet<ItemKind>;
  readonly query: string;
}

/** The filters the page opens with. */
export const DEFAULT_VIEW: ListView = { kinds: DEFAULT_KINDS, query: "" };

/** The live list of captures, with type filters, search and a button that empties the store. */
export function EventList({ feed, view, onView }: { feed: CaptureFeedState; view: ListView; onView: (view: ListView) => void }) {
  const { kinds, query } = view;
  const setKinds = (next: ReadonlySet<ItemKind>): void => {
    onView({ ...view, kinds: next });
  };
  const setQuery = (next: string): void => {
    onView({ ...view, query: next });
  };
  const [clearing, setClearing] = useState<string | undefined>();
  const now = useNow(5_000);

  const counts = useMemo(() => {
    const result = new Map<ItemKind, number>();
    for (const entry of feed.entries) {
      const kind = kindOf(entry.item_types);
      result.set(kind, (result.get(kind) ?? 0) + 1);
    }
    return result;
  }, [feed.entries]);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = feed.entries.filter((entry) => kinds.has(kindOf(entry.item_types)) && matches(entry, words));

  const toggle = (kind: ItemKind): void => {
    const next = new Set(kinds);
    if (next.has(kind)) next.delete(kind);
    else next.add(kind);
    setKinds(next);
  };
  const clear = async (): Promise<void> => {
    setClearing("clearing…");
    const response = await fetch(API.events, { method: "DELETE" });
    setClearing(response.ok ? undefined : `clear failed (${response.status})`);
  };

  return (
    <main class="list-page">
      <div class="toolbar">
        <input
          class="search"
          type="search"
          placeholder="Search title, culprit, SDK, id…"
          value={query}
          onInput={(event) => {
            setQuery(event.currentTarget.value);
          }}
        />
        <div class="filters" role="group" aria-label="Types">
          {ITEM_KINDS.map(({ kind, label }) => (
            <button
              type="button"
              key={kind}
              class={kinds.has(kind) ? "chip on" : "chip"}
              aria-pressed={kinds.has(kind)}
              data-kind={kind}
              onClick={() => {
                toggle(kind);
              }}
            >
              {label} <span class="count">{counts.get(kind) ?? 0}</span>
            </button>
          ))}
        </div>
        <button type="button" class="clear" onClick={() => void clear()} disabled={clearing === "clearing…"}>
          Clear
        </button>
      </div>
      {clearing && <p class="notice">{clearing}</p>}
      {!feed.connected && <p class="notice">Not connected to the relay; retrying…</p>}
      <table class="events">
        <thead>
          <tr>
            <th>Level</th>
            <th>Title</th>
            <th>Culprit / transaction</th>
            <th>SDK</th>
            <th>Time</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((entry) => {
            const received = new Date(entry.received);
            const href = `#/events/${entry.event_id}`;
            return (
              <tr key={entry.event_id} class={feed.fresh.has(entry.event_id) ? "event-row fresh" : "event-row"} data-id={entry.event_id}>
                <td>
                  <LevelBadge level={entry.level} />
                </td>
                <td class="title">
                  <a href={href}>{entry.title}</a>
                  <span class="types">{entry.item_types.join(", ")}</span>
                </td>
                <td class="culprit">{entry.culprit ?? ""}</td>
                <td class="sdk">{entry.sdk ?? ""}</td>
                <td class="time" title={received.toISOString()}>
                  {formatClock(received)} <span class="ago">{formatAgo(received, now)}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {shown.length === 0 && (
        <p class="empty">
          {feed.entries.length === 0
            ? "Nothing captured yet. Point an SDK at the DSN the relay printed; events appear here as they arrive."
            : `No capture matches (${feed.entries.length} hidden by the filters or the search).`}
        </p>
      )}
    </main>
  );
}
