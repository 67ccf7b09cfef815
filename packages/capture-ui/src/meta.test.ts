import { describe, expect, it } from "vitest";
import { collectRemarks, describeMeta, fieldMeta, metaChild } from "./meta";

const meta = {
  extra: { password: { "": { rem: [["@password:filter", "s", 0, 10]], len: 7 } }, note: { "": { rem: [["@creditcard:filter", "s", 5, 15]] } } },
  user: { ip_address: { "": { rem: [["@ip:replace", "s"]] } } },
  exception: { values: { "0": { value: { "": { err: [["value_too_long", {}]], len: 9000 } } } } },
  request: { "": {} },
};

describe("_meta", () => {
  it("says what processing did to a field and by which rule", () => {
    expect(describeMeta(fieldMeta(meta.extra.password)!)).toBe("[Filtered] by @password:filter (was 7 characters)");
    expect(describeMeta(fieldMeta(metaChild(metaChild(metaChild(meta.exception, "values"), 0), "value"))!)).toBe("invalid: value_too_long (was 9000 characters)");
    expect(describeMeta({ rem: [["@anything", "x"], ["@mask", "m"], ["@odd", "?"]], err: [] })).toBe("[Removed] by @anything; [Masked] by @mask; [?] by @odd");
  });

  it("finds every changed field with its path, and nothing for untouched ones", () => {
    expect(collectRemarks(meta).map((remark) => remark.path)).toEqual(["extra.password", "extra.note", "user.ip_address", "exception.values.0.value"]);
    expect(fieldMeta(meta.request)).toBeUndefined();
    expect(collectRemarks(undefined)).toEqual([]);
    expect(collectRemarks({ "": { rem: "not a list" } })).toEqual([]);
  });
});
