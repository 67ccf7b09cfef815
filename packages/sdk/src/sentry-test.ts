import { InvalidDsnError, SentryClient } from "./sentry-client.js";

/**
 * `sentry-test <DSN>`: sends a test event and says whether the server accepted it. Resolves to
 * the exit code: 0 accepted, 1 not accepted, 2 usage or DSN error.
 */
export async function sentryTest(argv: readonly string[], out: (text: string) => void = (t) => void process.stdout.write(t)): Promise<number> {
  const dsn = argv[0];
  if (!dsn || argv.length > 1 || dsn === "-h" || dsn === "--help") {
    out("usage: sentry-test <DSN>\nSends a test event to the DSN and reports whether the server accepted it.\n");
    return dsn === "-h" || dsn === "--help" ? 0 : 2;
  }
  let client: SentryClient;
  try {
    // One test event and nothing else: no client report, no hooks into the process.
    client = new SentryClient(dsn, { log: { info: (m) => { out(`${m}\n`); }, error: (m) => { out(`${m}\n`); } }, sendClientReports: false, defaultIntegrations: false });
  } catch (error) {
    if (error instanceof InvalidDsnError) {
      out(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const id = client.captureMessage("This is a test message from sentry-test", { level: "info", tags: { test: "true" } });
  out(`event id: ${id}\n`);
  await client.close(10_000);
  const stats = client.stats;
  if (stats?.sent === 1) {
    out(`accepted by the server (${String(stats.lastResult)})\n`);
    return 0;
  }
  out(`not accepted: ${String(stats?.lastResult ?? "no answer")}\n`);
  return 1;
}
