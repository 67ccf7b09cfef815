import { describe, expect, it } from "vitest";
import type { ProjectConfig, ProjectState } from "../projects/project-state.js";
import type { ClaimedEnvelope } from "../spool/spool.js";
import { processingInput } from "./process-envelope.js";

const KEY = "0123456789abcdef0123456789abcdef";

function stateWith(piiConfig: unknown): ProjectState {
  const config: ProjectConfig = { allowedDomains: ["*"], trustedRelays: [], piiConfig };
  return { projectId: "42", disabled: false, publicKeys: undefined, config };
}

describe("PII rules a project cannot use", () => {
  it("are reported once per project and change of problems, not per envelope or refresh", async () => {
    const broken = { rules: { bad_regex: { type: "pattern", pattern: "(x" } }, applications: { $string: ["bad_regex"] } };
    let current = stateWith(broken);
    const reports: string[] = [];
    const options = {
      projects: { get: () => Promise.resolve(current), close: () => undefined },
      globalScrubbing: { scrubData: true, scrubDefaults: true },
      onPiiProblems: (projectId: string, problems: readonly { rule: string }[]) => reports.push(`${projectId}:${problems.map((p) => p.rule).join(",")}`),
    };
    const claimed = { projectId: "42", context: { publicKey: KEY } } as unknown as ClaimedEnvelope;
    await processingInput(options, claimed);
    await processingInput(options, claimed);
    current = stateWith(structuredClone(broken));
    await processingInput(options, claimed);
    expect(reports).toEqual(["42:bad_regex"]);
    current = stateWith({ ...broken, applications: { $string: ["bad_regex", "missing"] } });
    await processingInput(options, claimed);
    expect(reports).toEqual(["42:bad_regex", "42:bad_regex,missing"]);
  });
});
