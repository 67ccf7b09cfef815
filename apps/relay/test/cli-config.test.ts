// @module-tag e2e
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RELAY_BIN, runRelayCommand } from "./relay-process.js";

/** Runs the relay command with `input` piped to its prompts. */
function withInput(cwd: string, args: readonly string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [RELAY_BIN, ...args], { cwd, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once("exit", (code) => {
    resolve({ code, stdout, stderr });
  }));
}

describe("relay config and credentials commands", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "relay-cli-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("config init --non-interactive writes what config show reads back, with credentials in managed mode", async () => {
    const init = await runRelayCommand(dir, ["config", "init", "--non-interactive", "--mode", "managed", "--upstream", "https://sentry.example.com/", "--port", "3100"]);
    expect(init.code).toBe(0);
    expect(statSync(join(dir, ".relay", "config.yml")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, ".relay", "credentials.json")).mode & 0o777).toBe(0o600);
    const shown = await runRelayCommand(dir, ["config", "show", "--format", "json"]);
    expect(shown.code).toBe(0);
    const config = JSON.parse(shown.stdout) as { relay: Record<string, unknown>; limits: Record<string, unknown>; metrics: Record<string, unknown> };
    expect(config.relay).toMatchObject({ mode: "managed", upstream: "https://sentry.example.com/", host: "127.0.0.1", port: 3100 });
    expect(config.limits.max_event_size).toBe("1MiB");
    expect(config.metrics.prefix).toBe("sentry.relay");
    const yaml = parse((await runRelayCommand(dir, ["config", "show"])).stdout) as unknown;
    expect(yaml).toEqual(config);
  });

  it("config init asks its questions when run interactively", async () => {
    const result = await withInput(dir, ["config", "init"], "custom\nproxy\nhttps://up.example/\n0.0.0.0\n4000\n");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Mode (managed/static/proxy/capture)");
    expect(parse(readFileSync(join(dir, ".relay", "config.yml"), "utf8"))).toEqual({ relay: { mode: "proxy", upstream: "https://up.example/", host: "0.0.0.0", port: 4000 } });
    expect(existsSync(join(dir, ".relay", "credentials.json"))).toBe(false);
  });

  it("config init offers HTTPS in the custom setup, on the HTTP port + 443 by default", async () => {
    const pem = await withInput(dir, ["config", "init"], "custom\ncapture\n127.0.0.1\n3000\nyes\n\npem\ntls/cert.pem\ntls/key.pem\n");
    expect(pem.code).toBe(0);
    expect(pem.stdout).toContain("HTTPS port [3443]");
    expect(parse(readFileSync(join(dir, ".relay", "config.yml"), "utf8"))).toEqual({
      relay: { mode: "capture", host: "127.0.0.1", port: 3000, tls_port: 3443, tls_cert_path: "tls/cert.pem", tls_key_path: "tls/key.pem" },
    });
    const pkcs12 = await runRelayCommand(dir, ["config", "init", "--non-interactive", "--overwrite", "--mode", "capture", "--port", "4000", "--tls-identity-path", "id.pfx", "--tls-identity-password", "s3cret"]);
    expect(pkcs12.code).toBe(0);
    expect(parse(readFileSync(join(dir, ".relay", "config.yml"), "utf8"))).toEqual({
      relay: { mode: "capture", port: 4000, tls_port: 4443, tls_identity_path: "id.pfx", tls_identity_password: "s3cret" },
    });
  });

  it("never overwrites a config without asking", async () => {
    await runRelayCommand(dir, ["config", "init", "--non-interactive", "--mode", "capture"]);
    const refused = await runRelayCommand(dir, ["config", "init", "--non-interactive", "--mode", "proxy"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("already exists; pass --overwrite");
    const kept = await withInput(dir, ["config", "init"], "no\n");
    expect(kept.stdout).toContain("kept the existing configuration");
    expect(parse(readFileSync(join(dir, ".relay", "config.yml"), "utf8"))).toEqual({ relay: { mode: "capture" } });
  });

  it("credentials generate, show (never the secret) and remove", async () => {
    const generated = await runRelayCommand(dir, ["credentials", "generate"]);
    expect(generated.code).toBe(0);
    const secret = (JSON.parse(readFileSync(join(dir, ".relay", "credentials.json"), "utf8")) as { secret_key: string }).secret_key;
    const shown = await runRelayCommand(dir, ["credentials", "show"]);
    expect(shown.stdout).toMatch(/^relay id: {3}[0-9a-f-]{36}\npublic key: [A-Za-z0-9_-]{43}\n$/);
    expect(shown.stdout).not.toContain(secret);
    expect((await runRelayCommand(dir, ["credentials", "generate"])).code).toBe(2);
    expect((await runRelayCommand(dir, ["credentials", "generate", "--overwrite"])).code).toBe(0);
    expect((await runRelayCommand(dir, ["credentials", "remove"])).code).toBe(0);
    const missing = await runRelayCommand(dir, ["credentials", "show"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("run relay credentials generate");
  });

  it("a broken config.yml gives a pointed error and exit code 2", async () => {
    mkdirSync(join(dir, ".relay"));
    writeFileSync(join(dir, ".relay", "config.yml"), "relay:\n  mode: capture\n  prot: 1\n");
    const result = await runRelayCommand(dir, ["run"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("config.yml:3: unknown key relay.prot (did you mean relay.port?)");
  });

  it("relay --version prints the version of the package", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    const result = await runRelayCommand(dir, ["--version"]);
    expect(result.stdout.trim()).toBe(version);
    expect(result.code).toBe(0);
  });

  it("config init without --mode writes the Quick start's capture relay", async () => {
    const result = await runRelayCommand(dir, ["config", "init", "--non-interactive"]);
    expect(result.code).toBe(0);
    expect(parse(readFileSync(join(dir, ".relay", "config.yml"), "utf8"))).toEqual({ relay: { mode: "capture" } });
  });

  it("config init asks again for a mistyped mode or an upstream without a scheme, and warns about missing TLS files", async () => {
    const result = await withInput(dir, ["config", "init"], "custom\nproxi\nproxy\nsentry.example.com\nhttps://sentry.example.com/\n\n\nyes\n\npem\n\n\n");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`"proxi" is not a mode (did you mean proxy?)`);
    expect(result.stdout).toContain(`"sentry.example.com" is not a URL: write it with its scheme, such as https://sentry.example.com/`);
    expect(parse(readFileSync(join(dir, ".relay", "config.yml"), "utf8"))).toMatchObject({ relay: { mode: "proxy", upstream: "https://sentry.example.com/", tls_cert_path: "tls/cert.pem" } });
    expect(result.stderr).toContain(`warning: ${join(dir, ".relay", "tls", "cert.pem")} does not exist yet`);
  });

  it("suggests the nearest mode for a mistyped --mode", async () => {
    const result = await runRelayCommand(dir, ["config", "init", "--non-interactive", "--mode", "captur"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--mode: "captur" is not a mode (did you mean capture?)`);
    expect(existsSync(join(dir, ".relay", "config.yml"))).toBe(false);
  });
});
