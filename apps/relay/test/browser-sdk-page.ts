import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "vite";
import { APP_DIR } from "./relay-process.js";

/** A web app on 127.0.0.1 that runs the real @sentry/browser, for tests in a real browser. */
export interface BrowserSdkPage {
  /** Where the app is: its pages are `/<anything>`, each running `script` after `Sentry.init`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Bundles @sentry/browser from this app's dependencies into `outDir` (one IIFE file) with Vite. */
async function bundleBrowserSdk(outDir: string): Promise<string> {
  await build({
    configFile: false,
    logLevel: "silent",
    root: APP_DIR,
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      lib: { entry: join(APP_DIR, "test", "fixtures", "browser-sdk.js"), formats: ["iife"], name: "Sentry", fileName: () => "sentry.js" },
    },
  });
  return readFileSync(join(outDir, "sentry.js"), "utf8");
}

/**
 * Serves a page that loads @sentry/browser, initializes it with `dsn` (tracing on, every page load
 * traced) and runs `script`.
 */
export async function serveBrowserSdkPage(dsn: string, outDir: string, script: string): Promise<BrowserSdkPage> {
  const sdk = await bundleBrowserSdk(outDir);
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>shop</title>
<script src="/sentry.js"></script>
<script>
Sentry.init({ dsn: ${JSON.stringify(dsn)}, release: "shop@2.0.0", environment: "test", tracesSampleRate: 1, integrations: [Sentry.browserTracingIntegration()] });
${script}
</script></head><body><h1>shop</h1></body></html>`;
  const server: Server = createServer((request, response) => {
    if (request.url === "/sentry.js") {
      response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(sdk);
    } else if (request.url === "/favicon.ico") {
      response.writeHead(204).end();
    } else {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
