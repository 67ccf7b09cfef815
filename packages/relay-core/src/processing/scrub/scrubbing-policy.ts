/** What to scrub from events: the project's `datascrubbingSettings` and the relay's `pii` policy. */
export interface ScrubbingPolicy {
  /** Master switch: with it off, nothing is scrubbed. */
  readonly scrubData?: boolean | undefined;
  /** Apply the default rules: sensitive keys, credit cards, URL passwords, PEM keys, SSNs, cookies. */
  readonly scrubDefaults?: boolean | undefined;
  /** Remove IP addresses (the user's, and addresses inside strings). */
  readonly scrubIpAddresses?: boolean | undefined;
  /** More key names (substrings, case-insensitive) whose values are filtered. */
  readonly sensitiveFields?: readonly string[] | undefined;
  /** Key names never scrubbed. */
  readonly excludeFields?: readonly string[] | undefined;
}

/**
 * Combines the relay-wide policy with a project's settings: the stricter wins. Scrubbing is on if
 * either turns it on; sensitive fields add up; only the project may exclude fields. Without
 * project settings (capture and proxy modes, or a project that has none) the relay's policy is
 * the whole policy, its excluded fields included.
 */
export function mergeScrubbingPolicies(global: ScrubbingPolicy, project: ScrubbingPolicy | undefined): ScrubbingPolicy {
  if (!project) {
    return { ...global, sensitiveFields: [...(global.sensitiveFields ?? [])], excludeFields: [...(global.excludeFields ?? [])] };
  }
  const p = project;
  return {
    scrubData: Boolean(global.scrubData) || Boolean(p.scrubData),
    scrubDefaults: Boolean(global.scrubDefaults) || Boolean(p.scrubDefaults),
    scrubIpAddresses: Boolean(global.scrubIpAddresses) || Boolean(p.scrubIpAddresses),
    sensitiveFields: [...new Set([...(global.sensitiveFields ?? []), ...(p.sensitiveFields ?? [])])],
    excludeFields: [...(p.excludeFields ?? [])],
  };
}
