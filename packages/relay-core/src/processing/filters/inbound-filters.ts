import { BlockList, isIP } from "node:net";

/** A project's inbound filter settings, as in Sentry project configs. */
export interface FilterSettings {
  readonly localhost?: { readonly isEnabled?: boolean } | undefined;
  readonly browserExtensions?: { readonly isEnabled?: boolean } | undefined;
  readonly legacyBrowsers?: { readonly isEnabled?: boolean } | undefined;
  readonly webCrawlers?: { readonly isEnabled?: boolean } | undefined;
  readonly errorMessages?: { readonly patterns?: readonly string[] } | undefined;
  readonly releases?: { readonly releases?: readonly string[] } | undefined;
  readonly clientIps?: { readonly blacklistedIps?: readonly string[] } | undefined;
}

/** Why an event was filtered, named as Sentry names the outcome. */
export type FilterReason =
  | "localhost"
  | "browser-extensions"
  | "legacy-browsers"
  | "web-crawlers"
  | "error-message"
  | "release-version"
  | "ip-address";

type Json = Record<string, unknown>;

const obj = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;

function headerValue(event: Json, name: string): string | undefined {
  const headers = obj(event.request)?.headers;
  if (Array.isArray(headers)) {
    for (const pair of headers) {
      if (Array.isArray(pair) && typeof pair[0] === "string" && pair[0].toLowerCase() === name && typeof pair[1] === "string") return pair[1];
    }
    return undefined;
  }
  const map = obj(headers);
  if (!map) return undefined;
  for (const [key, value] of Object.entries(map)) if (key.toLowerCase() === name && typeof value === "string") return value;
  return undefined;
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);
const LOCAL_IPS = new Set(["127.0.0.1", "::1"]);

function isLocalhost(event: Json): boolean {
  const ip = obj(event.user)?.ip_address;
  if (typeof ip === "string" && LOCAL_IPS.has(ip)) return true;
  const url = obj(event.request)?.url;
  if (typeof url !== "string") return false;
  try {
    const host = new URL(url).hostname;
    return LOCAL_HOSTS.has(host) || host.endsWith(".localhost");
  } catch {
    return false;
  }
}

const EXTENSION_MESSAGES = [
  /top\.GLOBALS/,
  /originalCreateNotification/,
  /canvas\.contentDocument/,
  /MyApp_RemoveAllHighlights/,
  /http:\/\/tt\.epicplay\.com/,
  /Can't find variable: ZiteReader/,
  /jigsaw is not defined/,
  /ComboSearch is not defined/,
  /http:\/\/loading\.retry\.widdit\.com\//,
  /atomicFindClose/,
  /fb_xd_fragment/,
  /bmi_SafeAddOnload/,
  /EBCallBackMessageReceived/,
  /conduitPage/,
  /Script error\.?$/,
  /_avast_submit/,
];
const EXTENSION_SCHEMES = /^(?:chrome(?:-extension)?|moz-extension|safari(?:-web)?-extension|ms-browser-extension|resource|webkit-masked-url):\/\//;
const THIRD_PARTY_SCRIPTS = /^(?:https?:)?\/\/(?:graph\.facebook\.com|connect\.facebook\.net\/[^/]*\/(?:all|sdk)\.js|eatdifferent\.com\.woopra-ns\.com|static\.woopra\.com\/js\/woopra\.js)/;

function exceptionValues(event: Json): Json[] {
  const values = obj(event.exception)?.values;
  return Array.isArray(values) ? values.map(obj).filter((v): v is Json => v !== undefined) : [];
}

function frames(exception: Json): Json[] {
  const list = obj(exception.stacktrace)?.frames;
  return Array.isArray(list) ? list.map(obj).filter((f): f is Json => f !== undefined) : [];
}

function isBrowserExtension(event: Json): boolean {
  for (const exception of exceptionValues(event)) {
    const message = `${typeof exception.type === "string" ? `${exception.type}: ` : ""}${typeof exception.value === "string" ? exception.value : ""}`;
    if (EXTENSION_MESSAGES.some((pattern) => pattern.test(message))) return true;
    const top = frames(exception).at(-1);
    const source = top?.abs_path ?? top?.filename;
    if (typeof source === "string" && (EXTENSION_SCHEMES.test(source) || THIRD_PARTY_SCRIPTS.test(source))) return true;
  }
  return false;
}

