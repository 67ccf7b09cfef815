import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { Readable } from "node:stream";
import { closest } from "fastest-levenshtein";
import { stringify } from "yaml";
import { RelayCliError } from "./config-error.js";
import { configSchema } from "./config-schema.js";
import { generateRelayCredentials } from "./credentials-command.js";
import type { CommandIo } from "./run-relay.js";

const MODES = ["managed", "static", "proxy", "capture"] as const;
type Mode = (typeof MODES)[number];

/** The mode a new configuration gets unless another is chosen: the Quick start's local capture relay. */
export const INIT_DEFAULT_MODE: Mode = "capture";

/** Reads a mode name, or says which mode was probably meant. */
export function parseMode(text: string): { mode: Mode } | { problem: string } {
  const mode = text.trim().toLowerCase();
  if ((MODES as readonly string[]).includes(mode)) return { mode: mode as Mode };
  return { problem: `"${text}" is not a mode (did you mean ${closest(mode, [...MODES])}?); the modes are ${MODES.join(", ")}` };
}

/** Checks an upstream URL as typed: it needs its scheme, so that a bare host is caught at once. */
function upstreamProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL: write it with its scheme, such as https://${text.replace(/^\/+/, "") || "sentry.io"}/`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `"${text}" is not an http:// or https:// URL`;
  return undefined;
}

function portProblem(text: string): string | undefined {
  return /^\d+$/.test(text) && Number(text) <= 65_535 ? undefined : `"${text}" is not a port (0 to 65535)`;
}

/** Answers given on the command line; what is missing is asked (interactive) or defaulted. */
export interface InitAnswers {
  mode?: Mode;
  upstream?: string;
  host?: string;
  port?: number;
  /** HTTPS beside HTTP: a port and either a PKCS #12 identity or a PEM certificate and key. */
  tls?: TlsAnswers;
}

/** The TLS part of {@link InitAnswers}. */
export interface TlsAnswers {
  port?: number;
  identityPath?: string;
  identityPassword?: string;
  certPath?: string;
  keyPath?: string;
}

/** Options of {@link initConfig}. */
export interface InitOptions {
  readonly dir: string;
  readonly interactive: boolean;
  readonly overwrite: boolean;
  readonly answers: InitAnswers;
  readonly input: Readable;
  readonly io: CommandIo;
}

/**
 * `relay config init`: writes `config.yml` (and `credentials.json` in managed mode). Interactive:
 * default or custom setup, then mode, upstream, host, port and TLS (port defaulting to the HTTP
 * port + 443, as the original relay did). Never overwrites without asking.
 */
