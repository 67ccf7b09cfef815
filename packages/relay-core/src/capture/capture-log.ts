import type { Logger } from "pino";
import { digestCapture } from "./capture-digest.js";
import type { CaptureStore } from "./capture-store.js";

/** Options of {@link logCaptures}. */
export interface CaptureLogOptions {
  /** The address of capture mode's web page, which each line links into. */
  readonly pageUrl: string;
  /** Captures logged one by one per second at most; the others are counted in one line (default 10). */
  readonly perSecond?: number | undefined;
}

/**
 * Logs one info line per capture as it is kept: its item types, its title and the link to its
 * page in capture mode's web page at `pageUrl`. Past `perSecond` captures in a second, the rest of
 * that second's are counted and logged as one line when it is over: a load test does not turn the
 * terminal (and the relay's CPU) into a log of every event. Returns the function that stops the
 * lines.
 */
export function logCaptures(store: CaptureStore, logger: Pick<Logger, "info">, options: CaptureLogOptions): () => void {
  const base = options.pageUrl.replace(/\/+$/, "");
  const perSecond = options.perSecond ?? 10;
  let windowStart = Number.NEGATIVE_INFINITY;
  let logged = 0;
  let unlisted = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (unlisted === 0) return;
    logger.info(`captured ${unlisted} more ${unlisted === 1 ? "item" : "items"} (more than ${perSecond} a second are not listed one by one; see ${base}/)`);
    unlisted = 0;
  };
  const unsubscribe = store.subscribe((change) => {
    if (change === "cleared") {
      flush();
      logger.info("captured events cleared");
      return;
    }
    for (const entry of change.added) {
      const now = Date.now();
      if (now - windowStart >= 1000) {
        flush();
        windowStart = now;
        logged = 0;
      }
      if (logged >= perSecond) {
        unlisted += 1;
        if (!timer) {
          timer = setTimeout(flush, 1000 - (now - windowStart));
          timer.unref();
        }
        continue;
      }
      logged += 1;
      const digest = digestCapture(entry);
      logger.info(`captured ${entry.itemTypes.join("+")}: ${digest.title}  ${base}/#/events/${entry.id}`);
    }
  });
  return () => {
    unsubscribe();
    flush();
  };
}
