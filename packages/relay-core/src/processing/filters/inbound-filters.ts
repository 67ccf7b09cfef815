import { isFromBrowserExtension } from "./browser-extensions.js";
import { isDisallowedCsp } from "./csp.js";
import { asObject, asString, exceptionList, requestHeader, type Json } from "./event-access.js";
import { matchingGenericFilter, type GenericFilters } from "./generic.js";
import { anyGlobMatches } from "./glob.js";
import { networkContains, parseIpAddress, parseIpNetwork } from "./ip-network.js";
import { isLegacyBrowser } from "./legacy-browsers.js";
import { isFromLocalhost } from "./localhost.js";
import { isWebCrawler } from "./web-crawlers.js";

/** A filter that is on or off. */
export interface FilterToggle {
  /** Whether the filter runs; it is off unless this is `true`. */
  readonly isEnabled?: boolean | undefined;
}

/**
 * A project's inbound filter settings (`filterSettings` in Sentry project configs). Every part is
 * optional and a missing part filters nothing.
 */
export interface FilterSettings {
  /** Events from the developer's own machine. */
  readonly localhost?: FilterToggle | undefined;
  /** Errors raised by known browser extensions and injected scripts. */
  readonly browserExtensions?: FilterToggle | undefined;
  /** Old browsers: needs `isEnabled` and at least one option (`default`, `ie11`, `safari`, ...). */
  readonly legacyBrowsers?: (FilterToggle & { readonly options?: readonly string[] | undefined }) | undefined;
  /** Known crawlers and uptime checkers, by User-Agent. */
  readonly webCrawlers?: FilterToggle | undefined;
  /** Globs on error messages (`Type: value` of each exception, or the log message). */
  readonly errorMessages?: { readonly patterns?: readonly string[] | undefined } | undefined;
  /** Globs on the release. */
  readonly releases?: { readonly releases?: readonly string[] | undefined } | undefined;
  /** Addresses and networks (CIDR) of clients whose events are dropped. */
  readonly clientIps?: { readonly blacklistedIps?: readonly string[] | undefined } | undefined;
  /** Origins whose CSP reports are dropped (`*`, `*.example.com`, `https://host:port`). */
  readonly csp?: { readonly disallowedSources?: readonly string[] | undefined } | undefined;
  /** Globs on the names of transactions to drop; needs `isEnabled`. */
  readonly ignoreTransactions?: (FilterToggle & { readonly patterns?: readonly string[] | undefined }) | undefined;
  /** Filters defined by conditions on event fields, reported under their own ids. */
  readonly generic?: GenericFilters | undefined;
}

/** Why an event was filtered, named as Sentry names the outcome; a generic filter reports its id. */
export type FilterReason =
  | "localhost"
  | "browser-extensions"
  | "legacy-browsers"
  | "web-crawlers"
  | "error-message"
  | "release-version"
  | "ip-address"
  | "invalid-csp"
  | "filtered-transaction"
  | (string & {});

const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
const strings = (value: unknown): string[] => list(value).filter((item): item is string => typeof item === "string");

function isBlockedClient(clientIp: string | undefined, blocked: readonly unknown[]): boolean {
  if (clientIp === undefined || blocked.length === 0) return false;
  const address = parseIpAddress(clientIp);
  if (!address) return false;
  return blocked.some((entry) => {
    const network = typeof entry === "string" ? parseIpNetwork(entry) : undefined;
    return network !== undefined && networkContains(network, address);
  });
}

/** The texts the error-message globs are tried on. */
function errorMessages(event: Json): string[] {
  const messages: string[] = [];
  const logentry = asObject(event.logentry);
  if (logentry) {
    // A formatted message stands for the log entry; the raw message only counts without one.
    const text = logentry.formatted ?? logentry.message;
    if (typeof text === "string") messages.push(text);
  } else if (typeof event.message === "string") {
    messages.push(event.message);
  }
  for (const exception of exceptionList(event)) {
    if (!exception) continue;
    const type = asString(exception.type) ?? "";
    const value = asString(exception.value) ?? "";
    messages.push(type === "" ? value : value === "" ? type : `${type}: ${value}`);
  }
  return messages;
}

/**
 * Decides whether a project's inbound filters drop an event, and why, running the filters in
 * Relay's order: generic filters, CSP sources, client IPs, releases, error messages, localhost,
 * browser extensions, legacy browsers, web crawlers, transaction names. `clientIp` is the address
 * the relay received the event from.
 */
export function checkInboundFilters(event: Json, settings: FilterSettings | undefined, clientIp: string | undefined): FilterReason | undefined {
  if (!settings) return undefined;
  const generic = matchingGenericFilter(event, asObject(settings.generic));
  if (generic !== undefined) return generic;
  if (isDisallowedCsp(event, strings(settings.csp?.disallowedSources))) return "invalid-csp";
  if (isBlockedClient(clientIp, list(settings.clientIps?.blacklistedIps))) return "ip-address";
  const release = asString(event.release);
  if (release !== undefined && anyGlobMatches(list(settings.releases?.releases), release)) return "release-version";
  const patterns = list(settings.errorMessages?.patterns);
  if (patterns.length > 0 && errorMessages(event).some((message) => anyGlobMatches(patterns, message))) return "error-message";
  if (settings.localhost?.isEnabled === true && isFromLocalhost(event)) return "localhost";
  if (settings.browserExtensions?.isEnabled === true && isFromBrowserExtension(event)) return "browser-extensions";
  const userAgent = requestHeader(event, "User-Agent");
  const legacy = settings.legacyBrowsers;
  if (legacy?.isEnabled === true && userAgent !== undefined && isLegacyBrowser(userAgent, strings(legacy.options))) return "legacy-browsers";
  if (settings.webCrawlers?.isEnabled === true && userAgent !== undefined && isWebCrawler(userAgent)) return "web-crawlers";
  const ignored = settings.ignoreTransactions;
  if (ignored?.isEnabled === true && event.type === "transaction") {
    const transaction = asString(event.transaction);
    if (transaction !== undefined && anyGlobMatches(list(ignored.patterns), transaction)) return "filtered-transaction";
  }
  return undefined;
}
