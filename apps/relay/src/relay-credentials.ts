import { credentialsPublicKey, decodeBase64UrlSecretKey, loadCredentials, type Credentials } from "@org/identity";
import type { RelayCredentials } from "@org/relay-core";
import { RelayCliError } from "./config-error.js";
import { credentialsPath } from "./credentials-command.js";

/** How {@link identitySource} names the environment variables. */
const ENV_IDENTITY = "RELAY_ID and RELAY_SECRET_KEY";

/** Where {@link loadRelayIdentity} reads the identity from: the environment, or the credentials file's path. */
export function identitySource(dir: string, env: NodeJS.ProcessEnv): string {
  return env.RELAY_SECRET_KEY !== undefined || env.RELAY_ID !== undefined ? ENV_IDENTITY : credentialsPath(dir);
}

/**
 * The relay's identity for managed mode: `RELAY_ID` + `RELAY_SECRET_KEY` (and optionally
 * `RELAY_PUBLIC_KEY`, checked against the secret) from the environment, else `credentials.json`.
 */
export async function loadRelayIdentity(dir: string, env: NodeJS.ProcessEnv): Promise<RelayCredentials> {
  let credentials: Credentials;
  if (identitySource(dir, env) === ENV_IDENTITY) {
    if (!env.RELAY_SECRET_KEY || !env.RELAY_ID) {
      throw new RelayCliError("credentials_invalid", "RELAY_ID and RELAY_SECRET_KEY must be set together");
    }
    const pair = decodeBase64UrlSecretKey(env.RELAY_SECRET_KEY.trim());
    if (!pair.ok) throw new RelayCliError("credentials_invalid", `RELAY_SECRET_KEY: ${pair.error.message}`);
    credentials = { id: env.RELAY_ID.trim(), keyPair: pair.value };
    if (env.RELAY_PUBLIC_KEY && env.RELAY_PUBLIC_KEY.trim() !== credentialsPublicKey(credentials)) {
      throw new RelayCliError("credentials_invalid", "RELAY_PUBLIC_KEY is not the public key of RELAY_SECRET_KEY");
    }
  } else {
    const path = credentialsPath(dir);
    const loaded = await loadCredentials(path, { allowInsecurePermissions: env.RELAY_ALLOW_INSECURE_CREDENTIALS === "1" });
    if (!loaded.ok) {
      if (loaded.error.code === "file_missing") {
        throw new RelayCliError(
          "credentials_missing",
          `managed mode needs the relay's credentials and ${path} does not exist: run relay credentials generate, then allow the printed public key upstream`,
        );
      }
      throw new RelayCliError("credentials_invalid", loaded.error.message);
    }
    credentials = loaded.value;
  }
  return { relayId: credentials.id, publicKey: credentialsPublicKey(credentials), secretKey: credentials.keyPair.secretKey };
}
