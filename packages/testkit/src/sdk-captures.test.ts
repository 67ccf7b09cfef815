import { describe, expect, it } from "vitest";
import { captureHeader, loadSdkCaptures } from "./sdk-captures.js";

describe("loadSdkCaptures", () => {
  const captures = loadSdkCaptures();

  it("loads every recorded request with its wire bytes", () => {
    expect(captures.length).toBeGreaterThanOrEqual(29);
    for (const capture of captures) {
      expect(capture.method, capture.file).toBe("POST");
      expect(capture.body.length, capture.file).toBeGreaterThan(0);
    }
  });

  it("keeps compressed bodies as raw bytes", () => {
    const gzip = captures.find((c) => c.file.includes("__gzip"));
    expect(gzip?.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gzip && captureHeader(gzip, "Content-Encoding")).toBe("gzip");
  });
});
