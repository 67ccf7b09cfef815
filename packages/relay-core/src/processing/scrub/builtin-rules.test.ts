import { describe, expect, it } from "vitest";
import { BUILTIN_RULES } from "./builtin-rules.js";
import { scrubText } from "./test-support.js";

// Vectors from Relay's own tests of its built-in rules (relay-pii builtin.rs).
const PEM_IN = `This is a comment I left on my key

            -----BEGIN EC PRIVATE KEY-----
MIHbAgEBBEFbLvIaAaez3q0u6BQYMHZ28B7iSdMPPaODUMGkdorl3ShgTbYmzqGL
fojr3jkJIxFS07AoLQpsawOFZipxSQHieaAHBgUrgQQAI6GBiQOBhgAEAdaBHsBo
KBuPVQL2F6z57Xb034TRlpaarne/XGWaCsohtl3YYcFll3A7rV+wHudcKFSvrgjp
soH5cUhpnhOL9ujuAM7Ldk1G+11Mf7EZ5sjrLe81fSB8S16D2vjtxkf/+mmwwhlM
HdmUCGvfKiF2CodxyLon1XkK8pX+Ap86MbJhluqK
-----END EC PRIVATE KEY-----`;
const PEM_HEAD = `This is a comment I left on my key

            -----BEGIN EC PRIVATE KEY-----
`;
const PEM_TAIL = "\n-----END EC PRIVATE KEY-----";

const CASES: readonly (readonly [rule: string, input: string, output: string, remark: readonly [string, number, number]])[] = [
  ["@ip", "before 127.0.0.1 after", "before [ip] after", ["s", 7, 11]],
  ["@ip:replace", "before 127.0.0.1 after", "before [ip] after", ["s", 7, 11]],
  ["@ip:hash", "before 127.0.0.1 after", "before AE12FE3B5F129B5CC4CDD2B136B7B7947C4D2741 after", ["p", 7, 47]],
  ["@ip", "before ::1 after", "before [ip] after", ["s", 7, 11]],
  ["@ip:replace", "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]", "[[ip]]", ["s", 1, 5]],
  ["@ip:hash", "before 2001:0db8:85a3:0000:0000:8a2e:0370:7334 after", "before 8C3DC9BEED9ADE493670547E24E4E45EDE69FF03 after", ["p", 7, 47]],
  ["@imei", "before 356938035643809 after", "before [imei] after", ["s", 7, 13]],
  ["@imei:hash", "before 356938035643809 after", "before 3888108AA99417402969D0B47A2CA4ECD2A1AAD3 after", ["p", 7, 47]],
  ["@mac", "ether 4a:00:04:10:9b:50", "ether *****************", ["m", 6, 23]],
  ["@mac:replace", "ether 4a:00:04:10:9b:50", "ether [mac]", ["s", 6, 11]],
  ["@mac:hash", "ether 4a:00:04:10:9b:50", "ether 6220F3EE59BF56B32C98323D7DE43286AAF1F8F1", ["p", 6, 46]],
  ["@uuid", "user id ceee0822-ed8f-4622-b2a3-789e73e75cd1", "user id ************************************", ["m", 8, 44]],
  ["@uuid:hash", "user id ceee0822-ed8f-4622-b2a3-789e73e75cd1", "user id EBFA4DBDAA4A619F10B6DE2ABB630DE0122F5CDB", ["p", 8, 48]],
  ["@uuid:replace", "user id ceee0822-ed8f-4622-b2a3-789e73e75cd1", "user id [uuid]", ["s", 8, 14]],
  ["@email", "John Appleseed <john@appleseed.com>", "John Appleseed <[email]>", ["s", 16, 23]],
  ["@email:mask", "John Appleseed <john@appleseed.com>", "John Appleseed <******************>", ["m", 16, 34]],
  ["@email:hash", "John Appleseed <john@appleseed.com>", "John Appleseed <33835528AC0FFF1B46D167C35FEAAA6F08FD3F46>", ["p", 16, 56]],
  ["@iban", "some iban: DE89370400440532013000!", "some iban: [iban]!", ["s", 11, 17]],
  ["@iban:mask", "some iban: DE89370400440532013000!", "some iban: **********************!", ["m", 11, 33]],
  ["@iban:hash", "some iban: DE89370400440532013000!", "some iban: 8A1248B6F40D38FBC59ADE6AD0DF69C7BB9C936A!", ["p", 11, 51]],
  ["@iban", "some iban: NO9386011117945!", "some iban: [iban]!", ["s", 11, 17]],
  ["@iban", "some iban: RU0204452560040702810412345678901!", "some iban: [iban]!", ["s", 11, 17]],
  ["@creditcard", "John Appleseed 4571234567890111!", "John Appleseed [creditcard]!", ["s", 15, 27]],
  ["@creditcard", "John Appleseed 4571 2345 6789 0111!", "John Appleseed [creditcard]!", ["s", 15, 27]],
  ["@creditcard:mask", "John Appleseed 4571234567890111!", "John Appleseed ****************!", ["m", 15, 31]],
  ["@creditcard:hash", "John Appleseed 4571234567890111!", "John Appleseed 68C796A9ED3FB51BF850A11140FCADD8E2D88466!", ["p", 15, 55]],
  ["@creditcard:filter", "John Appleseed 4571234567890111!", "John Appleseed [Filtered]!", ["s", 15, 25]],
  ["@pemkey", PEM_IN, `${PEM_HEAD}[pemkey]${PEM_TAIL}`, ["s", 79, 87]],
  ["@pemkey:hash", PEM_IN, `${PEM_HEAD}291134FEC77C62B11E2DC6D89910BB43157294BC${PEM_TAIL}`, ["p", 79, 119]],
  ["@urlauth", "https://username:password@example.com/", "https://[auth]@example.com/", ["s", 8, 14]],
  ["@urlauth:hash", "https://username:password@example.com/", "https://2F82AB8A5E3FAD655B5F81E3BEA30D2A14FEF2AC@example.com/", ["p", 8, 48]],
  ["@urlauth:legacy", "redis://redis:foo@localhost:6379/0", "redis://redis:[Filtered]@localhost:6379/0", ["s", 14, 24]],
  ["@usssn", "Hi I'm Hilda and my SSN is 078-05-1120", "Hi I'm Hilda and my SSN is ***********", ["m", 27, 38]],
  ["@usssn:replace", "Hi I'm Hilda and my SSN is 078-05-1120", "Hi I'm Hilda and my SSN is [us-ssn]", ["s", 27, 35]],
  ["@usssn:hash", "Hi I'm Hilda and my SSN is 078-05-1120", "Hi I'm Hilda and my SSN is 01328BB9C55B35F354FBC7B60CADAC789DC2035C", ["p", 27, 67]],
  ["@userpath", "C:\\Users\\mitsuhiko\\Desktop", "C:\\Users\\[user]\\Desktop", ["s", 9, 15]],
  ["@userpath:replace", "File in /Users/mitsuhiko/Development/sentry-stripping", "File in /Users/[user]/Development/sentry-stripping", ["s", 15, 21]],
  ["@userpath:replace", "C:\\Windows\\Profiles\\Armin\\Temp", "C:\\Windows\\Profiles\\[user]\\Temp", ["s", 20, 26]],
  ["@userpath:hash", "File in /Users/mitsuhiko/Development/sentry-stripping", "File in /Users/A8791A1A8D11583E0200CC1B9AB971B4D78B8A69/Development/sentry-stripping", ["p", 15, 55]],
  ["@bearer", "API request failed with Bearer abc123.def and other data", "API request failed with Bearer [token] and other data", ["s", 24, 38]],
  ["@email:remove", "mail john@appleseed.com now", "mail  now", ["x", 5, 5]],
  ["@anything:hash", "foobar", "168197CA3A9D4FE60EDE05116B0A125DA1AB3BD0", ["p", 0, 40]],
];

