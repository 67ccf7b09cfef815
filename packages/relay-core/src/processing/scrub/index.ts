export { FILTERED, scrubEvent } from "./scrub-event.js";
export type { ScrubResult } from "./scrub-event.js";
export { mergeScrubbingPolicies } from "./scrubbing-policy.js";
export type { ScrubbingPolicy } from "./scrubbing-policy.js";
