import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The signatures of the messages a receiver acted on, in a small file that outlives the process:
 * a receiver started again reads kept messages again and must not run their script twice. One line
 * per message, `<signature hex> <forget after, ms since the epoch>`, appended and synced to disk
 * before the script starts. Lines past their time are dropped when the file is opened, so it stays
 * as small as what the stream can still hand back.
 */
export class SeenRecord {
  private readonly seen = new Map<string, number>();
  private fd: number | undefined;

  private constructor(readonly path: string) {}

  /** Opens (and compacts) the record at `path`, creating its folder (mode 0700) and file (0600). */
  static open(path: string, now: number): SeenRecord {
    const record = new SeenRecord(path);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    let text = "";
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    let dropped = 0;
    for (const line of text.split("\n")) {
      const match = /^([0-9a-f]{128}) (\d+)$/.exec(line);
      if (!match) {
        if (line !== "") dropped += 1;
        continue;
      }
      const until = Number(match[2]);
      if (until <= now) dropped += 1;
      else record.seen.set(match[1]!, until);
    }
    if (dropped > 0) {
      // Written aside and renamed over: a crash leaves the old file or the new one, never half of one.
      const fresh = `${path}.${process.pid}.tmp`;
      writeFileSync(fresh, [...record.seen].map(([key, until]) => `${key} ${until}\n`).join(""), { mode: 0o600 });
      renameSync(fresh, path);
    }
    record.fd = openSync(path, "a", 0o600);
    return record;
  }

  /** Whether the message with this signature was acted on. */
  has(signature: Uint8Array): boolean {
    return this.seen.has(Buffer.from(signature).toString("hex"));
  }

  /**
   * Records a message as acted on until `until`; returns false when it already was. The line is on
   * disk when this returns.
   */
  add(signature: Uint8Array, until: number): boolean {
    const key = Buffer.from(signature).toString("hex");
    if (this.seen.has(key)) return false;
    if (this.fd === undefined) throw new Error("the seen record is closed");
    this.seen.set(key, until);
    writeSync(this.fd, `${key} ${Math.round(until)}\n`);
    fsyncSync(this.fd);
    return true;
  }

  /** How many messages are recorded. */
  get size(): number {
    return this.seen.size;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
