/** Headers a browser SDK may send to the ingest endpoints. */
const CORS_ALLOW_HEADERS = [
  "x-sentry-auth",
  "x-requested-with",
  "x-forwarded-for",
  "origin",
  "referer",
  "accept",
  "content-type",
  "authentication",
  "authorization",
  "content-encoding",
  "transfer-encoding",
].join(", ");

/** Response headers a browser SDK must be able to read. */
const CORS_EXPOSE_HEADERS = ["x-sentry-error", "x-sentry-rate-limits", "retry-after"].join(", ");

/** CORS headers of every ingest response: any origin may post; projects restrict origins themselves. */
export function corsHeaders(): Record<string, string> {
  return {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": CORS_EXPOSE_HEADERS,
  };
}

/** Headers of the answer to a CORS preflight (`OPTIONS`) request. */
export function corsPreflightHeaders(): Record<string, string> {
  return {
    ...corsHeaders(),
    "access-control-allow-methods": "GET, POST, OPTIONS",
    "access-control-allow-headers": CORS_ALLOW_HEADERS,
    "access-control-max-age": "3600",
  };
}
