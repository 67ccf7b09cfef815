import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RelayCliError } from "./config-error.js";
import { relayConfigSchema } from "./config-schema.js";
import { loadTlsSettings, type TlsSettings } from "./tls.js";

const DEV_CERT = fileURLToPath(new URL("../../../scripts/dev-cert.sh", import.meta.url));
const PASSWORD = "correct horse";

/** Reads the TLS settings of a capture relay with these `relay:` keys, relative paths from `dir`. */
function tlsWith(relay: Record<string, unknown>, dir: string): TlsSettings | undefined {
  const { settings } = relayConfigSchema.parse({ relay: { mode: "capture", ...relay } });
  return loadTlsSettings(settings.tls, { port: settings.listen.port, dir });
}

/** Serves one HTTPS request with the settings and returns the body, the CA trusted. */
async function serveOnce(settings: TlsSettings, ca: Buffer): Promise<string> {
  const server = createServer(settings.options, (_request, response) => response.end("over tls"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<string>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: "/", ca }, (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => {
          resolve(body);
        });
      });
      req.on("error", reject);
      req.end();
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("loadTlsSettings", () => {
  let dir: string;
  let certs: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "relay-tls-"));
    certs = join(dir, "tls");
    execFileSync("sh", [DEV_CERT, certs], { env: { ...process.env, RELAY_DEV_CERT_PASSWORD: PASSWORD }, stdio: "pipe" });
    // Another key pair, real but not the certificate's.
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
    writeFileSync(join(dir, "other-key.pem"), other.privateKey.export({ type: "pkcs8", format: "pem" }));
    writeFileSync(
      join(dir, "encrypted-key.pem"),
      other.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" }),
    );
    writeFileSync(join(dir, "garbage.pem"), "this is not a certificate\n");
    writeFileSync(join(dir, "random.bin"), randomBytes(512));
    writeFileSync(join(dir, "truncated.pem"), readFileSync(join(certs, "cert.pem")).subarray(0, 200));
    execFileSync("openssl", ["pkcs12", "-export", "-inkey", join(certs, "key.pem"), "-in", join(certs, "cert.pem"), "-out", join(dir, "nopassword.pfx"), "-passout", "pass:"]);
    execFileSync("openssl", ["pkcs12", "-export", "-legacy", "-inkey", join(certs, "key.pem"), "-in", join(certs, "cert.pem"), "-out", join(dir, "legacy.pfx"), "-passout", `pass:${PASSWORD}`]);
    mkdirSync(join(dir, "a-folder.pem"));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const failure = (relay: Record<string, unknown>): RelayCliError => {
    try {
      tlsWith(relay, dir);
    } catch (error) {
      if (error instanceof RelayCliError) return error;
      throw error;
    }
    throw new Error("expected loadTlsSettings to fail");
  };

  it("is off without relay.tls_port, whatever else is set", () => {
    expect(tlsWith({}, dir)).toBeUndefined();
    expect(tlsWith({ tls_cert_path: "missing.pem", tls_key_path: "missing.pem" }, dir)).toBeUndefined();
  });

  it("loads a PEM certificate and key, relative paths from the config folder, and serves HTTPS with them", async () => {
    const settings = tlsWith({ tls_port: 0, tls_cert_path: "tls/cert.pem", tls_key_path: join(certs, "key.pem") }, dir);
    expect(settings?.port).toBe(0);
    expect(settings?.options).toEqual({ cert: readFileSync(join(certs, "cert.pem")), key: readFileSync(join(certs, "key.pem")) });
    expect(Object.isFrozen(settings)).toBe(true);
    expect(await serveOnce(settings!, readFileSync(join(certs, "ca.pem")))).toBe("over tls");
  });

  it("loads a PKCS #12 identity with its password and serves HTTPS with it", async () => {
    const settings = tlsWith({ tls_port: 8443, tls_identity_path: "tls/identity.pfx", tls_identity_password: PASSWORD }, dir);
    expect(settings?.port).toBe(8443);
    expect(settings?.options).toEqual({ pfx: readFileSync(join(certs, "identity.pfx")), passphrase: PASSWORD });
    expect(await serveOnce(settings!, readFileSync(join(certs, "ca.pem")))).toBe("over tls");
  });

  it("loads a PKCS #12 identity that has no password", () => {
    const settings = tlsWith({ tls_port: 0, tls_identity_path: "nopassword.pfx" }, dir);
    expect(settings?.options).toEqual({ pfx: readFileSync(join(dir, "nopassword.pfx")), passphrase: undefined });
  });

  const cert = (): string => join(certs, "cert.pem");
  const key = (): string => join(certs, "key.pem");
  const cases: [string, () => Record<string, unknown>, string, RegExp][] = [
    ["tls_port with no certificate at all", () => ({ tls_port: 3443 }), "relay.tls_port", /HTTPS needs a certificate: set relay\.tls_identity_path \(PKCS #12\), or relay\.tls_cert_path and relay\.tls_key_path \(PEM\)/],
    [
      "an identity and a PEM pair both set",
      () => ({ tls_port: 3443, tls_identity_path: "tls/identity.pfx", tls_identity_password: PASSWORD, tls_cert_path: cert(), tls_key_path: key() }),
      "relay.tls_identity_path",
      /set together with relay\.tls_cert_path: use either a PKCS #12 identity .* or a PEM certificate and key .*, not both/,
    ],
    ["a certificate without its key", () => ({ tls_port: 3443, tls_cert_path: cert() }), "relay.tls_key_path", /missing: relay\.tls_cert_path is set/],
    ["a key without its certificate", () => ({ tls_port: 3443, tls_key_path: key() }), "relay.tls_cert_path", /missing: relay\.tls_key_path is set/],
    ["a password without an identity", () => ({ tls_port: 3443, tls_cert_path: cert(), tls_key_path: key(), tls_identity_password: "x" }), "relay.tls_identity_password", /set without relay\.tls_identity_path/],
    ["the HTTP port again", () => ({ tls_port: 3000, port: 3000, tls_cert_path: cert(), tls_key_path: key() }), "relay.tls_port", /3000 is also relay\.port/],
    ["a missing certificate file", () => ({ tls_port: 0, tls_cert_path: "tls/nope.pem", tls_key_path: key() }), "relay.tls_cert_path", /the certificate file \S+\/tls\/nope\.pem does not exist/],
    ["a missing key file", () => ({ tls_port: 0, tls_cert_path: cert(), tls_key_path: "nope-key.pem" }), "relay.tls_key_path", /the private key file \S+\/nope-key\.pem does not exist/],
    ["a missing identity file", () => ({ tls_port: 0, tls_identity_path: "nope.pfx", tls_identity_password: PASSWORD }), "relay.tls_identity_path", /the PKCS #12 identity file \S+\/nope\.pfx does not exist/],
    ["a folder where the key file should be", () => ({ tls_port: 0, tls_cert_path: cert(), tls_key_path: "a-folder.pem" }), "relay.tls_key_path", /\S+\/a-folder\.pem is a folder, not the private key file/],
    ["a wrong PKCS #12 password", () => ({ tls_port: 0, tls_identity_path: "tls/identity.pfx", tls_identity_password: "wrong" }), "relay.tls_identity_password", /wrong password for the PKCS #12 identity \S+\/tls\/identity\.pfx/],
    ["no password for a protected PKCS #12 file", () => ({ tls_port: 0, tls_identity_path: "tls/identity.pfx" }), "relay.tls_identity_password", /\S+\/tls\/identity\.pfx \(relay\.tls_identity_path\) is protected by a password: set relay\.tls_identity_password/],
    ["a PEM file as the PKCS #12 identity", () => ({ tls_port: 0, tls_identity_path: cert(), tls_identity_password: PASSWORD }), "relay.tls_identity_path", /cert\.pem is not a PKCS #12 identity file \(\.pfx, \.p12\): it holds PEM text, and PEM files go in relay\.tls_cert_path and relay\.tls_key_path$/],
    ["a file of random bytes as the PKCS #12 identity", () => ({ tls_port: 0, tls_identity_path: "random.bin", tls_identity_password: PASSWORD }), "relay.tls_identity_path", /random\.bin is not a PKCS #12 identity file \(\.pfx, \.p12\): OpenSSL cannot read it \(.+\)$/],
    ["a PKCS #12 file with legacy encryption", () => ({ tls_port: 0, tls_identity_path: "legacy.pfx", tls_identity_password: PASSWORD }), "relay.tls_identity_path", /legacy\.pfx uses an old PKCS #12 encryption .* that OpenSSL 3 refuses/],
    ["a certificate that does not match its key", () => ({ tls_port: 0, tls_cert_path: cert(), tls_key_path: "other-key.pem" }), "relay.tls_cert_path", /the certificate in \S+cert\.pem does not match the private key in \S+\/other-key\.pem \(relay\.tls_key_path\)/],
    ["a malformed PEM certificate", () => ({ tls_port: 0, tls_cert_path: "garbage.pem", tls_key_path: key() }), "relay.tls_cert_path", /\S+\/garbage\.pem is not a valid PEM certificate \(no "-----BEGIN CERTIFICATE-----" line/],
    ["a PEM certificate cut short", () => ({ tls_port: 0, tls_cert_path: "truncated.pem", tls_key_path: key() }), "relay.tls_cert_path", /\S+\/truncated\.pem is not a valid PEM certificate \(its PEM block is damaged or cut short\)/],
    ["a malformed PEM key", () => ({ tls_port: 0, tls_cert_path: cert(), tls_key_path: "garbage.pem" }), "relay.tls_key_path", /\S+\/garbage\.pem is not a valid PEM private key \(no "-----BEGIN \.\.\. PRIVATE KEY-----" line/],
    ["certificate and key swapped", () => ({ tls_port: 0, tls_cert_path: key(), tls_key_path: cert() }), "relay.tls_key_path", /cert\.pem is not a valid PEM private key \(it holds a certificate: are relay\.tls_cert_path and relay\.tls_key_path swapped\?\)/],
    ["an encrypted PEM key", () => ({ tls_port: 0, tls_cert_path: cert(), tls_key_path: "encrypted-key.pem" }), "relay.tls_key_path", /the private key in \S+\/encrypted-key\.pem is encrypted; the relay needs it unencrypted/],
  ];

  it.for(cases)("stops at %s, naming the key, the file and the problem", ([, relay, key, message]) => {
    const error = failure(relay());
    expect(error.code).toBe("config_invalid");
    expect(error.message.startsWith(`${key}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it("gives every broken configuration its own message", () => {
    const messages = new Set(cases.map(([, relay]) => failure(relay()).message));
    expect(messages.size).toBe(cases.length);
  });
});
