import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { MessagingError } from "./messaging-error.js";
import { parseRemaphoreConfig, type RemaphoreConfig } from "./remaphore-config.js";
import type { Result } from "@org/identity";
import { err, ok } from "@org/identity";

/** Options of {@link loadRemaphoreConfig}. */
export interface LoadConfigOptions {
  /** Read a config that other users can read, instead of refusing it (a warning is returned). */
  readonly allowInsecurePermissions?: boolean;
}

/** A loaded config and the warnings worth showing. */
export interface LoadedConfig {
  readonly config: RemaphoreConfig;
  readonly warnings: readonly string[];
}

/**
 * Reads and parses a config file. It holds private keys, so a file every user can read is refused
 * (`config_insecure`) unless explicitly allowed, and one its group can read gives a warning; parse
 * problems come back as one `config_invalid` error listing each with its line.
 */
export function loadRemaphoreConfig(path: string, options: LoadConfigOptions = {}): Promise<Result<LoadedConfig, MessagingError>> {
  return Promise.resolve(readConfig(path, options));
}

function readConfig(path: string, options: LoadConfigOptions): Result<LoadedConfig, MessagingError> {
  let text: string;
  let mode: number;
  // One descriptor for the mode and the text, so that both describe the same file. Synchronous:
  // read once at start-up, and `node:fs/promises` alone would add a noticeable share of a short
  // `remaphore -s` process's start.
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    mode = fstatSync(fd).mode;
    text = readFileSync(fd, "utf8");
  } catch (error) {
    return err(new MessagingError("config_invalid", `cannot read ${path}: ${(error as Error).message}`, { cause: error }));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const warnings: string[] = [];
  const permissions = (mode & 0o777).toString(8);
  if ((mode & 0o007) !== 0) {
    const message = `${path} holds private keys but other users can read it (mode ${permissions}): run chmod 600 ${path}`;
    if (!options.allowInsecurePermissions) return err(new MessagingError("config_insecure", message));
    warnings.push(message);
  } else if ((mode & 0o070) !== 0) {
    // A group of operators sharing the file is a common setup: said, not refused.
    warnings.push(`${path} holds private keys and its group can read it (mode ${permissions}); chmod 600 ${path} keeps them to its owner`);
  }
  const parsed = parseRemaphoreConfig(text);
  if (!parsed.ok) {
    const lines = parsed.error.map((problem) => `${path}${problem.line > 0 ? `:${problem.line}` : ""}: ${problem.message}`);
    return err(new MessagingError("config_invalid", lines.join("\n")));
  }
  return ok({ config: parsed.value, warnings });
}
