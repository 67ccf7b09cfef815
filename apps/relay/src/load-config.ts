import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { closest } from "fastest-levenshtein";
import { LineCounter, isMap, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { configSchema, relayConfigSchema, type RawRelayConfig } from "./config-schema.js";
import { RelayCliError } from "./config-error.js";
import { adaptRelayConfig } from "./relay-compat.js";
import type { RelaySettings } from "./relay-settings.js";

/** Where the configuration came from, for messages and `config show`. */
export interface LoadedConfig {
  /** The config folder in use. */
  readonly dir: string;
  /** `config.yml`, when one exists. */
  readonly file: string | undefined;
  /** The configuration as written, with defaults and overrides applied (what `config show` prints). */
  readonly config: RawRelayConfig;
  /** The same configuration as the relay's parts use it: milliseconds, bytes, frozen. */
  readonly settings: RelaySettings;
  /** Notices for the operator (an old folder name, overrides from the environment). */
  readonly notices: readonly string[];
  /** Keys of Sentry's Relay (or unknown keys) that were ignored, one warning each. */
  readonly warnings: readonly string[];
  /**
   * Where a dotted key (`relay.tls_cert_path`) is written: `<file>:<line>`, the line of its section
   * when the key itself is not written, or `configuration` without a file.
   */
  readonly locate: (key: string) => string;
}

/** The folder used when `--config` is not given. */
export const DEFAULT_CONFIG_DIR = ".relay";
/** The original name of the folder, still read when it is the only one there. */
export const LEGACY_CONFIG_DIR = ".semaphore";

/** Picks the config folder: `--config`, else `.relay`, else an existing `.semaphore`. */
export function resolveConfigDir(explicit: string | undefined, cwd: string): { dir: string; notice?: string } {
  if (explicit) return { dir: resolve(cwd, explicit) };
  const current = resolve(cwd, DEFAULT_CONFIG_DIR);
  const legacy = resolve(cwd, LEGACY_CONFIG_DIR);
  if (!existsSync(current) && existsSync(legacy)) {
    return { dir: legacy, notice: `reading the configuration from ${legacy} (rename it to ${DEFAULT_CONFIG_DIR})` };
  }
  return { dir: current };
}

const ENV_OVERRIDES: readonly (readonly [string, readonly [string, string], (v: string) => unknown])[] = [
  ["RELAY_UPSTREAM_URL", ["relay", "upstream"], (v) => v],
  ["RELAY_HOST", ["relay", "host"], (v) => v],
  ["RELAY_PORT", ["relay", "port"], (v) => (/^\d+$/.test(v) ? Number(v) : v)],
  ["RELAY_MODE", ["relay", "mode"], (v) => v],
];

/** Every key path the schema knows, for typo suggestions. */
function knownKeys(schema: z.ZodType, prefix: string[]): string[][] {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  const inner = (schema as unknown as { def?: { innerType?: z.ZodType } }).def?.innerType;
  if (shape) return Object.entries(shape).flatMap(([key, value]) => [[...prefix, key], ...knownKeys(value, [...prefix, key])]);
  if (inner) return knownKeys(inner, prefix);
  return [];
}

/** The parsed `config.yml` and where each of its lines starts, to name the line of a key. */
interface ConfigText {
  readonly doc: Document;
  readonly counter: LineCounter;
}

function lineOf(text: ConfigText, path: readonly PropertyKey[]): number | undefined {
  const { doc, counter } = text;
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as string[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** The line where `key` is written in the mapping at `parent`, if it is. */
function writtenKeyLine(text: ConfigText, where: { readonly parent: readonly PropertyKey[]; readonly key: string }): number | undefined {
  const { doc, counter } = text;
  const { parent, key } = where;
  const map = parent.length === 0 ? doc.contents : doc.getIn(parent as string[], true);
  if (isMap(map)) {
    for (const pair of map.items) {
      const node = pair.key as { value?: unknown; range?: [number, number, number] };
      if (node.value === key && node.range) return counter.linePos(node.range[0]).line;
    }
  }
  return undefined;
}

function keyLine(text: ConfigText, where: { readonly parent: readonly PropertyKey[]; readonly key: string }): number | undefined {
  return writtenKeyLine(text, where) ?? lineOf(text, where.parent);
}

/**
 * Reads and validates `<dir>/config.yml`, applying defaults and `RELAY_*` environment overrides.
 * Errors name the file, the line and the key, and suggest the nearest valid key for a typo.
 */
export function loadConfig(dir: string, env: NodeJS.ProcessEnv, overrides: Readonly<Record<string, unknown>> = {}): LoadedConfig {
  const file = join(dir, "config.yml");
  const notices: string[] = [];
  let input: Record<string, unknown> = {};
  let doc: Document | undefined;
  const counter = new LineCounter();
  const exists = existsSync(file);
  if (exists) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new RelayCliError("config_unreadable", `cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    doc = parseDocument(text, { lineCounter: counter, prettyErrors: true });
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!;
      const line = first.linePos?.[0].line;
      throw new RelayCliError("config_invalid", `${file}${line ? `:${line}` : ""}: not valid YAML: ${first.message.split("\n")[0] ?? ""}`);
    }
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) {
      if (typeof value !== "object" || Array.isArray(value)) {
        throw new RelayCliError("config_invalid", `${file}: the configuration must be a mapping of sections (relay:, http:, ...)`);
      }
      input = value as Record<string, unknown>;
    }
  } else {
    // With no configuration at all the relay is a local capture server for developers.
    input = { relay: { mode: "capture" } };
  }

  const adapted = adaptRelayConfig(input, knownKeys(configSchema, []).map((key) => key.join(".")));
  if (adapted.typos.length > 0) {
    throw new RelayCliError(
      "config_invalid",
      adapted.typos
        .map(({ parent, key, suggestion }) => {
          const where = doc ? keyLine({ doc, counter }, { parent, key }) : undefined;
          return `${file}${where ? `:${where}` : ""}: unknown key ${[...parent, key].join(".")} (did you mean ${suggestion}?)`;
        })
        .join("\n"),
    );
  }
  input = adapted.input;

  const relaySection = { ...(input.relay as Record<string, unknown> | undefined) };
  for (const [name, path, convert] of ENV_OVERRIDES) {
    const value = env[name];
    if (value !== undefined && value !== "") {
      relaySection[path[1]] = convert(value);
      notices.push(`${name} overrides ${path.join(".")}`);
    }
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) relaySection[key] = value;
  }
  input = { ...input, relay: relaySection };

  const parsed = relayConfigSchema.safeParse(input);
  if (!parsed.success) {
    const keys = knownKeys(configSchema, []);
    const messages = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String);
      if (issue.code === "unrecognized_keys") {
        return issue.keys
          .map((key) => {
            const siblings = keys.filter((k) => k.length === path.length + 1 && k.slice(0, -1).join(".") === path.join(".")).map((k) => k.at(-1)!);
            const suggestion = siblings.length > 0 ? closest(key, siblings) : undefined;
            const where = doc ? keyLine({ doc, counter }, { parent: path, key }) : undefined;
            const name = [...path, key].join(".");
            return `${file}${where ? `:${where}` : ""}: unknown key ${name}${suggestion ? ` (did you mean ${[...path, suggestion].join(".")}?)` : ""}`;
          })
          .join("\n");
      }
      const where = doc ? lineOf({ doc, counter }, path) : undefined;
      return `${exists ? file : "configuration"}${where ? `:${where}` : ""}: ${path.join(".") || "(root)"}: ${issue.message}`;
    });
    throw new RelayCliError("config_invalid", messages.join("\n"));
  }
  const { written, settings } = parsed.data;
  // Sentry's API lives at the root of its host: a path in the upstream URL is not used.
  const upstream = new URL(settings.upstream.url);
  if (upstream.pathname !== "/" || upstream.search !== "") {
    notices.push(`relay.upstream: only the origin is used; the relay talks to ${upstream.origin}/ (the path ${upstream.pathname}${upstream.search} is ignored)`);
  }
  const locate = (key: string): string => {
    if (!doc) return "configuration";
    const path = key.split(".");
    for (let depth = path.length; depth > 0; depth--) {
      const line = writtenKeyLine({ doc, counter }, { parent: path.slice(0, depth - 1), key: path[depth - 1]! });
      if (line !== undefined) return `${file}:${line}`;
    }
    return file;
  };
  return { dir, file: exists ? file : undefined, config: written, settings, notices, warnings: adapted.warnings, locate };
}
