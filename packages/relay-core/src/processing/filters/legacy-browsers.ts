import { parseUserAgent, type ParsedUserAgent } from "@org/protocol/event";

/** One browser test of a legacy-browser option: the browser families and the versions filtered. */
interface BrowserRule {
  readonly families: readonly string[];
  readonly filtered: (major: number) => boolean;
}

const below = (limit: number) => (major: number) => major < limit;
const exactly = (version: number) => (major: number) => major === version;

/**
 * The options of `filterSettings.legacyBrowsers.options`, each with what it filters. Unknown
 * option names filter nothing; `default` (below) replaces all of them when present.
 */
const OPTION_RULES: ReadonlyMap<string, BrowserRule> = new Map([
  ["ie_pre_9", { families: ["IE"], filtered: (major: number) => major <= 8 }],
  ["ie9", { families: ["IE"], filtered: exactly(9) }],
  ["ie10", { families: ["IE"], filtered: exactly(10) }],
  ["ie11", { families: ["IE"], filtered: exactly(11) }],
  ["opera_pre_15", { families: ["Opera"], filtered: below(15) }],
  ["opera_mini_pre_8", { families: ["Opera Mini"], filtered: below(8) }],
  ["android_pre_4", { families: ["Android"], filtered: below(4) }],
  ["safari_pre_6", { families: ["Safari"], filtered: below(6) }],
  ["edge_pre_79", { families: ["Edge"], filtered: below(79) }],
  ["ie", { families: ["IE"], filtered: below(12) }],
  ["safari", { families: ["Safari", "Mobile Safari"], filtered: below(16) }],
  ["opera", { families: ["Opera"], filtered: below(100) }],
  ["opera_mini", { families: ["Opera Mini"], filtered: below(35) }],
  ["android", { families: ["Android"], filtered: below(4) }],
  ["firefox", { families: ["Firefox"], filtered: below(111) }],
  ["chrome", { families: ["Chrome"], filtered: below(111) }],
  ["edge", { families: ["Edge"], filtered: below(111) }],
]);

/** The `default` option: the oldest version still accepted, per browser family. */
const DEFAULT_MIN_VERSIONS: ReadonlyMap<string, number> = new Map([
  ["Chrome", 0],
  ["IE", 10],
  ["Firefox", 0],
  ["Safari", 6],
  ["Edge", 0],
  ["Opera", 15],
  ["Android", 4],
  ["Opera Mini", 8],
]);

/** The major version when it is a plain number (as Rust's `i32` parsing reads it). */
function majorVersion(agent: ParsedUserAgent): number | undefined {
  const major = agent.major;
  if (major === undefined || !/^[+-]?\d+$/.test(major)) return undefined;
  const value = Number(major);
  return Number.isSafeInteger(value) && Math.abs(value) < 2 ** 31 ? value : undefined;
}

/** Whether the User-Agent is one of the legacy browsers that the options select. */
export function isLegacyBrowser(userAgent: string, options: readonly string[]): boolean {
  const agent = parseUserAgent(userAgent);
  // IE Mobile counts as IE, as Sentry's own filter always did.
  const family = agent.family === "IE Mobile" ? "IE" : agent.family;
  const major = majorVersion(agent);
  if (major === undefined) return false;
  if (options.includes("default")) {
    const min = DEFAULT_MIN_VERSIONS.get(family);
    return min !== undefined && major < min;
  }
  return options.some((option) => {
    const rule = OPTION_RULES.get(option);
    return rule !== undefined && rule.families.includes(family) && rule.filtered(major);
  });
}
