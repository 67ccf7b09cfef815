import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from "@nats-io/jwt";
import { createAccount, createOperator, createUser, type KeyPair } from "@nats-io/nkeys";
import { startNatsServer, type NatsServer } from "./nats-server.js";

/** A nats-server in operator (JWT) mode, with one account whose users can be minted. */
export interface OperatorNatsServer extends NatsServer {
  /**
   * Writes a `.creds` file (user JWT + nkey seed) for a new user of the account, mode 0600;
   * resolves with the user's public key.
   */
  writeUserCredentials(path: string): Promise<string>;
  /**
   * Revokes a user's credentials and restarts the server on the same port with the new account
   * JWT: connections come back only with other credentials.
   */
  revokeUserAndRestart(userPublicKey: string): Promise<void>;
  /** Writes credentials of a user signed by an account the server does not trust. */
  writeForeignCredentials(path: string): Promise<void>;
}

const UNLIMITED = { conn: -1, subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, leaf: -1 };

async function creds(path: string, account: KeyPair): Promise<string> {
  const user = createUser();
  writeFileSync(path, fmtCreds(await encodeUser("test-user", user, account), user), { mode: 0o600 });
  return user.getPublicKey();
}

/**
 * Starts nats-server trusting a fresh operator, with one account preloaded in a memory resolver,
 * so that clients must authenticate with real credentials files.
 */
export async function startOperatorNatsServer(): Promise<OperatorNatsServer> {
  const operator = createOperator();
  const account = createAccount();
  const operatorJwt = await encodeOperator("test-operator", operator);
  const dir = mkdtempSync(join(tmpdir(), "nats-operator-"));
  const config = join(dir, "server.conf");
  const revocations: Record<string, number> = {};
  const writeConfig = async (): Promise<void> => {
    const accountJwt = await encodeAccount("test-account", account, { limits: UNLIMITED, revocations }, { signer: operator });
    writeFileSync(config, `operator: ${operatorJwt}\nresolver: MEMORY\nresolver_preload: {\n  ${account.getPublicKey()}: ${accountJwt}\n}\n`);
  };
  await writeConfig();
  const server = await startNatsServer({ args: ["-c", config] });
  return {
    ...server,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    writeUserCredentials: (path) => creds(path, account),
    writeForeignCredentials: (path) => creds(path, createAccount()).then(() => undefined),
    async revokeUserAndRestart(userPublicKey) {
      // Credentials issued up to this second are refused (NATS compares with the JWT's issue time).
      revocations[userPublicKey] = Math.floor(Date.now() / 1000) + 1;
      await writeConfig();
      await server.restart();
    },
  };
}
