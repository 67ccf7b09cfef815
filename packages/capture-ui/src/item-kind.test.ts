import { describe, expect, it } from "vitest";
import { DEFAULT_KINDS, kindOf } from "./item-kind";

describe("kindOf", () => {
  it.each([
    [["event", "attachment"], "error"],
    [["transaction"], "trace"],
    [["span"], "trace"],
    [["otel_span"], "trace"],
    [["log"], "log"],
    [["session"], "session"],
    [["sessions"], "session"],
    [["client_report"], "session"],
    [["check_in"], "check_in"],
    [["feedback"], "feedback"],
    [["attachment", "event"], "error"],
    [["nel"], "other"],
    [["something_new"], "other"],
    [[], "other"],
  ])("%j is %s", (types, kind) => {
    expect(kindOf(types)).toBe(kind);
  });

  it("hides sessions and client reports by default, and shows everything else", () => {
    expect(DEFAULT_KINDS.has("session")).toBe(false);
    expect([...DEFAULT_KINDS].sort()).toEqual(["check_in", "error", "feedback", "log", "other", "trace"]);
  });
});
