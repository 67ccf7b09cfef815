import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { BodyError } from "./body-error.js";

const UNITS: ReadonlyMap<string, number> = new Map(Object.entries({
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
}));

/**
 * Parses a size as written in configuration: a bare number is bytes; `kB`/`MB`/`GB` are powers
 * of 1000; `KiB`/`MiB`/`GiB` and the upper-case `KB`/`MB`-style spelling with a capital K are
 * powers of 1024 (`1KB` = 1024, `1kB` = 1000).
 */
export function parseByteSize(text: string): Result<number, BodyError> {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!match) return err(new BodyError("invalid_size", `not a size: ${JSON.stringify(text)} (examples: 1024, 1kB, 1MiB)`));
  const amount = Number(match[1]);
  const unit = match[2] ?? "";
  let factor: number | undefined;
  if (unit === "") factor = 1;
  else if (unit === "KB") factor = 1024;
  else factor = UNITS.get(unit.toLowerCase());
  if (factor === undefined) {
    return err(new BodyError("invalid_size", `unknown size unit ${JSON.stringify(unit)} in ${JSON.stringify(text)}`));
  }
  return ok(Math.floor(amount * factor));
}
