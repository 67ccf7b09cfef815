import type { Readable } from "node:stream";
import busboy from "busboy";
import { RelayError } from "../relay-error.js";
import type { BodyLease } from "./body-budget.js";
import { overloaded } from "./read-body.js";

/** One uploaded file of a multipart form. */
export interface UploadedFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
}

/** A parsed multipart form. */
export interface MultipartForm {
  readonly files: UploadedFile[];
  readonly fields: Map<string, string>;
}

/** Limits of {@link readMultipart}. */
export interface MultipartLimits {
  /** Largest single file. */
  readonly maxFileSize: number;
  /** Largest sum of everything uploaded. */
  readonly maxTotalSize: number;
  /** The whole body must have arrived within this (slow clients get 408). */
  readonly timeoutMs?: number | undefined;
  /** The relay-wide budget of buffered request bytes (503 beyond it). */
  readonly lease?: BodyLease | undefined;
}

/**
 * Reads a `multipart/form-data` body, holding every file to its limit while streaming: the upload
 * is refused (413) as soon as a file or the whole passes its limit, and with 408 when it has not
 * fully arrived after `timeoutMs`.
 */
export function readMultipart(stream: Readable | undefined, headers: Record<string, string | string[] | undefined>, limits: MultipartLimits): Promise<MultipartForm> {
  if (!stream) return Promise.reject(new RelayError("invalid_body", "empty body"));
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: headers, limits: { fileSize: limits.maxFileSize + 1, fields: 1000, files: 100, parts: 1100 } });
  } catch (error) {
    return Promise.reject(new RelayError("invalid_body", "invalid multipart body", { causes: [(error as Error).message] }));
  }
  return new Promise<MultipartForm>((resolve, reject) => {
    const files: UploadedFile[] = [];
    const fields = new Map<string, string>();
    let total = 0;
    let failed = false;
    const fail = (error: RelayError): void => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      // The rest of the body is thrown away after the answer, within a bound (discardRefusedBody).
      stream.unpipe(parser);
      stream.pause();
      reject(error);
    };
    const timeoutMs = limits.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      fail(new RelayError("request_timeout", `the upload did not arrive within ${Math.round(timeoutMs / 100) / 10} s`, { causes: [`${total} bytes received`], headers: { connection: "close" } }));
    }, timeoutMs);
    parser.on("file", (field, file, info) => {
      const filename = info.filename === undefined || info.filename === "" ? field : info.filename;
      const chunks: Buffer[] = [];
      let size = 0;
      file.on("data", (chunk: Buffer) => {
        size += chunk.length;
        total += chunk.length;
        if (size > limits.maxFileSize) fail(new RelayError("too_large", `the upload ${filename} exceeds ${limits.maxFileSize} bytes`));
        else if (total > limits.maxTotalSize) fail(new RelayError("too_large", `the uploads exceed ${limits.maxTotalSize} bytes`));
        else if (limits.lease && !limits.lease.take(chunk.length)) fail(overloaded());
        else chunks.push(chunk);
      });
      file.on("end", () => {
        if (!failed) files.push({ field, filename, contentType: info.mimeType, data: Buffer.concat(chunks) });
      });
    });
    parser.on("field", (name, value) => fields.set(name, value));
    parser.on("error", (error: Error) => {
      fail(new RelayError("invalid_body", "invalid multipart body", { causes: [error.message] }));
    });
    parser.on("close", () => {
      clearTimeout(timer);
      if (!failed) resolve({ files, fields });
    });
    stream.pipe(parser);
  });
}
