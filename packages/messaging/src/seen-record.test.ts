import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SeenRecord } from "./seen-record.js";

const signature = (byte: number): Uint8Array => new Uint8Array(64).fill(byte);

describe("SeenRecord", () => {
  const dirs: string[] = [];
  const dir = (): string => {
    const made = mkdtempSync(join(tmpdir(), "seen-record-"));
    dirs.push(made);
    return made;
  };
  afterEach(() => {
    for (const made of dirs.splice(0)) rmSync(made, { recursive: true, force: true });
  });

  it("remembers across opening again, in a file only its owner reads", () => {
    const path = join(dir(), "state", "seen-x");
    const first = SeenRecord.open(path, 1000);
    expect(first.add(signature(1), 5000)).toBe(true);
    expect(first.add(signature(1), 5000)).toBe(false);
    first.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    const second = SeenRecord.open(path, 2000);
    expect(second.has(signature(1))).toBe(true);
    expect(second.has(signature(2))).toBe(false);
    second.close();
  });

  it("forgets what is past its time and drops lines it cannot read when opened", () => {
    const path = join(dir(), "seen-y");
    const record = SeenRecord.open(path, 0);
    record.add(signature(1), 100);
    record.add(signature(2), 10_000);
    record.close();
    writeFileSync(path, `${readFileSync(path, "utf8")}garbage\n${"ab".repeat(64)} 9`, { flag: "w" });
    const reopened = SeenRecord.open(path, 1000);
    expect(reopened.has(signature(1))).toBe(false);
    expect(reopened.has(signature(2))).toBe(true);
    expect(reopened.size).toBe(1);
    reopened.close();
    expect(readFileSync(path, "utf8")).toBe(`${"02".repeat(64)} 10000\n`);
  });
});
