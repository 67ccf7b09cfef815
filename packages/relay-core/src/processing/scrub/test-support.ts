import type { ScrubbingPolicy } from "./scrubbing-policy.js";
import { compileScrubbing } from "./scrub-plan.js";
import { scrubEventInPlace } from "./scrub-item.js";

/** Scrubs a copy of `event` with a `piiConfig` and (optionally) data scrubbing settings; for tests. */
export function scrubWith(event: Record<string, unknown>, piiConfig: unknown, settings: ScrubbingPolicy = { scrubData: false }): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
  const { plan } = compileScrubbing({ piiConfig }, settings);
  scrubEventInPlace(copy, plan);
  return copy;
}

/** Scrubs one string held in `extra.value` with the given rules applied to `$string`; returns the value and its remarks. */
export function scrubText(input: string, rules: readonly string[], customRules: Record<string, unknown> = {}): { value: unknown; remarks: unknown } {
  const out = scrubWith({ extra: { value: input } }, { rules: customRules, applications: { $string: rules } });
  const meta = out._meta as { extra?: { value?: { "": { rem: unknown } } } } | undefined;
  return { value: (out.extra as { value: unknown }).value, remarks: meta?.extra?.value?.[""].rem ?? [] };
}
