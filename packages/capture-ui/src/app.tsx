import { useEffect, useState } from "preact/hooks";
import { DEFAULT_VIEW, EventList, type ListView } from "./event-list";
import { EventPage } from "./event-page";
import { useCaptureFeed } from "./use-capture-feed";

function currentRoute(): { page: "list" } | { page: "event"; id: string } {
  const match = /^#\/events\/([^/?#]+)/.exec(window.location.hash);
  return match ? { page: "event", id: decodeURIComponent(match[1]!) } : { page: "list" };
}

/** The page: the live list at `#/`, one capture at `#/events/<id>`. The feed stays open across both. */
export function App() {
  const [route, setRoute] = useState(currentRoute);
  const feed = useCaptureFeed();
  const [view, setView] = useState<ListView>(DEFAULT_VIEW);
  useEffect(() => {
    const onHash = (): void => {
      setRoute(currentRoute());
      window.scrollTo(0, 0);
    };
    window.addEventListener("hashchange", onHash);
    return () => {
      window.removeEventListener("hashchange", onHash);
    };
  }, []);
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          Relay capture
        </a>
        <span class={feed.connected ? "live on" : "live"}>{feed.connected ? "live" : "offline"}</span>
        <span class="top-count">{feed.entries.length} captured</span>
      </header>
      {route.page === "event" ? <EventPage id={route.id} captures={feed.entries} /> : <EventList feed={feed} view={view} onView={setView} />}
    </>
  );
}
