// User agents of crawlers, uptime checkers and link previewers, matched anywhere, ignoring case.
const CRAWLERS = new RegExp(
  [
    "Mediapartners-Google",
    "AdsBot-Google",
    "Googlebot",
    "FeedFetcher-Google",
    "Storebot-Google",
    "BingBot",
    "BingPreview",
    "Baiduspider",
    "Slurp",
    "Sogou",
    "facebook",
    "meta-",
    "ia_archiver",
    String.raw`bots?(?:[/\s);]|$)`,
    String.raw`spider(?:[/\s);]|$)`,
    "Slack",
    String.raw`Calypso\sAppCrawler`,
    "pingdom",
    "lyticsbot",
    String.raw`AWS\sSecurity\sScanner`,
    String.raw`HubSpot\sCrawler`,
    "Bytespider",
    String.raw`Better\sUptime`,
    "Cloudflare-Healthchecks",
    "GTmetrix",
    "BrightEdgeOnCrawl",
    "ELB-HealthChecker",
    // The dot is any character here, as in the filter this list comes from.
    "naver.me/spd",
    "ClaudeBot",
    "CCBot",
    "OAI-SearchBot",
    "GPTBot",
    "PerplexityBot",
    "Applebot",
    "DuckDuckBot",
  ].join("|"),
  "i",
);

// Agents that look like crawlers but act for a person or for Sentry itself.
const ALLOWED = new RegExp([String.raw`Slackbot\s1\.\d+`, "SentryUptimeBot", "ChatGPT-User"].join("|"), "i");

/** Whether a User-Agent header belongs to a known web crawler. */
export function isWebCrawler(userAgent: string): boolean {
  return CRAWLERS.test(userAgent) && !ALLOWED.test(userAgent);
}
