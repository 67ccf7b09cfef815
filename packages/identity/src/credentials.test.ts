import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { credentialsToJson, generateCredentials, loadCredentials, parseCredentials, saveCredentials } from "./credentials.js";
import { encodeBase64Url } from "./key-encoding.js";
import { generateKeyPair } from "./key-pair.js";

describe("credentials.json", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "credentials-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("saves atomically with mode 0600 in a 0700 folder and loads back", async () => {
    const path = join(dir, "relay", "credentials.json");
    const credentials = generateCredentials();
    expect(await saveCredentials(path, credentials)).toEqual({ ok: true, value: undefined });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "relay")).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(dir, "relay"))).toEqual(["credentials.json"]);
    const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
    expect(Object.keys(json).sort()).toEqual(["id", "public_key", "secret_key"]);
    expect(json.secret_key).toHaveLength(43);
    const loaded = await loadCredentials(path);
    expect(loaded.ok && loaded.value.id).toBe(credentials.id);
    expect(loaded.ok && Buffer.from(loaded.value.keyPair.secretKey).equals(Buffer.from(credentials.keyPair.secretKey))).toBe(true);
  });

  it("never overwrites unless asked", async () => {
    const path = join(dir, "credentials.json");
    await saveCredentials(path, generateCredentials());
    expect(await saveCredentials(path, generateCredentials())).toMatchObject({ ok: false, error: { code: "file_exists" } });
    const replacement = generateCredentials();
    expect((await saveCredentials(path, replacement, { overwrite: true })).ok).toBe(true);
    expect((await loadCredentials(path)).ok && JSON.parse(readFileSync(path, "utf8")).id).toBe(replacement.id);
  });

  it("refuses a file others can read, says how to fix it, and allows an explicit override", async () => {
    const path = join(dir, "credentials.json");
    await saveCredentials(path, generateCredentials());
    chmodSync(path, 0o644);
    const refused = await loadCredentials(path);
    expect(refused).toMatchObject({ ok: false, error: { code: "insecure_permissions" } });
    expect(!refused.ok && refused.error.message).toContain(`chmod 600 ${path}`);
    expect((await loadCredentials(path, { allowInsecurePermissions: true })).ok).toBe(true);
  });

  it("refuses a public key that does not belong to the secret key", async () => {
    const path = join(dir, "credentials.json");
    const json = { ...credentialsToJson(generateCredentials()), public_key: encodeBase64Url(generateKeyPair().publicKey) };
    writeFileSync(path, JSON.stringify(json), { mode: 0o600 });
    expect(await loadCredentials(path)).toMatchObject({ ok: false, error: { code: "key_mismatch" } });
  });

  it.each([
    ["not json", "invalid_credentials"],
    ["{}", "invalid_credentials"],
    ['{"secret_key":"x","public_key":"y","id":"not-a-uuid"}', "invalid_credentials"],
    ['{"secret_key":"!!","public_key":"y","id":"7b8a7a8e-8a3c-4f4e-9d0e-2a4f0e5d9c11"}', "invalid_encoding"],
  ])("refuses %j", (text, code) => {
    expect(parseCredentials(text)).toMatchObject({ ok: false, error: { code } });
  });

  it("reports a missing file", async () => {
    expect(await loadCredentials(join(dir, "nope.json"))).toMatchObject({ ok: false, error: { code: "file_missing" } });
  });
});
