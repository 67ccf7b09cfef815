import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { dirname, join, basename } from "node:path";
import { IdentityError } from "./identity-error.js";
import { decodeBase64UrlPublicKey, decodeBase64UrlSecretKey, encodeBase64Url, encodeBase64UrlSecretKey } from "./key-encoding.js";
import { equalBytes, generateKeyPair, type KeyPair, type RandomSource } from "./key-pair.js";
import type { Result } from "@org/protocol/result";
import { err, ok } from "@org/protocol/result";

/** A relay's identity: its id and key pair, as kept in `credentials.json`. */
export interface Credentials {
  /** The relay id, a UUID. */
  readonly id: string;
  readonly keyPair: KeyPair;
}

/** The JSON shape of `credentials.json`. */
export interface CredentialsFile {
  readonly secret_key: string;
  readonly public_key: string;
  readonly id: string;
}

/** Makes a new relay identity. */
export function generateCredentials(random?: RandomSource, id: string = randomUUID()): Credentials {
  return { id, keyPair: generateKeyPair(random) };
}

/** The public key of credentials in the relay's encoding (base64url, 43 characters). */
export function credentialsPublicKey(credentials: Credentials): string {
  return encodeBase64Url(credentials.keyPair.publicKey);
}

/** Serializes credentials to the file's JSON shape. */
export function credentialsToJson(credentials: Credentials): CredentialsFile {
  return {
    secret_key: encodeBase64UrlSecretKey(credentials.keyPair),
    public_key: credentialsPublicKey(credentials),
    id: credentials.id,
  };
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Reads credentials from the file's JSON text, checking that the public key belongs to the secret key. */
export function parseCredentials(text: string, source = "credentials"): Result<Credentials, IdentityError> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return err(new IdentityError("invalid_credentials", `${source} is not valid JSON: ${(error as Error).message}`));
  }
  const file = json as Partial<Record<keyof CredentialsFile, unknown>>;
  if (typeof json !== "object" || json === null || typeof file.secret_key !== "string" || typeof file.public_key !== "string" || typeof file.id !== "string") {
    return err(new IdentityError("invalid_credentials", `${source} needs "secret_key", "public_key" and "id" strings`));
  }
  if (!UUID.test(file.id)) return err(new IdentityError("invalid_credentials", `${source}: "id" is not a UUID`));
  const pair = decodeBase64UrlSecretKey(file.secret_key);
  if (!pair.ok) return err(new IdentityError(pair.error.code, `${source}: secret_key: ${pair.error.message}`));
  const publicKey = decodeBase64UrlPublicKey(file.public_key);
  if (!publicKey.ok) return err(new IdentityError(publicKey.error.code, `${source}: public_key: ${publicKey.error.message}`));
  if (!equalBytes(publicKey.value, pair.value.publicKey)) {
    return err(new IdentityError("key_mismatch", `${source}: public_key does not belong to secret_key`));
  }
  return ok({ id: file.id, keyPair: pair.value });
}

/** Options of {@link loadCredentials}. */
export interface LoadCredentialsOptions {
  /**
   * Accept a file that group or others can read. Meant for containers whose volumes cannot carry
   * file modes; everywhere else, fix the mode instead.
   */
  readonly allowInsecurePermissions?: boolean;
}

/** Loads `credentials.json`, refusing a file that others can read (it holds the secret key). */
export async function loadCredentials(path: string, options: LoadCredentialsOptions = {}): Promise<Result<Credentials, IdentityError>> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return err(new IdentityError("file_missing", `${path} does not exist`));
    throw error;
  }
  if ((mode & 0o077) !== 0 && !options.allowInsecurePermissions && process.platform !== "win32") {
    return err(
      new IdentityError(
        "insecure_permissions",
        `${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); it holds a secret key. Run: chmod 600 ${path} (or allow insecure permissions explicitly)`,
      ),
    );
  }
  return parseCredentials(await readFile(path, "utf8"), path);
}

/** Options of {@link saveCredentials}. */
export interface SaveCredentialsOptions {
  /** Replace an existing file. */
  readonly overwrite?: boolean;
}

/**
 * Writes `credentials.json` atomically (a temporary file in the same folder, then a rename) with
 * mode 0600, creating the folder (0700) when missing. An existing file is kept unless `overwrite`.
 */
export async function saveCredentials(path: string, credentials: Credentials, options: SaveCredentialsOptions = {}): Promise<Result<void, IdentityError>> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!options.overwrite) {
    try {
      await stat(path);
      return err(new IdentityError("file_exists", `${path} already exists; pass overwrite to replace it`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  const temporary = join(dir, `.${basename(path)}.${process.pid}.${randomUUID()}.tmp`);
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(credentialsToJson(credentials), null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  return ok(undefined);
}
