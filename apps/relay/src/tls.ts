import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createSecureContext } from "node:tls";
import type { TlsConfig } from "./relay-settings.js";
import { RelayCliError } from "./config-error.js";

/** A certificate and its key as PEM (`relay.tls_cert_path`, `relay.tls_key_path`). */
export interface PemTlsOptions {
  /** The private key, PEM, unencrypted. */
  readonly key: Buffer;
  /** The certificate, PEM, optionally followed by its chain. */
  readonly cert: Buffer;
}

/** A PKCS #12 identity (`relay.tls_identity_path`, `relay.tls_identity_password`). */
export interface PfxTlsOptions {
  /** The `.pfx` / `.p12` file's bytes. */
  readonly pfx: Buffer;
  /** Its password; `undefined` for a file without one. */
  readonly passphrase: string | undefined;
}

/** What the HTTPS listener needs, validated: options for node's `https.createServer`. */
export interface TlsSettings {
  /** `relay.tls_port` (0: any free port). */
  readonly port: number;
  readonly options: PemTlsOptions | PfxTlsOptions;
}

type TlsKey = "relay.tls_identity_path" | "relay.tls_identity_password" | "relay.tls_cert_path" | "relay.tls_key_path" | "relay.tls_port";

function invalid(key: TlsKey, problem: string, cause?: unknown): RelayCliError {
  return new RelayCliError("config_invalid", `${key}: ${problem}`, cause === undefined ? { key } : { cause, key });
}

/** The error's OpenSSL or system code, when it has one. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readTlsFile(key: TlsKey, file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = codeOf(error);
    if (code === "ENOENT") throw invalid(key, `${what} ${file} does not exist`, error);
    if (code === "EISDIR") throw invalid(key, `${file} is a folder, not ${what}`, error);
    if (code === "EACCES" || code === "EPERM") {
      const user = process.getuid?.();
      throw invalid(key, `cannot read ${what} ${file}: permission denied${user === undefined ? "" : ` (the relay runs as uid ${user})`}`, error);
    }
    throw invalid(key, `cannot read ${what} ${file}: ${messageOf(error)}`, error);
  }
}

function loadPem(certFile: string, keyFile: string): PemTlsOptions {
  const cert = readTlsFile("relay.tls_cert_path", certFile, "the certificate file");
  const key = readTlsFile("relay.tls_key_path", keyFile, "the private key file");

  const keyText = key.toString("latin1");
  if (keyText.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----") || keyText.includes("Proc-Type: 4,ENCRYPTED")) {
    throw invalid("relay.tls_key_path", `the private key in ${keyFile} is encrypted; the relay needs it unencrypted (openssl pkey -in ${keyFile} -out <new file>), or use a PKCS #12 identity with relay.tls_identity_path and relay.tls_identity_password`);
  }
  try {
    createPrivateKey(key);
  } catch (error) {
    const hint = keyText.includes("-----BEGIN CERTIFICATE-----")
      ? " (it holds a certificate: are relay.tls_cert_path and relay.tls_key_path swapped?)"
      : keyText.includes("-----BEGIN")
        ? " (its PEM block is damaged or of another kind)"
        : ' (no "-----BEGIN ... PRIVATE KEY-----" line; DER and PKCS #12 files are not PEM)';
    throw invalid("relay.tls_key_path", `${keyFile} is not a valid PEM private key${hint}`, error);
  }

  const certText = cert.toString("latin1");
  try {
    new X509Certificate(cert);
  } catch (error) {
    const hint = !certText.includes("-----BEGIN CERTIFICATE-----")
      ? certText.includes("PRIVATE KEY-----")
        ? " (it holds a private key: are relay.tls_cert_path and relay.tls_key_path swapped?)"
        : ' (no "-----BEGIN CERTIFICATE-----" line; DER and PKCS #12 files are not PEM)'
      : " (its PEM block is damaged or cut short)";
    throw invalid("relay.tls_cert_path", `${certFile} is not a valid PEM certificate${hint}`, error);
  }

  try {
    createSecureContext({ key, cert });
  } catch (error) {
    if (codeOf(error) === "ERR_OSSL_X509_KEY_VALUES_MISMATCH") {
      throw invalid("relay.tls_cert_path", `the certificate in ${certFile} does not match the private key in ${keyFile} (relay.tls_key_path): they are not one pair`, error);
    }
    throw invalid("relay.tls_cert_path", `the certificate in ${certFile} and the key in ${keyFile} cannot be used for TLS: ${messageOf(error)}`, error);
  }
  return Object.freeze({ key, cert });
}

function loadPfx(file: string, passphrase: string | undefined): PfxTlsOptions {
  const pfx = readTlsFile("relay.tls_identity_path", file, "the PKCS #12 identity file");
  try {
    createSecureContext({ pfx, passphrase });
  } catch (error) {
    const message = messageOf(error);
    if (message.includes("mac verify failure")) {
      throw passphrase === undefined
        ? invalid("relay.tls_identity_password", `the PKCS #12 identity ${file} (relay.tls_identity_path) is protected by a password: set relay.tls_identity_password`, error)
        : invalid("relay.tls_identity_password", `wrong password for the PKCS #12 identity ${file} (relay.tls_identity_path)`, error);
    }
    if (codeOf(error) === "ERR_CRYPTO_UNSUPPORTED_OPERATION") {
      throw invalid(
        "relay.tls_identity_path",
        `${file} uses an old PKCS #12 encryption (RC2 or 3DES, as from OpenSSL 1.x or older Windows exports) that OpenSSL 3 refuses; export it again with OpenSSL 3 (openssl pkcs12 -legacy -in <old> -nodes, then openssl pkcs12 -export)`,
        error,
      );
    }
    const problem = pfx.toString("latin1").includes("-----BEGIN")
      ? "it holds PEM text, and PEM files go in relay.tls_cert_path and relay.tls_key_path"
      : `OpenSSL cannot read it (${message})`;
    throw invalid("relay.tls_identity_path", `${file} is not a PKCS #12 identity file (.pfx, .p12): ${problem}`, error);
  }
  return Object.freeze({ pfx, passphrase });
}

/**
 * Reads and checks the relay's TLS settings: `undefined` when `relay.tls_port` is not set, else
 * the port and the certificate and key, already loaded into a TLS context once so that every
 * problem stops start-up with an error naming the config key, the file and what is wrong. Relative
 * paths are relative to the config folder.
 */
