/** How much the command says on stderr. */
export type LogLevel = "quiet" | "default" | "debug";

/** The receiver's stderr log. */
export interface Log {
  /** A line the original logs too, in Go's `log` format: `2006/01/02 15:04:05 text`. */
  info(text: string): void;
  /** A diagnostic shown only with `REMAPHORE_LOG=debug`. */
  debug(text: string): void;
  readonly level: LogLevel;
}

const two = (n: number): string => String(n).padStart(2, "0");

/** Go's default `log` prefix for a time, in local time: `2006/01/02 15:04:05 `. */
export function goLogPrefix(date: Date): string {
  return `${date.getFullYear()}/${two(date.getMonth() + 1)}/${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} `;
}

/** A log writing whole lines to `write`; `clock` gives the time of each line. */
export function createLog(write: (text: string) => void, level: LogLevel, clock: () => Date = () => new Date()): Log {
  return {
    level,
    info: (text) => {
      if (level !== "quiet") write(`${goLogPrefix(clock())}${text}\n`);
    },
    debug: (text) => {
      if (level === "debug") write(`remaphore: debug: ${text}\n`);
    },
  };
}
