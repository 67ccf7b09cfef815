import { rm } from "node:fs/promises";
import { join } from "node:path";
import { credentialsPublicKey, generateCredentials, loadCredentials, saveCredentials } from "@org/identity";
import { RelayCliError } from "./config-error.js";
import type { CommandIo } from "./run-relay.js";

/** Where the relay keeps its identity. */
export function credentialsPath(dir: string): string {
  return join(dir, "credentials.json");
}

/** `relay credentials generate`: a new identity, written 0600; refuses to replace one unless asked. */
export async function generateRelayCredentials(dir: string, overwrite: boolean, io: CommandIo): Promise<void> {
  const path = credentialsPath(dir);
  const credentials = generateCredentials();
  const saved = await saveCredentials(path, credentials, { overwrite });
  if (!saved.ok) {
    if (saved.error.code === "file_exists") {
      throw new RelayCliError("config_exists", `${path} already exists; pass --overwrite to replace it (the upstream then sees a new relay)`);
    }
    throw new RelayCliError("credentials_invalid", saved.error.message);
  }
  io.out(`wrote ${path}\n  relay id:   ${credentials.id}\n  public key: ${credentialsPublicKey(credentials)}\n`);
}

/** `relay credentials show`: the relay id and public key, never the secret. */
export async function showRelayCredentials(dir: string, io: CommandIo, env: NodeJS.ProcessEnv): Promise<void> {
  const path = credentialsPath(dir);
  const loaded = await loadCredentials(path, { allowInsecurePermissions: env.RELAY_ALLOW_INSECURE_CREDENTIALS === "1" });
  if (!loaded.ok) {
    if (loaded.error.code === "file_missing") {
      throw new RelayCliError("credentials_missing", `no credentials in ${dir}: run relay credentials generate`);
    }
    throw new RelayCliError("credentials_invalid", loaded.error.message);
  }
  io.out(`relay id:   ${loaded.value.id}\npublic key: ${credentialsPublicKey(loaded.value)}\n`);
}

/** `relay credentials remove`. */
export async function removeRelayCredentials(dir: string, io: CommandIo): Promise<void> {
  const path = credentialsPath(dir);
  try {
    await rm(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new RelayCliError("credentials_missing", `no credentials in ${dir}`);
    throw error;
  }
  io.out(`removed ${path}\n`);
}
