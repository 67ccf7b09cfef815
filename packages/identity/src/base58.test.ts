import bs58 from "bs58";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase58Bytes, encodeBase58Bytes } from "./base58.js";

describe("base58", () => {
  it("agrees with the bs58 package on arbitrary bytes, leading zeros included", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(4), (tail, zeros) => {
        const bytes = new Uint8Array([...new Uint8Array(zeros), ...tail]);
        const text = encodeBase58Bytes(bytes);
        return text === bs58.encode(bytes) && Buffer.from(decodeBase58Bytes(text)!).equals(Buffer.from(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("decodes arbitrary base58 text as bs58 does, and refuses other characters", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (text) => {
        const ours = decodeBase58Bytes(text);
        const reference = bs58.decodeUnsafe(text);
        return ours === undefined ? reference === undefined : reference !== undefined && Buffer.from(ours).equals(Buffer.from(reference));
      }),
      { numRuns: 500 },
    );
    for (const bad of ["0", "O", "I", "l", "+", " ", "é", "1\u0000"]) expect(decodeBase58Bytes(`abc${bad}`)).toBeUndefined();
    expect(decodeBase58Bytes("")).toEqual(new Uint8Array());
    expect(decodeBase58Bytes("111")).toEqual(new Uint8Array(3));
    expect(encodeBase58Bytes(new Uint8Array(2))).toBe("11");
  });
});
