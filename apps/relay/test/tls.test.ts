// @module-tag e2e
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitUntil } from "@org/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { APP_DIR, RELAY_BIN, startRelayProcess, type RelayProcess } from "./relay-process.js";

const DEV_CERT = fileURLToPath(new URL("../../../scripts/dev-cert.sh", import.meta.url));
const PASSWORD = "relay test password";

/** Every process a test starts; whatever is still running after a test is killed. */
const children = new Set<ChildProcess>();

function track(command: string, args: readonly string[], options: SpawnOptions): { child: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
  const child = spawn(command, args, { ...options, stdio: "pipe" });
  children.add(child);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once("exit", (code) => {
      children.delete(child);
      resolve({ code, output });
    }),
  );
  return { child, done };
}

afterEach(() => {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
});

/** GET over HTTPS, trusting `ca` (or only the system's CAs without it). */
function httpsGet(url: string, ca?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, ca ? { ca } : {}, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** Waits until the relay has printed its HTTPS address (after the plain HTTP one). */
async function httpsAddress(relay: RelayProcess): Promise<{ url: string; dsn: string | undefined }> {
  const address = (): string | undefined => /relay also listening on (https:\/\/\S+)/.exec(relay.output())?.[1];
  await waitUntil(() => address() !== undefined, "the relay to print its HTTPS address", { detail: () => relay.output() });
  return { url: address()!, dsn: /DSN over HTTPS:\s+(\S+)/.exec(relay.output())?.[1] };
}

/** Writes `<dir>/config.yml` for a capture relay on free ports with these `relay:` keys. */
function writeConfig(dir: string, relay: Record<string, string | number>): void {
  mkdirSync(dir, { recursive: true });
  const lines = Object.entries(relay).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`);
  writeFileSync(join(dir, "config.yml"), ["relay:", "  mode: capture", "  port: 0", ...lines, ""].join("\n"));
}

describe("relay run with TLS", () => {
  let dir: string;
  let certs: string;
  let ca: Buffer;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "relay-tls-run-"));
    certs = join(dir, "certs");
    const printed = execFileSync("sh", [DEV_CERT, certs], { env: { ...process.env, RELAY_DEV_CERT_PASSWORD: PASSWORD }, encoding: "utf8" });
    expect(printed).toContain(`tls_identity_path: ${certs}/identity.pfx`);
    ca = readFileSync(join(certs, "ca.pem"));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("dev-cert.sh writes a CA, a localhost certificate as PEM and as PKCS #12, keys readable by their owner only", () => {
    const mode = (name: string): string => (statSync(join(certs, name)).mode & 0o777).toString(8);
    expect(["ca-key.pem", "key.pem", "identity.pfx"].map(mode)).toEqual(["600", "600", "600"]);
    expect(["ca.pem", "cert.pem"].map(mode)).toEqual(["644", "644"]);
    const text = execFileSync("openssl", ["x509", "-in", join(certs, "cert.pem"), "-noout", "-ext", "subjectAltName"], { encoding: "utf8" });
    expect(text).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1/);
    execFileSync("openssl", ["verify", "-CAfile", join(certs, "ca.pem"), join(certs, "cert.pem")]);
  });

  describe("with a PEM certificate and key", () => {
    let relay: RelayProcess;
    let https: { url: string; dsn: string | undefined };

    beforeAll(async () => {
      const config = join(dir, "pem");
      writeConfig(config, { tls_port: 0, tls_cert_path: "../certs/cert.pem", tls_key_path: join(certs, "key.pem") });
      relay = await startRelayProcess(dir, ["--config", config, "run"]);
      https = await httpsAddress(relay);
    });

    afterAll(async () => {
      await relay.stop();
    });

    it("answers ready over HTTPS with the dev CA trusted, and over plain HTTP beside it", async () => {
      expect(https.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(https.url).not.toBe(relay.url.replace("http:", "https:"));
      const ready = await httpsGet(`${https.url}/api/relay/healthcheck/ready/`, ca);
      expect(ready.status).toBe(200);
      expect((await fetch(`${relay.url}/api/relay/healthcheck/ready/`)).status).toBe(200);
    });

    it("is refused by a client that does not trust the dev CA", async () => {
      await expect(httpsGet(`${https.url}/api/relay/healthcheck/ready/`)).rejects.toThrow(/self-signed certificate in certificate chain|unable to (get|verify)/);
    });

    it("takes an event from @sentry/node over HTTPS (CA from NODE_EXTRA_CA_CERTS) and lists it", async () => {
      expect(https.dsn).toMatch(/^https:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/1$/);
      const script = `
        import * as Sentry from "@sentry/node";
        Sentry.init({ dsn: ${JSON.stringify(https.dsn)}, defaultIntegrations: false, release: "tls@1.0.0" });
        Sentry.captureException(new Error("sent over tls"));
        if (!(await Sentry.flush(60000))) throw new Error("not delivered");
      `;
      const sdk = track(process.execPath, ["--input-type=module", "-e", script], {
        cwd: APP_DIR,
        env: { ...process.env, NODE_EXTRA_CA_CERTS: join(certs, "ca.pem") },
      });
      const { code, output } = await sdk.done;
      expect(code, output).toBe(0);

      let titles: string[] = [];
      await waitUntil(
        async () => {
          const listing = await httpsGet(`${https.url}/api/relay/events/`, ca);
          titles = (JSON.parse(listing.body) as { events: { title: string }[] }).events.map((event) => event.title);
          return titles.some((title) => title.includes("sent over tls"));
        },
        "the event sent over TLS to be captured",
        { everyMs: 50 },
      );
      expect(titles.some((title) => title.includes("sent over tls")), titles.join("\n")).toBe(true);
    });

    it("stops both listeners on SIGTERM", async () => {
      expect(await relay.stop()).toBe(0);
      await expect(httpsGet(`${https.url}/api/relay/healthcheck/ready/`, ca)).rejects.toThrow(/ECONNREFUSED/);
    });
  });

  it("serves a PKCS #12 identity with its password", async () => {
    const config = join(dir, "pfx");
    writeConfig(config, { tls_port: 0, tls_identity_path: join(certs, "identity.pfx"), tls_identity_password: PASSWORD });
    const relay = await startRelayProcess(dir, ["--config", config, "run"]);
    try {
      const { url } = await httpsAddress(relay);
      expect((await httpsGet(`${url}/api/relay/healthcheck/ready/`, ca)).status).toBe(200);
    } finally {
      await relay.stop();
    }
  });

  it("config show hides the PKCS #12 password", async () => {
    const config = join(dir, "show");
    writeConfig(config, { tls_port: 3443, tls_identity_path: join(certs, "identity.pfx"), tls_identity_password: PASSWORD });
    for (const format of ["yaml", "json"]) {
      const { code, output } = await track(process.execPath, [RELAY_BIN, "--config", config, "config", "show", "--format", format], { cwd: dir }).done;
      expect(code).toBe(0);
      expect(output).not.toContain(PASSWORD);
      expect(output).toMatch(/tls_identity_password"?: "\[Filtered\]"/);
    }
  });

  describe("refuses to start with a broken TLS configuration", () => {
    const otherKey = (): string => {
      const file = join(dir, "other-key.pem");
      writeFileSync(file, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }));
      return file;
    };
    const garbage = (): string => {
      const file = join(dir, "garbage.pem");
      writeFileSync(file, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
      return file;
    };
    const cases: [string, () => Record<string, string | number>, RegExp][] = [
      ["a wrong PKCS #12 password", () => ({ tls_port: 0, tls_identity_path: join(certs, "identity.pfx"), tls_identity_password: "not it" }), /relay\.tls_identity_password: wrong password for the PKCS #12 identity \S+\/certs\/identity\.pfx/],
      ["no password for a protected PKCS #12 file", () => ({ tls_port: 0, tls_identity_path: join(certs, "identity.pfx") }), /relay\.tls_identity_password: the PKCS #12 identity \S+\/identity\.pfx \(relay\.tls_identity_path\) is protected by a password/],
      ["a missing certificate file", () => ({ tls_port: 0, tls_cert_path: "nowhere/cert.pem", tls_key_path: join(certs, "key.pem") }), /relay\.tls_cert_path: the certificate file \S+\/nowhere\/cert\.pem does not exist/],
      ["a missing identity file", () => ({ tls_port: 0, tls_identity_path: "relay.pfx", tls_identity_password: PASSWORD }), /relay\.tls_identity_path: the PKCS #12 identity file \S+\/relay\.pfx does not exist/],
      ["a certificate that does not match its key", () => ({ tls_port: 0, tls_cert_path: join(certs, "cert.pem"), tls_key_path: otherKey() }), /relay\.tls_cert_path: the certificate in \S+\/cert\.pem does not match the private key in \S+\/other-key\.pem/],
      ["a malformed PEM certificate", () => ({ tls_port: 0, tls_cert_path: garbage(), tls_key_path: join(certs, "key.pem") }), /relay\.tls_cert_path: \S+\/garbage\.pem is not a valid PEM certificate \(its PEM block is damaged or cut short\)/],
      ["certificate and key swapped", () => ({ tls_port: 0, tls_cert_path: join(certs, "key.pem"), tls_key_path: join(certs, "cert.pem") }), /relay\.tls_key_path: \S+\/cert\.pem is not a valid PEM private key \(it holds a certificate/],
      ["an identity and a PEM pair both set", () => ({ tls_port: 0, tls_identity_path: join(certs, "identity.pfx"), tls_identity_password: PASSWORD, tls_key_path: join(certs, "key.pem") }), /relay\.tls_identity_path: set together with relay\.tls_key_path: use either/],
      ["tls_port with no certificate", () => ({ tls_port: 3443 }), /relay\.tls_port: HTTPS needs a certificate/],
    ];

    it.each(cases)("%s", async (name, relay, message) => {
      const config = join(dir, "broken", name.replace(/\W+/g, "-"));
      writeConfig(config, relay());
      const { code, output } = await track(process.execPath, [RELAY_BIN, "--config", config, "run"], { cwd: dir }).done;
      expect(code, output).toBe(2);
      expect(output).toMatch(message);
      expect(output).not.toContain("relay listening");
      // The message starts with the file and the line of its key (of the relay: section when the
      // key is not written).
      const located = /(\S+config\.yml):(\d+): relay\.(\w+): /.exec(output);
      expect(located, output).not.toBeNull();
      const [, file, line, key] = located!;
      expect(file).toBe(join(config, "config.yml"));
      const written = readFileSync(file!, "utf8").split("\n");
      const keyLine = written.findIndex((text) => text.startsWith(`  ${key}:`));
      expect(Number(line)).toBe(keyLine === -1 ? 1 : keyLine + 1);
    });

    it("a key file the relay's user may not read", async () => {
      // Root reads every file whatever its mode: as root, the relay runs without the capabilities
      // that allow it (setpriv, util-linux), from wherever the repository was cloned.
      const asRoot = process.getuid?.() === 0;
      const config = join(dir, "unreadable");
      const key = join(config, "key.pem");
      writeConfig(config, { tls_port: 0, tls_cert_path: join(certs, "cert.pem"), tls_key_path: key });
      copyFileSync(join(certs, "key.pem"), key);
      chmodSync(key, 0o000);
      for (const folder of [dir, certs, config]) chmodSync(folder, 0o755);
      chmodSync(join(config, "config.yml"), 0o644);
      const command = [process.execPath, RELAY_BIN, "--config", config, "run"];
      const { code, output } = await track(
        asRoot ? "setpriv" : process.execPath,
        asRoot ? ["--bounding-set=-dac_override,-dac_read_search", "--", ...command] : command.slice(1),
        { cwd: config },
      ).done;
      expect(code, output).toBe(2);
      expect(output).toMatch(/relay\.tls_key_path: cannot read the private key file \S+\/unreadable\/key\.pem: permission denied \(the relay runs as uid \d+\)/);
    });

    it("a TLS port another process holds", async () => {
      const holder: Server = createServer();
      await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
      try {
        const port = (holder.address() as AddressInfo).port;
        const config = join(dir, "taken");
        writeConfig(config, { tls_port: port, tls_cert_path: join(certs, "cert.pem"), tls_key_path: join(certs, "key.pem") });
        const { code, output } = await track(process.execPath, [RELAY_BIN, "--config", config, "run"], { cwd: dir }).done;
        expect(code, output).toBe(1);
        expect(output).toContain(`relay: cannot listen on 127.0.0.1:${port} (relay.tls_port): listen EADDRINUSE`);
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
    });
  });
});
