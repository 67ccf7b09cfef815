import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage, Server } from "node:http";
import type { Integration } from "./integrations.js";
import type { HttpContext } from "./scope.js";
import type { SentryClient } from "./sentry-client.js";

/** Node publishes this for every request a `node:http` server receives, before its `request` event. */
const REQUEST_START = "http.server.request.start";

function requestContext(request: IncomingMessage): HttpContext {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  const target = request.url ?? "/";
  const query = target.indexOf("?");
  const host = headers.host ?? "localhost";
  const context: HttpContext = {
    method: request.method,
    url: `http://${host}${query === -1 ? target : target.slice(0, query)}`,
    headers,
  };
  if (query !== -1) context.query_string = target.slice(query + 1);
  return context;
}

/**
 * Opens an isolation scope for every request of every `node:http` server in the process, so that
 * breadcrumbs, tags, user and context set while handling a request (and in everything it awaits)
 * stay with that request, and its events carry the request's method, URL and headers. It hooks
 * into Node's `http.server.request.start` diagnostics channel and wraps the `request` event of
 * each server it sees.
 */
export function httpIntegration(): Integration {
  return {
    name: "Http",
    setup(client: SentryClient) {
      let active = true;
      const wrapped = new WeakSet<Server>();
      const onRequestStart = (message: unknown): void => {
        const server = (message as { server?: Server }).server;
        if (!server || wrapped.has(server)) return;
        wrapped.add(server);
        const emit = server.emit.bind(server) as (event: string | symbol, ...args: unknown[]) => boolean;
        server.emit = function wrappedEmit(event: string | symbol, ...args: unknown[]): boolean {
          if (event !== "request" || !active) return emit(event, ...args);
          return client.withIsolationScope((scope) => {
            try {
              scope.setRequest(requestContext(args[0] as IncomingMessage));
            } catch {
              // A request whose headers cannot be read is still handled, without them.
            }
            return emit(event, ...args);
          });
        } as Server["emit"];
      };
      subscribe(REQUEST_START, onRequestStart);
      return () => {
        active = false;
        unsubscribe(REQUEST_START, onRequestStart);
      };
    },
  };
}
