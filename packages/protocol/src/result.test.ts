import { describe, expect, it } from "vitest";
import { err, ok } from "./result.js";
import { ProtocolError } from "./protocol-error.js";

describe("Result", () => {
  it("tells success from failure through ok", () => {
    const good = ok(1);
    const bad = err(new ProtocolError("bad_thing", "a bad thing"));
    expect(good).toEqual({ ok: true, value: 1 });
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe("bad_thing");
    expect(bad.error.name).toBe("ProtocolError");
  });
});
