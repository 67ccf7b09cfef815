import type { ServerResponse } from "node:http";
import type { CaptureDigest } from "./capture-api.js";
import { digestCapture } from "./capture-digest.js";
import type { CapturedEnvelope, CaptureStore } from "./capture-store.js";

/** How often an idle stream gets a comment line, so that proxies and browsers keep it open. */
const HEARTBEAT_MS = 15_000;
/** Digests kept in memory, so that reconnecting pages do not parse every envelope again. */
const DIGEST_CACHE_SIZE = 2_000;

/** Live server-sent events over a capture store, for capture mode's web page. */
export interface CaptureFeed {
  /**
   * Streams to `response`: the newest `backlog` captures (oldest first) as `captured` events, then
   * every new capture as it is kept, and `cleared` when the store is emptied. Ends when the client
   * goes away or the feed is closed.
   */
  open(response: ServerResponse, backlog: number, headers?: Record<string, string | number | string[]>): void;
  /** The digest of one capture (cached). */
  digest(entry: CapturedEnvelope): CaptureDigest;
  /** How many streams are open. */
  readonly size: number;
  /** Ends every open stream (the relay is stopping). */
  close(): void;
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A live feed over `store`; one per HTTP app. */
export function createCaptureFeed(store: CaptureStore): CaptureFeed {
  const streams = new Set<ServerResponse>();
  const cache = new Map<string, CaptureDigest>();

  const digest = (entry: CapturedEnvelope): CaptureDigest => {
    const key = `${entry.id}:${entry.receivedAt}`;
    let found = cache.get(key);
    if (!found) {
      found = digestCapture(entry);
      cache.set(key, found);
      if (cache.size > DIGEST_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    return found;
  };

  return {
    open(response, backlog, headers = {}) {
      response.writeHead(200, {
        ...headers,
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        // A stream is never followed by another request on its connection: ending it closes the connection.
        connection: "close",
        "x-accel-buffering": "no",
      });
      response.write("retry: 1000\n\n");
      const recent = store.list(backlog).reverse();
      for (const summary of recent) {
        const entry = store.get(summary.id);
        if (entry) response.write(frame("captured", digest(entry)));
      }
      response.write(frame("ready", { total: store.count() }));
      const unsubscribe = store.subscribe((change) => {
        if (change === "cleared") {
          cache.clear();
          response.write(frame("cleared", {}));
          return;
        }
        for (const entry of change.added) response.write(frame("captured", digest(entry)));
      });
      const heartbeat = setInterval(() => response.write(": ping\n\n"), HEARTBEAT_MS);
      heartbeat.unref();
      streams.add(response);
      response.once("close", () => {
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(response);
      });
    },
    digest,
    get size() {
      return streams.size;
    },
    close() {
      for (const response of streams) {
        response.end();
        // A client that stopped reading without closing would otherwise hold the shutdown.
        response.socket?.destroySoon();
      }
    },
  };
}
