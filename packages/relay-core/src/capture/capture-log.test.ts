import { describe, expect, it } from "vitest";
import { openCaptureStore } from "./capture-store.js";
import { logCaptures } from "./capture-log.js";

const encoder = new TextEncoder();

describe("logCaptures", () => {
  it("logs one line per capture with its types, title and page link, until stopped", () => {
    const store = openCaptureStore(":memory:", 10);
    const lines: string[] = [];
    const stop = logCaptures(store, { info: (line: string) => lines.push(line) } as never, "http://127.0.0.1:3000/");
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
});
