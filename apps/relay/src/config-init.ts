import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import type { Readable } from "node:stream";
import { stringify } from "yaml";
import { RelayCliError } from "./config-error.js";
import { configSchema } from "./config-schema.js";
import { generateRelayCredentials } from "./credentials-command.js";
import type { CommandIo } from "./run-relay.js";

const MODES = ["managed", "static", "proxy", "capture"] as const;
type Mode = (typeof MODES)[number];

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
    if (rl) {
      const custom = /^c(ustom)?$/i.test(await ask("Default setup (managed relay for sentry.io on 127.0.0.1:3000) or custom? (default/custom)", "default"));
      if (custom) {
        while (answers.mode === undefined) {
          const mode = await ask(`Mode (${MODES.join("/")})`, defaults.mode);
          if ((MODES as readonly string[]).includes(mode)) answers.mode = mode as Mode;
          else io.out(`  "${mode}" is not a mode\n`);
        }
        if ((answers.mode === "managed" || answers.mode === "proxy" || answers.mode === "static") && answers.upstream === undefined) {
          answers.upstream = await ask("Upstream Sentry or relay URL", defaults.upstream);
        }
        answers.host ??= await ask("Listen on host", defaults.host);
        while (answers.port === undefined) {
          const port = await ask("Listen on port", String(defaults.port));
          if (/^\d+$/.test(port) && Number(port) <= 65_535) answers.port = Number(port);
          else io.out(`  "${port}" is not a port\n`);
        }
        if (answers.tls === undefined && /^y(es)?$/i.test(await ask("Also serve HTTPS? (yes/no)", "no"))) {
          const tls: TlsAnswers = {};
          while (tls.port === undefined) {
            const port = await ask("HTTPS port", String(Math.min(65_535, answers.port + 443)));
            if (/^\d+$/.test(port) && Number(port) <= 65_535) tls.port = Number(port);
            else io.out(`  "${port}" is not a port\n`);
          }
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
    const relay: Record<string, unknown> = { mode: answers.mode ?? defaults.mode };
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
    if (relay.mode === "managed" && !existsSync(join(dir, "credentials.json"))) await generateRelayCredentials(dir, false, io);
  } finally {
    rl?.close();
  }
}
