import type { Logger } from "pino";
import { digestCapture } from "./capture-digest.js";
import type { CaptureStore } from "./capture-store.js";

/**
 * Logs one info line per capture as it is kept: its item types, its title and the link to its
 * page in capture mode's web page at `pageUrl`. Returns the function that stops the lines.
 */
export function logCaptures(store: CaptureStore, logger: Pick<Logger, "info">, pageUrl: string): () => void {
  const base = pageUrl.replace(/\/+$/, "");
  return store.subscribe((change) => {
    if (change === "cleared") {
      logger.info("captured events cleared");
      return;
    }
    for (const entry of change.added) {
      const digest = digestCapture(entry);
      logger.info(`captured ${entry.itemTypes.join("+")}: ${digest.title}  ${base}/#/events/${entry.id}`);
    }
  });
}
