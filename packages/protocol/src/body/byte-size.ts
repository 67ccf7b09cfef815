import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { BodyError } from "./body-error.js";

const DECIMAL: ReadonlyMap<string, number> = new Map([
  ["b", 1],
  ["kb", 1000],
  ["mb", 1000 ** 2],
  ["gb", 1000 ** 3],
  ["tb", 1000 ** 4],
]);

const BINARY: ReadonlyMap<string, number> = new Map([
  ["kib", 1024],
  ["mib", 1024 ** 2],
  ["gib", 1024 ** 3],
  ["tib", 1024 ** 4],
]);

/**
 * Parses a size as written in configuration (the spec's §3): a bare number is bytes; `kB`, `MB`,
 * `GB`, `TB` are powers of 1000; `KiB`, `MiB`, `GiB`, `TiB` are powers of 1024, and so is `KB`
 * with a capital K (`1KB` = 1024, `1kB` = 1000). Other letters are read in any case; a fraction
 * is rounded down to whole bytes.
 */
export function parseByteSize(text: string): Result<number, BodyError> {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!match) return err(new BodyError("invalid_size", `not a size: ${JSON.stringify(text)} (examples: 1024, 1kB, 1MiB)`));
  const unit = match[2] ?? "";
  const factor = unit === "" ? 1 : unit === "KB" ? 1024 : (BINARY.get(unit.toLowerCase()) ?? DECIMAL.get(unit.toLowerCase()));
  if (factor === undefined) {
    return err(new BodyError("invalid_size", `unknown size unit ${JSON.stringify(unit)} in ${JSON.stringify(text)} (use B, kB, KB, KiB, MB, MiB, GB, GiB, TB or TiB)`));
  }
  const bytes = Math.floor(Number(match[1]) * factor);
  if (!Number.isSafeInteger(bytes)) return err(new BodyError("invalid_size", `the size ${JSON.stringify(text)} is too large`));
  return ok(bytes);
}
