import { useEffect, useState } from "preact/hooks";
import { API, type CaptureDigest } from "./api";

/** The live list's state: captures newest first, and whether the feed is connected. */
export interface CaptureFeedState {
  readonly entries: readonly CaptureDigest[];
  readonly connected: boolean;
  /** Ids that arrived after the page opened (highlighted). */
  readonly fresh: ReadonlySet<string>;
}

function newestFirst(a: CaptureDigest, b: CaptureDigest): number {
  return b.received.localeCompare(a.received);
}

/**
 * Follows the relay's feed of captures (server-sent events). The browser reconnects by itself;
 * each connection starts with the recent backlog, so entries are kept by id.
 */
export function useCaptureFeed(): CaptureFeedState {
  const [state, setState] = useState<CaptureFeedState>({ entries: [], connected: false, fresh: new Set() });
  useEffect(() => {
    const byId = new Map<string, CaptureDigest>();
    const fresh = new Set<string>();
    let ready = false;
    let scheduled = false;
    let connected = false;
    const publish = (): void => {
      if (scheduled) return;
      scheduled = true;
      // Many captures in one burst render once.
      requestAnimationFrame(() => {
        scheduled = false;
        setState({ entries: [...byId.values()].sort(newestFirst), connected, fresh: new Set(fresh) });
      });
    };
    const source = new EventSource(API.stream);
    source.addEventListener("open", () => {
      ready = false;
    });
    source.addEventListener("captured", (message) => {
      const digest = JSON.parse((message as MessageEvent<string>).data) as CaptureDigest;
      if (ready && !byId.has(digest.event_id)) fresh.add(digest.event_id);
      byId.set(digest.event_id, digest);
      if (ready) publish();
    });
    source.addEventListener("ready", () => {
      ready = true;
      connected = true;
      publish();
    });
    source.addEventListener("cleared", () => {
      byId.clear();
      fresh.clear();
      publish();
    });
    source.addEventListener("error", () => {
      connected = false;
      publish();
    });
    return () => {
      source.close();
    };
  }, []);
  return state;
}
