import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { Command, CommanderError, Option } from "commander";
import { stringify } from "yaml";
import { RelayCliError } from "./config-error.js";
import { loadConfig, resolveConfigDir } from "./load-config.js";
import { runRelay, type CommandIo } from "./run-relay.js";
import { runIngestWorker } from "./ingest-worker.js";
import { INIT_DEFAULT_MODE, initConfig, parseMode } from "./config-init.js";
import { formatChecks, runDoctor } from "./doctor.js";
import { generateRelayCredentials, removeRelayCredentials, showRelayCredentials } from "./credentials-command.js";

const EXIT_CODES: Readonly<Record<RelayCliError["code"], number>> = {
  usage: 2,
  config_invalid: 2,
  config_unreadable: 2,
  config_exists: 2,
  credentials_invalid: 2,
  credentials_missing: 2,
  startup_failed: 1,
};

/** This relay's version, from its package.json. */
function relayVersion(): string {
  return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

/** Flags of `relay config init`. */
interface InitFlags {
  nonInteractive?: boolean;
  overwrite?: boolean;
  mode?: "managed" | "static" | "proxy" | "capture";
  upstream?: string;
  host?: string;
  port?: number;
  tlsPort?: number;
  tlsIdentityPath?: string;
  tlsIdentityPassword?: string;
  tlsCertPath?: string;
  tlsKeyPath?: string;
}

/** Parses `--mode`, suggesting the nearest mode for a typo. */
function modeFlag(value: string): "managed" | "static" | "proxy" | "capture" {
  const parsed = parseMode(value);
  if ("problem" in parsed) throw new RelayCliError("usage", `--mode: ${parsed.problem}`);
  return parsed.mode;
}

interface GlobalOptions {
  config?: string;
}

/** What the command line reads and writes: its output streams, environment, folder and input. */
export interface CliContext {
  readonly io: CommandIo;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdin: Readable;
}

function buildProgram(context: CliContext): Command {
  const { io, env, cwd, stdin } = context;
  const program = new Command("relay")
    .description("A relay for Sentry events: accepts events from any Sentry SDK, scrubs them, keeps them safely and forwards them.")
    .version(relayVersion(), "-V, --version", "print the relay's version")
    .option("-c, --config <dir>", "configuration folder (default: .relay in the current folder)")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

  const configDir = (): { dir: string; notice?: string } => resolveConfigDir(program.opts<GlobalOptions>().config, cwd);

  program
    .command("run")
    .description("run the relay in the foreground")
    .option("--upstream <url>", "upstream Sentry or relay (relay.upstream)")
    .option("--host <host>", "address to listen on (relay.host)")
    .option("--port <port>", "port to listen on (relay.port)", (value) => {
      if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new RelayCliError("usage", `--port: not a port number: ${value}`);
      return Number(value);
    })
    .option("--mode <mode>", "relay mode (relay.mode): managed, static, proxy or capture", modeFlag)
    .option("--workers <n>", "ingest processes on the one port (relay.workers)", (value) => {
      if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 64) throw new RelayCliError("usage", `--workers: not a number from 1 to 64: ${value}`);
      return Number(value);
    })
    .action(async (options: { upstream?: string; host?: string; port?: number; mode?: "managed" | "static" | "proxy" | "capture"; workers?: number }) => {
      const { dir, notice } = configDir();
      const loaded = loadConfig(dir, env, options);
      await runRelay({ loaded, notices: notice ? [notice] : [], io, version: relayVersion() });
    });

  // Started by `relay run` itself for each ingest worker when relay.workers is above 1.
  program
    .command("worker", { hidden: true })
    .description("run one ingest worker of a relay (started by relay run)")
    .action(async () => {
      await runIngestWorker({ version: relayVersion(), env });
    });

  const config = program.command("config").description("create or show the configuration");
  config
    .command("init")
    .description("create config.yml (and credentials in managed mode), asking for each answer")
    .option("--non-interactive", "ask nothing: use the flags given and the defaults")
    .option("--overwrite", "replace an existing config.yml without asking")
    .option("--mode <mode>", `relay mode: managed, static, proxy or capture (default: ${INIT_DEFAULT_MODE})`, modeFlag)
    .option("--upstream <url>", "upstream Sentry or relay")
    .option("--host <host>", "address to listen on")
    .option("--port <port>", "port to listen on", (value) => {
      if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new RelayCliError("usage", `--port: not a port number: ${value}`);
      return Number(value);
    })
    .option("--tls-port <port>", "also serve HTTPS on this port", (value) => {
      if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new RelayCliError("usage", `--tls-port: not a port number: ${value}`);
      return Number(value);
    })
    .option("--tls-identity-path <file>", "PKCS #12 file with the certificate and key")
    .option("--tls-identity-password <password>", "password of the PKCS #12 file")
    .option("--tls-cert-path <file>", "PEM certificate (with --tls-key-path)")
    .option("--tls-key-path <file>", "PEM key (with --tls-cert-path)")
    .action(async (options: InitFlags) => {
      const tlsGiven = [options.tlsPort, options.tlsIdentityPath, options.tlsIdentityPassword, options.tlsCertPath, options.tlsKeyPath].some((value) => value !== undefined);
      await initConfig({
        dir: configDir().dir,
        interactive: !options.nonInteractive,
        overwrite: Boolean(options.overwrite),
        answers: {
          mode: options.mode,
          upstream: options.upstream,
          host: options.host,
          port: options.port,
          tls: tlsGiven
            ? { port: options.tlsPort, identityPath: options.tlsIdentityPath, identityPassword: options.tlsIdentityPassword, certPath: options.tlsCertPath, keyPath: options.tlsKeyPath }
            : undefined,
        },
        input: stdin,
        io,
      });
    });
  config
    .command("show")
    .description("print the whole configuration, defaults included")
    .addOption(new Option("--format <format>", "output format").choices(["yaml", "json"]).default("yaml"))
    .action((options: { format: "yaml" | "json" }) => {
      const { dir, notice } = configDir();
      if (notice) io.err(`${notice}\n`);
      const loaded = loadConfig(dir, env);
      for (const line of [...loaded.notices, ...loaded.warnings]) io.err(`${line}\n`);
      // Secrets are shown as set or not, never as written.
      const password = loaded.config.relay.tls_identity_password;
      const shown = { ...loaded.config, relay: { ...loaded.config.relay, tls_identity_password: password === null ? null : "[Filtered]" } };
      io.out(options.format === "json" ? `${JSON.stringify(shown, null, 2)}\n` : stringify(shown));
    });

  program
    .command("doctor")
    .description("check the configuration, credentials, spool, port, upstream and clock, and explain problems")
    .action(async () => {
      const { dir, notice } = configDir();
      if (notice) io.err(`${notice}\n`);
      const checks = await runDoctor({ dir, env, version: relayVersion() });
      io.out(formatChecks(checks));
      if (checks.some((check) => check.status === "fail")) throw new RelayCliError("startup_failed", "some checks failed");
    });

  const credentials = program.command("credentials").description("manage the relay's identity (credentials.json)");
  credentials
    .command("generate")
    .description("create a new relay id and key pair")
    .option("--overwrite", "replace existing credentials")
    .action(async (options: { overwrite?: boolean }) => {
      await generateRelayCredentials(configDir().dir, Boolean(options.overwrite), io);
    });
  credentials
    .command("show")
    .description("print the relay id and public key (never the secret key)")
    .action(async () => {
      await showRelayCredentials(configDir().dir, io, env);
    });
  credentials
    .command("remove")
    .description("delete the credentials")
    .action(async () => {
      await removeRelayCredentials(configDir().dir, io);
    });

  return program;
}

/** Runs the relay command line; resolves to the process exit code. */
export async function main(argv: readonly string[], context: Partial<CliContext> = {}): Promise<number> {
  const io = context.io ?? { out: (text: string) => void process.stdout.write(text), err: (text: string) => void process.stderr.write(text) };
  const program = buildProgram({ io, env: context.env ?? process.env, cwd: context.cwd ?? process.cwd(), stdin: context.stdin ?? process.stdin });
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof RelayCliError) {
      io.err(`relay: ${error.message}\n`);
      return EXIT_CODES[error.code];
    }
    io.err(`relay: ${(error as Error).message}\n`);
    return 1;
  }
}
