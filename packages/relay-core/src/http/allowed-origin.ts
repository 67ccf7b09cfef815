/**
 * Whether a browser request's origin may send to a project, by its `allowedDomains`
 * (`*`, `host`, `*.host`, `scheme://host[:port]`). Requests with neither Origin nor Referer are
 * allowed (servers send none); an empty list allows nothing that names an origin.
 */
export function isOriginAllowed(
  allowedDomains: readonly string[],
  origin: string | undefined,
  referer: string | undefined,
): boolean {
  const source = origin && origin !== "null" ? origin : referer;
  if (!source) return true;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  for (const raw of allowedDomains) {
    const pattern = raw.trim().toLowerCase();
    if (pattern === "*") return true;
    if (pattern.includes("://")) {
      let allowed: URL;
      try {
        allowed = new URL(pattern);
      } catch {
        continue;
      }
      if (allowed.protocol === url.protocol && allowed.host === url.host) return true;
      continue;
    }
    const [patternHost, patternPort] = splitPort(pattern);
    if (patternPort !== undefined && patternPort !== effectivePort(url)) continue;
    if (patternHost.startsWith("*.")) {
      const base = patternHost.slice(2);
      if (host === base || host.endsWith(`.${base}`)) return true;
    } else if (host === patternHost) {
      return true;
    }
  }
  return false;
}

function splitPort(pattern: string): [string, string | undefined] {
  const match = /^(.*):(\d+)$/.exec(pattern);
  return match ? [match[1]!, match[2]] : [pattern, undefined];
}

function effectivePort(url: URL): string {
  if (url.port) return url.port;
  return url.protocol === "https:" ? "443" : "80";
}
