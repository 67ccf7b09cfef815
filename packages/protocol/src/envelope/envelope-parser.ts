import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { EnvelopeError } from "./envelope-error.js";
import type { EnvelopeHeaders, EnvelopeItem, EnvelopeMeta, ItemHeaders, ItemTail, JsonObject, ParsedEnvelope } from "./envelope.js";
import { readEnvelopeHeaders } from "./envelope-meta.js";
import { EVENT_ITEM_TYPES } from "./item-type.js";

/** Limits of {@link EnvelopeParser} and `parseEnvelope`. */
export interface ParseEnvelopeOptions {
  /** Largest envelope accepted, in bytes; more gives `too_large`. */
  readonly maxSize?: number;
  /** Largest number of items accepted; more gives `too_large`. */
  readonly maxItems?: number;
}

const NEWLINE = 0x0a;
const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder("utf-8", { fatal: true });

type State = "header" | "item-header" | "payload" | "done" | "failed";

interface PendingItem {
  readonly headers: ItemHeaders;
  readonly rawHeader: Uint8Array;
  readonly length: number | undefined;
}

function parseJsonObject(bytes: Uint8Array): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(decoder.decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

const OPTIONAL_STRINGS = ["filename", "attachment_type", "content_type"] as const;

/** Checks an item header's attributes; returns the error, or the declared payload length. */
function checkItemHeaders(headers: JsonObject, where: string): EnvelopeError | { length: number | undefined } {
  const type = headers.type;
  if (typeof type !== "string" || type === "") {
    return new EnvelopeError("missing_item_type", `${where} has no type${type === undefined ? "" : ` (type is ${JSON.stringify(type)})`}`);
  }
  const length = headers.length;
  if (length !== undefined && length !== null && (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0)) {
    return new EnvelopeError("invalid_length", `${where} has an invalid length: ${JSON.stringify(length)}`);
  }
  for (const name of OPTIONAL_STRINGS) {
    const value = headers[name];
    if (value !== undefined && value !== null && typeof value !== "string") {
      return new EnvelopeError("invalid_item_header", `${where} has a ${name} that is not a string: ${JSON.stringify(value)}`);
    }
  }
  const count = headers.item_count;
  if (count !== undefined && count !== null && (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0)) {
    return new EnvelopeError("invalid_item_header", `${where} has an invalid item_count: ${JSON.stringify(count)}`);
  }
  return { length: typeof length === "number" ? length : undefined };
}

/**
 * An incremental envelope parser for bodies that arrive in chunks (an HTTP request): `push` each
 * chunk and get the items it completed, then `end` for the whole envelope. Any chunking gives the
 * same items and the same errors as parsing the bytes at once, and memory stays within the
 * envelope's size: the bytes of an unfinished item are kept, not the chunks seen so far.
 *
 * Grammar (the spec's §4): `Headers { "\n" Item } [ "\n" ]` with `Item = Headers "\n" Payload`.
 * With `length` the payload is exactly that many bytes, followed by a newline or the end; without
 * it the payload runs to the next newline or the end. A `\r` before a newline belongs to the
 * payload. An envelope without items, or with two event-like items, is refused.
 *
 * Payloads are views into the pushed chunks where an item lies within one chunk, so chunks must
 * not be reused by the caller after being pushed. After an error every call returns that error.
 */
export class EnvelopeParser {
  readonly #maxSize: number;
  readonly #maxItems: number;
  /** Holds the unconsumed bytes in `[#start, #end)`. */
  #buffer: Uint8Array = EMPTY;
  /** Whether `#buffer` belongs to the parser (and may be written after `#end`). */
  #owned = false;
  #start = 0;
  #end = 0;
  /** Where the search for the next newline resumes, so that no byte is scanned twice. */
  #scanFrom = 0;
  /** Stream offset of `#buffer[#start]`, for error messages. */
  #offset = 0;
  #received = 0;
  #state: State = "header";
  #error: EnvelopeError | undefined;
  #headers: EnvelopeHeaders | undefined;
  #rawHeader: Uint8Array | undefined;
  #meta: EnvelopeMeta | undefined;
  #pending: PendingItem | undefined;
  #eventItems = 0;
  readonly #items: EnvelopeItem[] = [];
  #completed: EnvelopeItem[] = [];

  /** Creates a parser with the given limits (none by default). */
  constructor(options: ParseEnvelopeOptions = {}) {
    this.#maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    this.#maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
  }

  /** The envelope header and its validated attributes, once its line is complete. */
  get header(): { readonly headers: EnvelopeHeaders; readonly meta: EnvelopeMeta } | undefined {
    return this.#headers && this.#meta ? { headers: this.#headers, meta: this.#meta } : undefined;
  }

  /** Bytes pushed so far. */
  get bytesReceived(): number {
    return this.#received;
  }

  /** Feeds the next chunk; returns the items it completed. */
  push(chunk: Uint8Array): Result<readonly EnvelopeItem[], EnvelopeError> {
    if (this.#error) return err(this.#error);
    if (this.#state === "done") throw new Error("EnvelopeParser.push called after end()");
    const room = this.#maxSize - this.#received;
    const accepted = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#received += accepted.length;
    this.#append(accepted);
    this.#completed = [];
    const failed = this.#drain(false);
    if (failed) return err(failed);
    if (accepted.length < chunk.length) {
      return err(this.#fail(new EnvelopeError("too_large", `the envelope is larger than ${this.#maxSize} bytes`)));
    }
    return ok(this.#completed);
  }

  /** Signals the end of the input; returns the whole envelope. */
  end(): Result<ParsedEnvelope, EnvelopeError> {
    if (this.#error) return err(this.#error);
    const failed = this.#state === "done" ? undefined : this.#drain(true);
    if (failed) return err(failed);
    if (this.#items.length === 0) {
      return err(this.#fail(new EnvelopeError("no_items", "empty envelope: it has no items")));
    }
    return ok({ headers: this.#headers!, items: this.#items, rawHeader: this.#rawHeader!, meta: this.#meta! });
  }

  #fail(error: EnvelopeError): EnvelopeError {
    this.#error = error;
    this.#state = "failed";
    this.#pending = undefined;
    this.#buffer = EMPTY;
    this.#start = this.#end = this.#scanFrom = 0;
    return error;
  }

  #append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const pending = this.#end - this.#start;
    if (pending === 0) {
      this.#buffer = chunk;
      this.#owned = false;
      this.#start = this.#scanFrom = 0;
      this.#end = chunk.length;
      return;
    }
    if (this.#owned && this.#end + chunk.length <= this.#buffer.length) {
      this.#buffer.set(chunk, this.#end);
      this.#end += chunk.length;
      return;
    }
    // Completed items may hold views into the old buffer, so it is never written over: the
    // unconsumed bytes move to a new one, which doubles so that copying stays linear overall.
    const grown = new Uint8Array(Math.max(pending + chunk.length, pending * 2, 4096));
    grown.set(this.#buffer.subarray(this.#start, this.#end), 0);
    grown.set(chunk, pending);
    this.#scanFrom -= this.#start;
    this.#buffer = grown;
    this.#owned = true;
    this.#start = 0;
    this.#end = pending + chunk.length;
  }

  #consume(count: number): void {
    this.#start += count;
    this.#offset += count;
    this.#scanFrom = this.#start;
  }

  /** Index of the next newline in the buffer, or -1 (remembering how far it looked). */
  #findNewline(): number {
    const at = this.#buffer.subarray(0, this.#end).indexOf(NEWLINE, Math.max(this.#scanFrom, this.#start));
    this.#scanFrom = at === -1 ? this.#end : at;
    return at;
  }

  /**
   * Parses as far as the buffered bytes allow; at the end, the rest is the last element. Returns
   * the error that stopped it, if any.
   */
  #drain(atEnd: boolean): EnvelopeError | undefined {
    this.#parse(atEnd);
    return this.#error;
  }

  #parse(atEnd: boolean): void {
    for (;;) {
      switch (this.#state) {
        case "header": {
          const at = this.#findNewline();
          if (at === -1 && !atEnd) return;
          const lineEnd = at === -1 ? this.#end : at;
          const line = this.#buffer.subarray(this.#start, lineEnd);
          this.#consume(lineEnd - this.#start + (at === -1 ? 0 : 1));
          if (!this.#readHeader(line, atEnd && at === -1)) return;
          break;
        }
        case "item-header": {
          if (this.#start === this.#end) {
            if (atEnd) this.#state = "done";
            return;
          }
          const at = this.#findNewline();
          if (at === -1 && !atEnd) return;
          const lineEnd = at === -1 ? this.#end : at;
          const line = this.#buffer.subarray(this.#start, lineEnd);
          const offset = this.#offset;
          this.#consume(lineEnd - this.#start + (at === -1 ? 0 : 1));
          if (!this.#readItemHeader(line, offset, at !== -1)) return;
          break;
        }
        case "payload": {
          if (!this.#readPayload(atEnd)) return;
          break;
        }
        case "done":
        case "failed":
          return;
      }
    }
  }

  #readHeader(line: Uint8Array, wholeInput: boolean): boolean {
    if (wholeInput && line.length === 0) {
      this.#fail(new EnvelopeError("empty", "empty envelope: the body has no bytes"));
      return false;
    }
    const headers = parseJsonObject(line);
    if (!headers) {
      this.#fail(new EnvelopeError("invalid_header", "the envelope header (line 1) is not a JSON object"));
      return false;
    }
    const meta = readEnvelopeHeaders(headers);
    if (!meta.ok) {
      this.#fail(meta.error);
      return false;
    }
    this.#headers = headers;
    this.#rawHeader = line;
    this.#meta = meta.value;
    this.#state = "item-header";
    return true;
  }

  #readItemHeader(line: Uint8Array, offset: number, terminated: boolean): boolean {
    const index = this.#items.length;
    const where = `item ${index} (at byte ${offset})`;
    if (index >= this.#maxItems) {
      this.#fail(new EnvelopeError("too_large", `the envelope has more than ${this.#maxItems} items`));
      return false;
    }
    const headers = parseJsonObject(line);
    if (!headers) {
      this.#fail(new EnvelopeError("invalid_item_header", `the header of ${where} is not a JSON object`));
      return false;
    }
    const checked = checkItemHeaders(headers, where);
    if (checked instanceof EnvelopeError) {
      this.#fail(checked);
      return false;
    }
    const itemHeaders = headers as ItemHeaders;
    if (EVENT_ITEM_TYPES.has(itemHeaders.type)) {
      this.#eventItems += 1;
      if (this.#eventItems > 1) {
        this.#fail(new EnvelopeError("duplicate_event_item", `duplicate event item: ${where} is a second event-like item (${itemHeaders.type})`));
        return false;
      }
    }
    if (!terminated) {
      // The input ended right after the header: only an empty payload fits.
      if (checked.length !== undefined && checked.length > 0) {
        this.#fail(new EnvelopeError("length_mismatch", `${where} declares ${checked.length} bytes but the envelope ends after its header`));
        return false;
      }
      this.#complete({ headers: itemHeaders, payload: EMPTY, rawHeader: line, tail: "end-after-header" });
      this.#state = "done";
      return true;
    }
    this.#pending = { headers: itemHeaders, rawHeader: line, length: checked.length };
    this.#state = "payload";
    return true;
  }

  #readPayload(atEnd: boolean): boolean {
    const pending = this.#pending!;
    const available = this.#end - this.#start;
    let size: number;
    let tail: ItemTail;
    if (pending.length !== undefined) {
      size = pending.length;
      if (available > size) {
        if (this.#buffer[this.#start + size] !== NEWLINE) {
          const where = `item ${this.#items.length} (payload at byte ${this.#offset})`;
          this.#fail(new EnvelopeError("length_mismatch", `${where}: its ${size} bytes are not followed by a newline`));
          return false;
        }
        tail = "newline";
      } else if (!atEnd) {
        return false;
      } else if (available === size) {
        tail = "end";
      } else {
        const where = `item ${this.#items.length} (payload at byte ${this.#offset})`;
        this.#fail(new EnvelopeError("length_mismatch", `${where} declares ${size} bytes but only ${available} follow`));
        return false;
      }
    } else {
      const at = this.#findNewline();
      if (at === -1 && !atEnd) return false;
      size = (at === -1 ? this.#end : at) - this.#start;
      tail = at === -1 ? "end" : "newline";
    }
    const payload = this.#buffer.subarray(this.#start, this.#start + size);
    this.#consume(size + (tail === "newline" ? 1 : 0));
    this.#pending = undefined;
    this.#complete({ headers: pending.headers, payload, rawHeader: pending.rawHeader, tail });
    this.#state = tail === "newline" ? "item-header" : "done";
    return true;
  }

  #complete(item: EnvelopeItem): void {
    this.#items.push(item);
    this.#completed.push(item);
  }
}