describe("built-in rules", () => {
  it.for(CASES)("%s turns %j into %j", ([rule, input, output, [type, start, end]]) => {
    expect(scrubText(input, [rule])).toEqual({ value: output, remarks: [[rule, type, start, end]] });
  });

  it.each([
    ["@ip", "foo::1"],
    ["@iban", "fooNO9386011117945bar"],
    ["@iban", "some iban: NO938601111794!"],
    ["@iban", "some iban: RU02044525600407028104123456789010!"],
    ["@iban", "some iban: N19386011117945!"],
    ["@creditcard", "1453843029218310"],
  ])("%s leaves %j alone", (rule, input) => {
    expect(scrubText(input, [rule])).toEqual({ value: input, remarks: [] });
  });

  it("has every rule type and redaction method the product offers", () => {
    for (const type of ["creditcard", "password", "ip", "imei", "email", "uuid", "pemkey", "urlauth", "usssn", "userpath", "mac", "anything"]) {
      for (const method of ["mask", "remove", "hash", "replace"]) expect(BUILTIN_RULES.has(`@${type}:${method}`), `@${type}:${method}`).toBe(true);
    }
  });

  it.for<[string, string, string, string, readonly [string, number, number]]>([
    ["ip", "replace", "before 127.0.0.1 after", "before [Filtered] after", ["s", 7, 17]],
    ["ip", "hash", "before 127.0.0.1 after", "before AE12FE3B5F129B5CC4CDD2B136B7B7947C4D2741 after", ["p", 7, 47]],
    ["imei", "replace", "before 356938035643809 after", "before [Filtered] after", ["s", 7, 17]],
    ["mac", "mask", "ether 4a:00:04:10:9b:50", "ether *****************", ["m", 6, 23]],
    ["uuid", "replace", "user id ceee0822-ed8f-4622-b2a3-789e73e75cd1", "user id [Filtered]", ["s", 8, 18]],
    ["email", "replace", "John Appleseed <john@appleseed.com>", "John Appleseed <[Filtered]>", ["s", 16, 26]],
    ["iban", "replace", "some iban: DE89370400440532013000!", "some iban: [Filtered]!", ["s", 11, 21]],
    ["creditcard", "replace", "John Appleseed 4571234567890111!", "John Appleseed [Filtered]!", ["s", 15, 25]],
    ["usssn", "remove", "SSN 078-05-1120.", "SSN .", ["x", 4, 4]],
    ["userpath", "mask", "/home/alice/x", "/home/*****/x", ["m", 6, 11]],
    ["pemkey", "replace", "-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----\n[Filtered]\n-----END PUBLIC KEY-----", ["s", 27, 37]],
    ["urlauth", "mask", "https://u:p@host/", "https://***@host/", ["m", 8, 11]],
  ])("a custom %s rule with %s redacts as the built-in does", ([type, method, input, output, [kind, start, end]]) => {
    const rules = { "0": { type, redaction: { method } } };
    expect(scrubText(input, ["0"], rules)).toEqual({ value: output, remarks: [["0", kind, start, end]] });
  });
});
