import { describe, expect, it, vi } from "vitest";
import { openCaptureStore } from "./capture-store.js";
import { logCaptures } from "./capture-log.js";

const encoder = new TextEncoder();

describe("logCaptures", () => {
  it("logs one line per capture with its types, title and page link, until stopped", () => {
    const store = openCaptureStore(":memory:", 10);
    const lines: string[] = [];
    const stop = logCaptures(store, { info: (line: string) => lines.push(line) } as never, { pageUrl: "http://127.0.0.1:3000/" });
    const id = "a".repeat(32);
    store.addMany([
      { id, projectId: "1", receivedAt: 0, itemTypes: ["event", "attachment"], title: "Error: boom", envelope: encoder.encode("{}\n") },
      { id: "b".repeat(32), projectId: "1", receivedAt: 0, itemTypes: ["session"], title: "session", envelope: encoder.encode("{}\n") },
    ]);
    store.clear();
    stop();
    store.add({ id: "c".repeat(32), projectId: "1", receivedAt: 0, itemTypes: ["event"], title: "after", envelope: encoder.encode("{}\n") });
    expect(lines).toEqual([
      `captured event+attachment: Error: boom  http://127.0.0.1:3000/#/events/${id}`,
      `captured session: session  http://127.0.0.1:3000/#/events/${"b".repeat(32)}`,
      "captured events cleared",
    ]);
    store.close();
  });

  it("past perSecond captures in a second, counts the rest in one line when the second is over", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const store = openCaptureStore(":memory:", 100);
      const lines: string[] = [];
      const stop = logCaptures(store, { info: (line: string) => lines.push(line) } as never, { pageUrl: "http://127.0.0.1:3000/", perSecond: 3 });
      const entry = (n: number) => ({ id: n.toString(16).padStart(32, "0"), projectId: "1", receivedAt: 0, itemTypes: ["event"], title: `event ${n}`, envelope: encoder.encode("{}\n") });
      store.addMany([1, 2, 3, 4, 5].map(entry));
      expect(lines).toEqual([1, 2, 3].map((n) => `captured event: event ${n}  http://127.0.0.1:3000/#/events/${n.toString(16).padStart(32, "0")}`));
      // The count comes once the second is over, without waiting for another capture.
      vi.advanceTimersByTime(1000);
      expect(lines.slice(3)).toEqual(["captured 2 more items (more than 3 a second are not listed one by one; see http://127.0.0.1:3000/)"]);
      // A new second lists captures again; stopping tells what was not listed yet.
      store.addMany([6, 7, 8, 9].map(entry));
      stop();
      expect(lines.slice(4)).toEqual([
        ...[6, 7, 8].map((n) => `captured event: event ${n}  http://127.0.0.1:3000/#/events/${n.toString(16).padStart(32, "0")}`),
        "captured 1 more item (more than 3 a second are not listed one by one; see http://127.0.0.1:3000/)",
      ]);
      store.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
