import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Reply } from "@org/messaging";
import { sharedDir } from "@org/testkit";
import { describe, expect, it } from "vitest";
import { formatReply } from "./main.js";

interface RequestReplyVector {
  readonly label: string;
  readonly reply?: { readonly fields: { readonly payload: string } };
  readonly requester_stdout: string;
}

const vectors = JSON.parse(readFileSync(join(sharedDir(), "fixtures", "remaphore-original", "vectors.json"), "utf8")) as {
  readonly request_reply: readonly RequestReplyVector[];
};

function reply(payload: Uint8Array | string, destination = "site.b.host1"): Reply {
  return { destination, message: { payload: typeof payload === "string" ? Buffer.from(payload) : payload } } as unknown as Reply;
}

describe("formatReply", () => {
  it.each(vectors.request_reply.filter((vector) => vector.reply).map((vector) => [vector.label, vector] as const))(
    "prints the %s reply exactly as the original did",
    (_label, vector) => {
      const separator = /^--> ([0-9a-f]+)\n/.exec(vector.requester_stdout)?.[1] ?? "unused";
      expect(formatReply(reply(vector.reply!.fields.payload), separator).toString("utf8")).toBe(vector.requester_stdout);
    },
  );

  it("keeps the payload's bytes, invalid UTF-8 included, and trims Unicode white space around them", () => {
    const payload = Buffer.concat([Buffer.from(" \u00a0\t0,"), Buffer.from([0xff, 0xfe]), Buffer.from(" x\u2003\r\n")]);
    expect(formatReply(reply(payload), "s")).toEqual(Buffer.concat([Buffer.from("site.b.host1,0,"), Buffer.from([0xff, 0xfe]), Buffer.from(" x\n")]));
    // A trailing invalid byte is not white space: nothing after it is trimmed away.
    expect(formatReply(reply(Buffer.from([0x30, 0x2c, 0xc3])), "s")).toEqual(Buffer.from([...Buffer.from("site.b.host1,0,"), 0xc3, 0x0a]));
  });
});
