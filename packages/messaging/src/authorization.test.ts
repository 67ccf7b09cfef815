import { describe, expect, it } from "vitest";
import { acquireVerb, isVerbAllowed } from "./authorization.js";

describe("isVerbAllowed", () => {
  it.each([
    [["ping"], "ping", true],
    [["ping"], "PING", false],
    [["*"], "anything", true],
    [["ping*"], "pingx", false],
    [[], "", false],
    [["acquire:restart"], acquireVerb("restart"), true],
    [["acquire:restart"], acquireVerb("restart-db"), false],
    [["acquire:*"], acquireVerb("restart"), true],
    [["acquire:restart-*"], acquireVerb("restart-db"), true],
    [["acquire:restart-*"], acquireVerb("deploy"), false],
    [["acquire:*"], acquireVerb("a.b"), false],
    [["acquire:**"], acquireVerb("a.b"), true],
    [["ping"], acquireVerb("x"), false],
  ])("%j allows %s: %s", (verbs, verb, allowed) => {
    expect(isVerbAllowed(verbs, verb)).toBe(allowed);
  });
});
