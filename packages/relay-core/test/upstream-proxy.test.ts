import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach, fakeUpstream, startUpstreamHarness } from "./upstream-harness.js";

const defer = cleanupAfterEach();

/** POSTs with node:http, as curl does for bodies over 1 KiB: `Expect: 100-continue`, body sent after the interim answer. */
function postExpectingContinue(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), expect: "100-continue" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => { resolve({ status: res.statusCode ?? 0, body: text }); });
    });
    req.on("continue", () => req.end(body));
    req.on("error", reject);
  });
}

describe("proxying requests the relay does not handle", () => {
  it("forwards a JSON body to the upstream and sends its answer back", async () => {
    const fake = await fakeUpstream(defer);
    const harness = await startUpstreamHarness("proxy", fake.url);
    defer(() => harness.close());
    const body = JSON.stringify({ name: "release-1.2.3", projects: ["web"] });
    const response = await fetch(`${harness.url}/api/0/organizations/acme/releases/`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer token" },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ echo: true, method: "POST", url: "/api/0/organizations/acme/releases/" });
    const seen = fake.requests.find((request) => request.url === "/api/0/organizations/acme/releases/");
    expect(seen?.body.toString("utf8")).toBe(body);
    expect(seen?.headers["content-type"]).toBe("application/json");
  });

  it("forwards a JSON PUT and an empty JSON POST", async () => {
    const fake = await fakeUpstream(defer);
    const harness = await startUpstreamHarness("proxy", fake.url);
    defer(() => harness.close());
    const put = await fetch(`${harness.url}/api/0/projects/acme/web/`, { method: "PUT", headers: { "content-type": "application/json; charset=utf-8" }, body: "{\"slug\":\"web\"}" });
    expect(put.status).toBe(200);
    const empty = await fetch(`${harness.url}/api/0/projects/acme/web/keys/`, { method: "POST", headers: { "content-type": "application/json" } });
    expect(empty.status).toBe(200);
    expect(fake.requests.find((request) => request.method === "PUT")?.body.toString("utf8")).toBe("{\"slug\":\"web\"}");
  });

  it("forwards a JSON body sent with Expect: 100-continue (curl, for bodies over 1 KiB)", async () => {
    const fake = await fakeUpstream(defer);
    const harness = await startUpstreamHarness("proxy", fake.url);
    defer(() => harness.close());
    const body = JSON.stringify({ version: "1.2.3", notes: "x".repeat(2_000) });
    const answer = await postExpectingContinue(`${harness.url}/api/0/organizations/acme/releases/`, body);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ echo: true, method: "POST" });
    const seen = fake.requests.find((seenRequest) => seenRequest.url === "/api/0/organizations/acme/releases/");
    expect(seen?.body.toString("utf8")).toBe(body);
    expect(seen?.headers.expect).toBeUndefined();
  });
});