export async function initConfig(options: InitOptions): Promise<void> {
  const { dir, io } = options;
  const file = join(dir, "config.yml");
  const rl = options.interactive ? createInterface({ input: options.input, output: undefined, terminal: false }) : undefined;
  const lines = rl?.[Symbol.asyncIterator]();
  const ask = async (question: string, fallback: string): Promise<string> => {
    io.out(`${question} [${fallback}]: `);
    const next = await lines?.next();
    const answer = next && !next.done ? next.value.trim() : "";
    io.out("\n");
    return answer === "" ? fallback : answer;
  };
  try {
    if (existsSync(file) && !options.overwrite) {
      if (!rl) throw new RelayCliError("config_exists", `${file} already exists; pass --overwrite to replace it`);
      const answer = await ask(`${file} already exists. Overwrite it? (yes/no)`, "no");
      if (!/^y(es)?$/i.test(answer)) {
        io.out("kept the existing configuration\n");
        return;
      }
    }
    const defaults = configSchema.parse({}).relay;
    const answers: InitAnswers = { ...options.answers };
    /** Asks until the answer passes `check`, saying what was wrong each time. */
    const askValid = async (question: string, fallback: string, check: (answer: string) => string | undefined): Promise<string> => {
      for (;;) {
        const answer = await ask(question, fallback);
        const problem = check(answer);
        if (problem === undefined) return answer;
        // Every fallback passes its check, so input that ends stops the loop.
        io.out(`  ${problem}\n`);
      }
    };
    if (rl) {
      const custom = /^c(ustom)?$/i.test(await ask(`Default setup (a local capture relay on ${defaults.host}:${defaults.port}) or custom? (default/custom)`, "default"));
      if (custom) {
        if (answers.mode === undefined) {
          const typed = await askValid(`Mode (${MODES.join("/")})`, INIT_DEFAULT_MODE, (answer) => {
            const parsed = parseMode(answer);
            return "problem" in parsed ? parsed.problem : undefined;
          });
          answers.mode = (parseMode(typed) as { mode: Mode }).mode;
        }
        if ((answers.mode === "managed" || answers.mode === "proxy" || answers.mode === "static") && answers.upstream === undefined) {
          answers.upstream = await askValid("Upstream Sentry or relay URL", defaults.upstream, upstreamProblem);
        }
        answers.host ??= await askValid("Listen on host", defaults.host, (answer) => (/\s/.test(answer) ? `"${answer}" is not a host name or address` : undefined));
        answers.port ??= Number(await askValid("Listen on port", String(defaults.port), portProblem));
        if (answers.tls === undefined && /^y(es)?$/i.test(await ask("Also serve HTTPS? (yes/no)", "no"))) {
          const tls: TlsAnswers = { port: Number(await askValid("HTTPS port", String(Math.min(65_535, answers.port + 443)), portProblem)) };
          if (/^pem$/i.test(await ask("Certificate as a PKCS #12 file or a PEM certificate and key? (pkcs12/pem)", "pkcs12"))) {
            tls.certPath = await ask("PEM certificate file", "tls/cert.pem");
            tls.keyPath = await ask("PEM key file", "tls/key.pem");
          } else {
            tls.identityPath = await ask("PKCS #12 file", "tls/identity.pfx");
            tls.identityPassword = await ask("Its password (empty for none)", "");
          }
          answers.tls = tls;
        }
      }
    }
    if (answers.upstream !== undefined) {
      const problem = upstreamProblem(answers.upstream);
      if (problem !== undefined) throw new RelayCliError("usage", `--upstream: ${problem}`);
    }
    const relay: Record<string, unknown> = { mode: answers.mode ?? INIT_DEFAULT_MODE };
    if (answers.upstream !== undefined) relay.upstream = answers.upstream;
    if (answers.host !== undefined) relay.host = answers.host;
    if (answers.port !== undefined) relay.port = answers.port;
    const tls = answers.tls;
    if (tls) {
      relay.tls_port = tls.port ?? Math.min(65_535, (answers.port ?? defaults.port) + 443);
      if (tls.identityPath !== undefined) relay.tls_identity_path = tls.identityPath;
      if (tls.identityPassword !== undefined && tls.identityPassword !== "") relay.tls_identity_password = tls.identityPassword;
      if (tls.certPath !== undefined) relay.tls_cert_path = tls.certPath;
      if (tls.keyPath !== undefined) relay.tls_key_path = tls.keyPath;
    }
    const checked = configSchema.safeParse({ relay });
    if (!checked.success) {
      throw new RelayCliError("config_invalid", checked.error.issues.map((issue) => `relay.${issue.path.slice(1).join(".")}: ${issue.message}`).join("\n"));
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(file, stringify({ relay }), { mode: 0o600 });
    io.out(`wrote ${file}\n`);
    for (const path of [tls?.identityPath, tls?.certPath, tls?.keyPath]) {
      if (path !== undefined && !existsSync(resolve(dir, path))) {
        io.err(`warning: ${resolve(dir, path)} does not exist yet; relay run needs it (scripts/dev-cert.sh makes a development certificate)\n`);
      }
    }
    if (relay.mode === "managed" && !existsSync(join(dir, "credentials.json"))) await generateRelayCredentials(dir, false, io);
  } finally {
    rl?.close();
  }
}
