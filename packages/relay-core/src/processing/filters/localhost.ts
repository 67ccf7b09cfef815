import { asObject, asString, requestHeader, type Json } from "./event-access.js";

const LOCAL_IPS = new Set(["127.0.0.1", "::1"]);
const LOCAL_DOMAINS = ["127.0.0.1", "localhost"];

/** The host is one of the local domains or a subdomain of one (`foo.localhost`). */
const isLocalHost = (host: string): boolean =>
  LOCAL_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));

function requestUrl(event: Json): URL | undefined {
  const url = asString(asObject(event.request)?.url);
  if (url === undefined) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * Whether the event comes from the developer's own machine: the user's address is a loopback
 * address, the request URL is a `file:` URL or on a local host, `X-Forwarded-For` is a loopback
 * address, or (only without a usable request URL) `Host` or `X-Forwarded-Host` names a local host.
 */
export function isFromLocalhost(event: Json): boolean {
  const ip = asString(asObject(event.user)?.ip_address);
  if (ip !== undefined && LOCAL_IPS.has(ip)) return true;
  const url = requestUrl(event);
  if (url) {
    if (url.protocol === "file:") return true;
    // IPv6 hosts keep their brackets here, so `[::1]` is not a local domain.
    if (url.hostname !== "" && isLocalHost(url.hostname)) return true;
  }
  const forwardedFor = requestHeader(event, "X-Forwarded-For");
  if (forwardedFor !== undefined && LOCAL_IPS.has(forwardedFor)) return true;
  if (!url) {
    for (const name of ["Host", "X-Forwarded-Host"]) {
      const header = requestHeader(event, name);
      if (header !== undefined && LOCAL_DOMAINS.includes(header.split(":")[0]!)) return true;
    }
  }
  return false;
}
