import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { sharedDir } from "./shared-dir.js";

/** One HTTP request recorded from a real Sentry SDK. */
export interface SdkCapture {
  /** File name inside `fixtures/sdk-captures/`. */
  readonly file: string;
  /** What the recording shows, written when it was captured. */
  readonly note: string;
  readonly method: string;
  /** Path including the query string, as sent. */
  readonly path: string;
  /** Headers in raw order with their original case. */
  readonly headers: readonly (readonly [string, string])[];
  /** The request body exactly as sent on the wire. */
  readonly body: Buffer;
  /** How the capture server decoded the body (`gunzip`, `base64+zlib-inflate`, ...), if recorded. */
  readonly bodyEncoding: string | undefined;
  /** The decoded body text as the capture server saw it, when recorded. */
  readonly decodedText: string | undefined;
  /** The whole parsed fixture, for fields not mapped above. */
  readonly raw: Readonly<Record<string, unknown>>;
}

interface RawCapture {
  note?: string;
  client_request?: { method: string; path: string; headers: [string, string][] };
  body_raw_base64?: string;
  body_text?: string;
  body_encoding?: string;
  body_text_decoded?: string;
}

/** Directory of the recorded SDK requests. */
export function sdkCapturesDir(): string {
  return join(sharedDir(), "fixtures", "sdk-captures");
}

/** Loads every recorded SDK request (files without a `client_request` are left out). */
export function loadSdkCaptures(): SdkCapture[] {
  const dir = sdkCapturesDir();
  const captures: SdkCapture[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const raw = JSON.parse(readFileSync(join(dir, file), "utf8")) as RawCapture & Record<string, unknown>;
    const request = raw.client_request;
    if (!request) continue;
    let body: Buffer;
    if (raw.body_raw_base64 !== undefined) body = Buffer.from(raw.body_raw_base64, "base64");
    else if (raw.body_text !== undefined) body = Buffer.from(raw.body_text, "utf8");
    else body = Buffer.alloc(0);
    captures.push({
      file,
      note: raw.note ?? "",
      method: request.method,
      path: request.path,
      headers: request.headers.map(([k, v]) => [k, v] as const),
      body,
      bodyEncoding: raw.body_encoding,
      decodedText: raw.body_text_decoded,
      raw,
    });
  }
  return captures;
}

/** Looks up a header of a capture case-insensitively (first occurrence). */
export function captureHeader(capture: SdkCapture, name: string): string | undefined {
  const lower = name.toLowerCase();
  return capture.headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}
