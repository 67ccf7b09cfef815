import { describe, expect, it } from "vitest";
import { DATA_CATEGORIES } from "../rate-limits/data-category.js";
import { itemCategory } from "./item-category.js";
import { EVENT_ITEM_TYPES, KNOWN_ITEM_TYPES, isKnownItemType } from "./item-type.js";

describe("itemCategory", () => {
  it.each([
    ["event", "error"],
    ["transaction", "transaction"],
    ["attachment", "attachment"],
    ["session", "session"],
    ["sessions", "session"],
    ["check_in", "monitor"],
    ["client_report", "internal"],
    ["user_report", "default"],
    ["span", "span"],
    ["log", "log_item"],
    ["replay_event", "replay"],
    ["replay_recording", "replay"],
    ["replay_video", "replay"],
    ["profile", "profile"],
    ["profile_chunk", "profile"],
    ["feedback", "feedback"],
    ["statsd", "metric_bucket"],
    ["security", "security"],
    ["raw_security", "security"],
  ])("counts %s items as %s, as the spec lists", (type, category) => {
    expect(itemCategory(type)).toBe(category);
  });

  it.each(["brand_new", "", "EVENT", "__proto__", "constructor", "toString"])("counts the unknown type %j as default", (type) => {
    expect(itemCategory(type)).toBe("default");
  });

  it("gives every known type a category that rate limits know", () => {
    for (const type of KNOWN_ITEM_TYPES) expect(DATA_CATEGORIES).toContain(itemCategory(type));
  });
});

describe("item types", () => {
  it("knows every type the spec lists", () => {
    const listed = ["event", "transaction", "attachment", "session", "sessions", "user_report", "feedback", "client_report", "check_in", "replay_event", "replay_recording", "profile", "profile_chunk", "span", "log", "statsd"];
    for (const type of listed) expect(isKnownItemType(type)).toBe(true);
    expect(isKnownItemType("brand_new")).toBe(false);
    expect(isKnownItemType("__proto__")).toBe(false);
  });

  it("counts events and transactions as event-like, attachments not", () => {
    expect([...EVENT_ITEM_TYPES].sort()).toEqual(["event", "raw_security", "security", "transaction"]);
  });
});
