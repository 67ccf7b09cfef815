import { describe, expect, it } from "vitest";
import { isContainerItem, itemRecordLimit, itemSizeLimit } from "./item-limits.js";

describe("per-item size limits", () => {
  it("names Relay's limit for each item type", () => {
    const table: [Record<string, unknown>, string][] = [
      [{ type: "event" }, "event"],
      [{ type: "feedback" }, "event"],
      [{ type: "check_in" }, "check_in"],
      [{ type: "log" }, "log"],
      [{ type: "log", content_type: "application/vnd.sentry.items.log+json" }, "container"],
      [{ type: "span" }, "span"],
      [{ type: "span", content_type: "application/vnd.sentry.items.span.v2+json; charset=utf-8" }, "container"],
      [{ type: "profile_chunk" }, "profile"],
      [{ type: "replay_video" }, "replay_compressed"],
      [{ type: "client_report" }, "client_reports"],
      [{ type: "attachment" }, "attachment"],
      [{ type: "session" }, "none"],
      [{ type: "some_future_type" }, "none"],
    ];
    for (const [headers, limit] of table) expect([headers, itemSizeLimit(headers as { type: string })]).toEqual([headers, limit]);
  });

  it("holds records inside a container to their type's limit", () => {
    expect(isContainerItem({ type: "log", content_type: "application/vnd.sentry.items.log+json" })).toBe(true);
    expect(isContainerItem({ type: "log", content_type: "application/json" })).toBe(false);
    expect(itemRecordLimit({ type: "log" })).toBe("log");
    expect(itemRecordLimit({ type: "span" })).toBe("span");
  });
});
