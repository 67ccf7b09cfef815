import { asObject, asString, type Json } from "./event-access.js";

/** A scheme/domain/port pattern; `undefined` parts match anything. */
interface OriginPattern {
  readonly scheme: string | undefined;
  readonly domain: string | undefined;
  readonly port: string | undefined;
}

const part = (text: string): string | undefined => (text === "*" ? undefined : text.toLowerCase());

/** Splits `scheme://domain:port/path` into its origin parts (each optional, `*` for any). */
export function parseOriginPattern(url: string): OriginPattern {
  const schemeEnd = url.indexOf("://");
  const scheme = schemeEnd === -1 ? undefined : part(url.slice(0, schemeEnd));
  const rest = schemeEnd === -1 ? url : url.slice(schemeEnd + 3);
  const slash = rest.indexOf("/");
  const hostPort = slash === -1 ? rest : rest.slice(0, slash);
  const colon = hostPort.indexOf(":");
  if (colon === -1) return { scheme, domain: part(hostPort), port: undefined };
  return { scheme, domain: part(hostPort.slice(0, colon)), port: part(hostPort.slice(colon + 1)) };
}

/**
 * Whether a URL falls under any of the origin patterns: `*` matches everything (even no URL),
 * `*.example.com` matches the domain and its subdomains, `*:8080` any host on that port.
 */
export function matchesAnyOrigin(url: string | undefined, origins: readonly OriginPattern[]): boolean {
  if (origins.some((o) => o.scheme === undefined && o.domain === undefined && o.port === undefined)) return true;
  if (url === undefined) return false;
  const target = parseOriginPattern(url);
  for (const origin of origins) {
    if (origin.scheme !== undefined && target.scheme !== origin.scheme) continue;
    if (origin.port !== undefined && target.port !== origin.port) continue;
    if (origin.domain !== undefined && target.domain !== origin.domain) {
      const domain = target.domain;
      if (domain !== undefined && origin.domain.startsWith("*") && (domain.endsWith(origin.domain.slice(1)) || domain === origin.domain.slice(2))) {
        return true;
      }
      continue;
    }
    return true;
  }
  return false;
}

/** Whether a CSP report event's blocked URI or source file is one of the disallowed sources. */
export function isDisallowedCsp(event: Json, disallowedSources: readonly string[]): boolean {
  if (disallowedSources.length === 0 || event.type !== "csp") return false;
  const csp = asObject(event.csp);
  if (!csp) return false;
  const origins = disallowedSources.map(parseOriginPattern);
  return matchesAnyOrigin(asString(csp.blocked_uri), origins) || matchesAnyOrigin(asString(csp.source_file), origins);
}