export function loadTlsSettings(
  tls: TlsConfig,
  where: {
    readonly port: number;
    readonly dir: string;
    /** Where a key is written (`<file>:<line>`), to put in front of an error about it. */
    readonly locate?: ((key: string) => string) | undefined;
  },
): TlsSettings | undefined {
  try {
    return readTlsSettings(tls, where);
  } catch (error) {
    if (!(error instanceof RelayCliError) || error.key === undefined || !where.locate) throw error;
    throw new RelayCliError(error.code, `${where.locate(error.key)}: ${error.message}`, { cause: error.cause, key: error.key });
  }
}

function readTlsSettings(tls: TlsConfig, where: { readonly port: number; readonly dir: string }): TlsSettings | undefined {
  const { port, identityPath: identity, identityPassword: password, certPath: cert, keyPath: key } = tls;
  const configDir = where.dir;
  if (port === null) return undefined;
  if (port !== 0 && port === where.port) {
    throw invalid("relay.tls_port", `${port} is also relay.port: HTTPS and plain HTTP need a port each`);
  }
  if (identity !== null && (cert !== null || key !== null)) {
    throw invalid(
      "relay.tls_identity_path",
      `set together with ${cert !== null ? "relay.tls_cert_path" : "relay.tls_key_path"}: use either a PKCS #12 identity (relay.tls_identity_path) or a PEM certificate and key (relay.tls_cert_path and relay.tls_key_path), not both`,
    );
  }
  if (identity !== null) {
    return Object.freeze({ port, options: loadPfx(resolve(configDir, identity), password ?? undefined) });
  }
  if (password !== null) {
    throw invalid("relay.tls_identity_password", "set without relay.tls_identity_path: it is the password of a PKCS #12 identity (PEM keys must be unencrypted)");
  }
  if (cert === null && key === null) {
    throw invalid("relay.tls_port", "HTTPS needs a certificate: set relay.tls_identity_path (PKCS #12), or relay.tls_cert_path and relay.tls_key_path (PEM)");
  }
  if (cert === null) throw invalid("relay.tls_cert_path", "missing: relay.tls_key_path is set, and its certificate is needed too");
  if (key === null) throw invalid("relay.tls_key_path", "missing: relay.tls_cert_path is set, and its private key is needed too");
  return Object.freeze({ port, options: loadPem(resolve(configDir, cert), resolve(configDir, key)) });
}
