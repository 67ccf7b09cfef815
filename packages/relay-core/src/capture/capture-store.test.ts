import { describe, expect, it } from "vitest";
import { openCaptureStore, type CapturedEnvelope } from "./capture-store.js";

const entry = (n: number): CapturedEnvelope => ({
  id: String(n).repeat(32).slice(0, 32),
  projectId: "1",
  receivedAt: n,
  itemTypes: ["event"],
  title: `event ${n}`,
  envelope: new TextEncoder().encode(`{}\n{"type":"event"}\n{"n":${n}}\n`),
});

describe("capture store", () => {
  it("tells subscribers what was added and when it was cleared, and clear() forgets everything", () => {
    const store = openCaptureStore(":memory:", 10);
    const seen: string[] = [];
    const stop = store.subscribe((change) => seen.push(change === "cleared" ? "cleared" : change.added.map((each) => each.title).join(",")));
    store.add(entry(1));
    store.addMany([entry(2), entry(3)]);
    store.addMany([]);
    expect(store.clear()).toBe(3);
    expect(store.count()).toBe(0);
    expect(store.list(10)).toEqual([]);
    stop();
    store.add(entry(4));
    expect(seen).toEqual(["event 1", "event 2,event 3", "cleared"]);
    expect(store.count()).toBe(1);
    store.close();
  });
});
