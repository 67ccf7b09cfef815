import type { RelayCredentials, RelayMode } from "@org/relay-core";
import { urlHost } from "./relay-listeners.js";

/** What the start-up banner tells the operator. */
export interface BannerFacts {
  readonly mode: RelayMode;
  readonly host: string;
  readonly port: number;
  /** The port HTTPS listens on, when it does. */
  readonly tlsPort?: number | undefined;
  /** Capture mode: the key of the DSN it prints. */
  readonly captureKey?: string | undefined;
  /** The upstream it forwards to (every mode but capture). */
  readonly upstream?: string | undefined;
  /** Managed mode: the identity to allow upstream. */
  readonly credentials?: RelayCredentials | undefined;
  /** Ingest worker processes, with their process ids. */
  readonly workers?: { readonly count: number; readonly pids: readonly number[] } | undefined;
}

/** The banner's addresses: the relay's URL and, in capture mode, its DSN. */
export interface BannerAddresses {
  readonly url: string;
  readonly dsn: string | undefined;
}

/** Where the relay listens, as URLs. */
export function bannerAddresses(facts: BannerFacts): BannerAddresses {
  const host = urlHost(facts.host);
  const url = `http://${host}:${facts.port}`;
  return { url, dsn: facts.captureKey === undefined ? undefined : `http://${facts.captureKey}@${host}:${facts.port}/1` };
}

/** The lines `relay run` prints once it listens: where, in which mode, and what to give SDKs. */
export function formatBanner(facts: BannerFacts): string {
  const host = urlHost(facts.host);
  const { url, dsn } = bannerAddresses(facts);
  const lines: string[] = [];
  if (dsn !== undefined) {
    lines.push(
      `relay listening on ${url} in capture mode`,
      `  DSN for your SDK:   ${dsn}`,
      `  web page:           ${url}/`,
      `  captured events:    ${url}/api/relay/events/`,
    );
  } else {
    lines.push(`relay listening on ${url} in ${facts.mode} mode, forwarding to ${facts.upstream ?? ""}`);
    if (facts.credentials) lines.push(`  relay id:   ${facts.credentials.relayId}`, `  public key: ${facts.credentials.publicKey} (allow it upstream)`);
    lines.push(`  SDKs use their usual DSN with the host replaced: http://<key>@${host}:${facts.port}/<project>`);
    if (facts.workers) lines.push(`  ingest workers: ${facts.workers.count} processes on the same port (pids ${facts.workers.pids.join(", ")})`);
  }
  if (facts.tlsPort !== undefined) {
    lines.push(`relay also listening on https://${host}:${facts.tlsPort} (TLS)`);
    // Workers print no DSN over HTTPS: the key stays with the primary's capture mode, which has no workers.
    if (dsn !== undefined) lines.push(`  DSN over HTTPS:     ${dsn.replace(/^http:/, "https:").replace(`@${host}:${facts.port}/`, `@${host}:${facts.tlsPort}/`)}`);
  }
  return `${lines.join("\n")}\n`;
}
