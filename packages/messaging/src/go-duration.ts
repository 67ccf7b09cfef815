const UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go duration (`1h2m3s4ms`, `500ms`, `1.5s`, `-2s`, `0`) into milliseconds, or
 * `undefined` when it is not one.
 */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([+-]?)(.+)$/.exec(text.trim());
  if (!match) return undefined;
  const body = match[2]!;
  if (body === "0") return 0;
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = part.exec(body); m !== null; m = part.exec(body)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    consumed = part.lastIndex;
  }
  if (consumed !== body.length || consumed === 0) return undefined;
  return match[1] === "-" ? -total : total;
}
