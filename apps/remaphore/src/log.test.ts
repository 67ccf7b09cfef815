import { describe, expect, it } from "vitest";
import { createLog, goLogPrefix } from "./log.js";

describe("the stderr log", () => {
  const at = new Date(2026, 0, 2, 3, 4, 5);

  it("prefixes lines as Go's log package does, in local time", () => {
    expect(goLogPrefix(at)).toBe("2026/01/02 03:04:05 ");
  });

  it("writes the original's lines by default, adds reasons with debug, and nothing with quiet", () => {
    const lines = (level: "quiet" | "default" | "debug"): string[] => {
      const out: string[] = [];
      const log = createLog((text) => out.push(text), level, () => at);
      log.info("Ready");
      log.debug("ignored a message: skew (late)");
      return out;
    };
    expect(lines("default")).toEqual(["2026/01/02 03:04:05 Ready\n"]);
    expect(lines("debug")).toEqual(["2026/01/02 03:04:05 Ready\n", "remaphore: debug: ignored a message: skew (late)\n"]);
    expect(lines("quiet")).toEqual([]);
  });
});