const LEGACY_BROWSER = [
  /MSIE [5-9]\.|MSIE 10\./, // Internet Explorer up to 10
  /Trident\/[4-6]\./,
  /Opera\/[0-9]\.|Opera [0-9]\.|OPR\/1[0-4]\./, // Opera before 15 (Presto)
  /Opera Mini\/[0-7]\./,
  /Android [0-3]\.[0-9.]*;.*(?!Chrome)AppleWebKit/, // Android's stock browser before 4
  /Version\/[0-5]\.[0-9.]* Safari\//, // Safari before 6
];

const CRAWLERS =
  /Mediapartners-Google|AdsBot-Google|Googlebot|FeedFetcher-Google|APIs-Google|bingbot|BingPreview|Slurp|DuckDuckBot|Baiduspider|YandexBot|YandexImages|facebookexternalhit|facebookcatalog|Twitterbot|LinkedInBot|Applebot|AhrefsBot|SemrushBot|MJ12bot|PetalBot|Sogou|Exabot|ia_archiver|archive\.org_bot|PingdomBot|UptimeRobot|StatusCake|NewRelicPinger|Datadog\/Synthetics|\bbot\b|crawler|spider/i;

/** Sentry's glob: `*` matches any run of characters (newlines included), case-insensitive. */
const globCache = new Map<string, RegExp>();
function glob(pattern: string): RegExp {
  let regex = globCache.get(pattern);
  if (!regex) {
    const source = pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]*");
    regex = new RegExp(`^${source}$`, "i");
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(pattern, regex);
  }
  return regex;
}

function messagesOf(event: Json): string[] {
  const messages: string[] = [];
  for (const exception of exceptionValues(event)) {
    const type = typeof exception.type === "string" ? exception.type : "";
    const value = typeof exception.value === "string" ? exception.value : "";
    messages.push(type && value ? `${type}: ${value}` : type || value);
  }
  const logentry = obj(event.logentry);
  const text = logentry?.formatted ?? logentry?.message ?? event.message;
  if (typeof text === "string") messages.push(text);
  return messages;
}

function blockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.trim().split("/");
    if (!address) continue;
    const family = isIP(address);
    if (family === 0) continue;
    const type = family === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else if (/^\d+$/.test(prefix)) list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/**
 * Decides whether a project's inbound filters drop an event, and why. `clientIp` is the address
 * the relay received the event from.
 */
export function checkInboundFilters(event: Json, settings: FilterSettings | undefined, clientIp: string | undefined): FilterReason | undefined {
  if (!settings) return undefined;
  const ips = settings.clientIps?.blacklistedIps ?? [];
  if (clientIp && ips.length > 0) {
    const family = isIP(clientIp);
    if (family !== 0 && blockList(ips).check(clientIp, family === 6 ? "ipv6" : "ipv4")) return "ip-address";
  }
  const releases = settings.releases?.releases ?? [];
  if (typeof event.release === "string" && releases.some((pattern) => glob(pattern).test(event.release as string))) return "release-version";
  const patterns = settings.errorMessages?.patterns ?? [];
  if (patterns.length > 0) {
    const messages = messagesOf(event);
    if (patterns.some((pattern) => messages.some((message) => glob(pattern).test(message)))) return "error-message";
  }
  if (settings.localhost?.isEnabled && isLocalhost(event)) return "localhost";
  if (settings.browserExtensions?.isEnabled && isBrowserExtension(event)) return "browser-extensions";
  const userAgent = headerValue(event, "user-agent");
  if (userAgent) {
    if (settings.webCrawlers?.isEnabled && CRAWLERS.test(userAgent)) return "web-crawlers";
    if (settings.legacyBrowsers?.isEnabled && LEGACY_BROWSER.some((pattern) => pattern.test(userAgent))) return "legacy-browsers";
  }
  return undefined;
}
