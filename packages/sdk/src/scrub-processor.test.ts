import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FILTERED, scrubEvent } from "./scrub-processor.js";

describe("scrubEvent (SDK side)", () => {
  it("filters sensitive keys at any depth and in tag pairs", () => {
    const event = scrubEvent({
      extra: { db: { password: "x", host: "db" }, Token: "t", list: [["secret", "s"]] },
      tags: [["auth_token", "t"], ["tier", "web"]],
    });
    expect(event).toEqual({
      extra: { db: { password: FILTERED, host: "db" }, Token: FILTERED, list: [["secret", FILTERED]] },
      tags: [["auth_token", FILTERED], ["tier", "web"]],
    });
  });

  it("keeps cookies and bodies when asked", () => {
    const request = { cookies: "a=b", data: "body", headers: { Cookie: "a=b" } };
    expect(scrubEvent({ request }, { sendCookies: true, sendRequestBodies: true }).request).toEqual(request);
  });

  it("drops cookie headers given as a list of pairs, and a request that is not an object", () => {
    const headers = [["Cookie", "a=b"], ["Accept", "*/*"], ["set-cookie", "c=d"]];
    expect(scrubEvent({ request: { headers } }).request).toEqual({ headers: [["Accept", "*/*"]] });
    // Never spread into one key per character or item.
    expect(scrubEvent({ request: "x".repeat(1000) })).toEqual({});
    expect(scrubEvent({ request: [1, 2] })).toEqual({});
    expect(scrubEvent({ request: { headers: "Cookie: a=b" } }).request).toEqual({ headers: "Cookie: a=b" });
  });

  it("never throws", () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (event) => typeof scrubEvent(event) === "object"));
  });
});
