import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { createCaptureFeed } from "../capture/capture-feed.js";
import type { CaptureStore } from "../capture/capture-store.js";
import { RelayError } from "../relay-error.js";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
};
/** File names the page's build emits into `assets/` (hashed, so cached for good). */
const ASSET_NAME = /^[\w.-]+$/;
const EVENT_ID = /^[0-9a-f]{32}$/;
const DEFAULT_BACKLOG = 200;
const MAX_BACKLOG = 1_000;

/**
 * Where the built page is: `@org/capture-ui`'s own `dist` where that package is installed (in this
 * repository, so a rebuilt page shows at once), else the copy that relay-core's build puts in its
 * `dist/capture-ui` and publishes; `undefined` when there is neither.
 */
export function defaultCaptureUiDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("@org/capture-ui/package.json")), "dist");
  } catch {
    const shipped = fileURLToPath(new URL("../capture-ui", import.meta.url));
    return existsSync(shipped) ? shipped : undefined;
  }
}

async function readUiFile(uiDir: string | undefined, file: string): Promise<Buffer> {
  if (uiDir === undefined) throw new RelayError("not_found", "the capture UI (@org/capture-ui) is not installed beside the relay");
  try {
    return await readFile(join(uiDir, file));
  } catch (error) {
    if (file === "index.html") {
      throw new RelayError("not_found", `the capture UI is not built (no ${join(uiDir, file)}): run pnpm --filter @org/capture-ui build`, { cause: error });
    }
    throw new RelayError("not_found", `no file ${file} in the capture UI`, { cause: error });
  }
}

function eventId(raw: string): string {
  const id = raw.replaceAll("-", "").toLowerCase();
  if (!EVENT_ID.test(id)) throw new RelayError("bad_request", `not an event id: ${raw} (32 hex digits, dashes allowed)`);
  return id;
}

function backlogOf(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_BACKLOG;
  if (!/^\d+$/.test(raw) || Number(raw) > MAX_BACKLOG) {
    throw new RelayError("bad_request", `backlog must be a whole number from 0 to ${MAX_BACKLOG}, not ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/**
 * Capture mode's web page and what it needs beside the JSON listing: the built page at `/` (from
 * `uiDir`), a live feed of captures as server-sent events at `/api/relay/events/stream/`, each
 * processed envelope as a download, and `DELETE /api/relay/events/` to empty the store.
 */
export function registerCaptureUi(app: FastifyInstance, store: CaptureStore, uiDir: string | undefined = defaultCaptureUiDir()): void {
  const feed = createCaptureFeed(store);
  // Open streams would hold the shutdown for its whole grace period: they end first.
  app.addHook("preClose", (done) => {
    feed.close();
    done();
  });

  app.get("/", async (_request, reply) => {
    const html = await readUiFile(uiDir, "index.html");
    return reply.type(CONTENT_TYPES[".html"]!).header("cache-control", "no-cache").send(html);
  });

  app.get<{ Params: { file: string } }>("/assets/:file/", async (request, reply) => {
    const file = request.params.file;
    if (!ASSET_NAME.test(file) || file.startsWith(".")) throw new RelayError("bad_request", `not an asset name: ${file}`);
    const body = await readUiFile(uiDir, join("assets", file));
    return reply
      .type(CONTENT_TYPES[extname(file)] ?? "application/octet-stream")
      .header("cache-control", "public, max-age=31536000, immutable")
      .send(body);
  });

  app.get<{ Querystring: { backlog?: string } }>("/api/relay/events/stream/", (request, reply) => {
    const backlog = backlogOf(request.query.backlog);
    reply.hijack();
    feed.open(reply.raw, backlog, reply.getHeaders() as Record<string, string>);
  });

  app.delete("/api/relay/events/", () => ({ deleted: store.clear() }));

  app.get<{ Params: { id: string } }>("/api/relay/events/:id/envelope/", (request, reply) => {
    const id = eventId(request.params.id);
    const entry = store.get(id);
    if (!entry) throw new RelayError("not_found", `no captured event with id ${request.params.id}`);
    return reply
      .type("application/x-sentry-envelope")
      .header("content-disposition", `attachment; filename="${id}.envelope"`)
      .send(Buffer.from(entry.envelope.buffer, entry.envelope.byteOffset, entry.envelope.byteLength));
  });

  app.get<{ Params: { id: string } }>("/api/relay/events/:id/digest/", (request) => {
    const id = eventId(request.params.id);
    const entry = store.get(id);
    if (!entry) throw new RelayError("not_found", `no captured event with id ${request.params.id}`);
    return feed.digest(entry);
  });
}
