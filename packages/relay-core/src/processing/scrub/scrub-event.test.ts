import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FILTERED, scrubEvent } from "./scrub-event.js";
import { mergeScrubbingPolicies } from "./scrubbing-policy.js";
import { PERMISSIVE_CONFIG } from "../../projects/project-state.js";

const DEFAULTS = { scrubData: true, scrubDefaults: true };
const scrub = (event: Record<string, unknown>, policy = DEFAULTS): Record<string, unknown> => scrubEvent(event, policy).event;

describe("scrubEvent", () => {
  it.each(["password", "PASSWORD", "the_secret", "apiKey", "api_key", "authorization", "access_token", "mysql_pwd", "stripeToken", "credentials", "passwd"])(
    "filters the value under %s",
    (key) => {
      expect(scrub({ extra: { [key]: "hunter2" } }).extra).toEqual({ [key]: FILTERED });
    },
  );

  it("leaves keys that only look alike", () => {
    expect(scrub({ extra: { auXth: "kept", username: "kept" } }).extra).toEqual({ auXth: "kept", username: "kept" });
  });

  it("filters credit card numbers inside strings, by card rules", () => {
    expect(scrub({ extra: { note: "foo 4571234567890111" } }).extra).toEqual({ note: `foo ${FILTERED}` });
    expect(scrub({ extra: { note: "1453843029218310" } }).extra).toEqual({ note: "1453843029218310" });
    expect(scrub({ extra: { note: "4571 2345 6789 0111" } }).extra).toEqual({ note: FILTERED });
  });

  it("filters passwords in URLs", () => {
    expect(scrub({ extra: { url: "redis://redis:foo@localhost:6379/0" } }).extra).toEqual({ url: `redis://redis:${FILTERED}@localhost:6379/0` });
  });

  it("filters PEM private keys' bodies and US social security numbers", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
    expect(scrub({ extra: { key: `x ${pem} y`, ssn: "ssn 078-05-1120" } }).extra).toEqual({
      key: `x -----BEGIN RSA PRIVATE KEY-----\n${FILTERED}\n-----END RSA PRIVATE KEY----- y`,
      ssn: `ssn ${FILTERED}`,
    });
  });

  it("filters session cookies and auth headers given as pairs or maps, not the whole cookie jar", () => {
    const event = scrub({
      request: {
        cookies: { session: "abc", theme: "dark" },
        headers: [["Cookie", "session=abc"], ["Authorization", "Bearer xyz"], ["Accept", "text/html"]],
      },
    });
    expect(event.request).toEqual({
      cookies: [["session", FILTERED], ["theme", "dark"]],
      headers: [["Authorization", FILTERED], ["Accept", "text/html"]],
    });
  });

  it("shapes the request as Relay's normalization does: query and cookie header as pairs", () => {
    const event = scrub({
      request: { url: "https://shop.example/login?user=jane&password=hunter2#top", headers: { Cookie: "session=abc; theme=dark", Accept: "*/*" } },
    });
    expect(event.request).toEqual({
      url: "https://shop.example/login",
      fragment: "top",
      query_string: [["user", "jane"], ["password", FILTERED]],
      cookies: [["session", FILTERED], ["theme", "dark"]],
      headers: [["Accept", "*/*"]],
    });
  });

  it("records what it removed in _meta in Sentry's shape", () => {
    const result = scrubEvent({ extra: { password: "hunter2", note: "card 4571234567890111" } }, DEFAULTS);
    expect(result.scrubbed).toBe(2);
    expect(result.event._meta).toEqual({
      extra: {
        password: { "": { rem: [["@password:filter", "s", 0, 10]], len: 7 } },
        note: { "": { rem: [["@creditcard:filter", "s", 5, 15]], len: 21 } },
      },
    });
  });

  it("removes IP addresses only when asked, even with scrubbing off", () => {
    const event = { user: { ip_address: "10.1.2.3" }, extra: { from: "client 10.1.2.3" } };
    expect(scrub(event)).toEqual(event);
    const scrubbed = scrub(event, { scrubData: false, scrubDefaults: false, scrubIpAddresses: true } as typeof DEFAULTS);
    expect(scrubbed.user).toEqual({ ip_address: null });
    expect(scrubbed.extra).toEqual({ from: "client [ip]" });
  });

  it("honours sensitive and excluded fields", () => {
    const policy = { ...DEFAULTS, sensitiveFields: ["email"], excludeFields: ["password"] };
    expect(scrub({ extra: { user_email: "a@b.c", password: "kept" } }, policy).extra).toEqual({ user_email: FILTERED, password: "kept" });
  });

  it("does nothing when scrubbing is off", () => {
    const event = { extra: { password: "hunter2" } };
    expect(scrubEvent(event, { scrubData: false, scrubDefaults: true })).toEqual({ event, scrubbed: 0 });
  });

  it("survives 10 000 levels of nesting", () => {
    let deep: unknown = "4571234567890111";
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect(() => scrubEvent({ extra: deep }, DEFAULTS)).not.toThrow();
  });

  it("never throws, is idempotent, and leaves no value of a sensitive key behind", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string({ minLength: 1 }), (extra, secret) => {
        const once = scrubEvent({ extra: { ...extra, password: secret } }, DEFAULTS).event;
        const twice = scrubEvent(once, DEFAULTS).event;
        const extraOut = once.extra as Record<string, unknown>;
        return extraOut.password === FILTERED && JSON.stringify((twice).extra) === JSON.stringify(extraOut);
      }),
    );
    fc.assert(fc.property(fc.anything(), (value) => typeof scrubEvent({ extra: value }, DEFAULTS).scrubbed === "number"));
  });
});

describe("mergeScrubbingPolicies", () => {
  it("lets the stricter side win and only the project exclude fields", () => {
    expect(
      mergeScrubbingPolicies(
        { scrubData: true, scrubDefaults: false, scrubIpAddresses: true, sensitiveFields: ["a"], excludeFields: ["global"] },
        { scrubData: false, scrubDefaults: true, sensitiveFields: ["b"], excludeFields: ["x"] },
      ),
    ).toEqual({ scrubData: true, scrubDefaults: true, scrubIpAddresses: true, sensitiveFields: ["a", "b"], excludeFields: ["x"] });
  });

  it("takes the relay's policy whole, exclusions and switches included, when the project has no settings", () => {
    const global = { scrubData: true, scrubDefaults: true, excludeFields: ["password"] };
    const merged = mergeScrubbingPolicies(global, PERMISSIVE_CONFIG.datascrubbingSettings);
    expect(merged).toEqual({ ...global, sensitiveFields: [] });
    expect(scrubEvent({ extra: { password: "kept", secret: "gone" } }, merged).event).toEqual({
      extra: { password: "kept", secret: FILTERED },
      _meta: { extra: { secret: { "": { rem: [["@password:filter", "s", 0, FILTERED.length]], len: 4 } } } },
    });
    const off = mergeScrubbingPolicies({ scrubData: false }, PERMISSIVE_CONFIG.datascrubbingSettings);
    expect(scrubEvent({ extra: { password: "kept" } }, off).event).toEqual({ extra: { password: "kept" } });
  });
});

describe("keys named like Object.prototype's", () => {
  it("are scrubbed as data, never touching the prototype", () => {
    const event = JSON.parse('{"extra":{"__proto__":{"password":"hunter2","polluted":true},"constructor":{"secret":"x"}}}') as Record<string, unknown>;
    const result = scrubEvent(event, DEFAULTS);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).password).toBeUndefined();
    expect(JSON.stringify(result.event.extra)).toBe('{"__proto__":{"password":"[Filtered]","polluted":true},"constructor":{"secret":"[Filtered]"}}');
    expect(JSON.stringify(result.event._meta)).toContain('"__proto__":{"password"');
  });
});

describe("properties", () => {
  const RULES = ["@ip", "@email:mask", "@creditcard:hash", "@anything:remove", "@password", "@uuid", "@urlauth", "@userpath:replace", "custom"];
  const SELECTORS = ["$string", "$object", "**", "extra.**", "$number", "$array", "extra.*", "$http.headers.*", "~extra.a"];
  const config = fc.record({
    selector: fc.constantFrom(...SELECTORS),
    rule: fc.constantFrom(...RULES),
    pattern: fc.constantFrom("a+", "(?i)sec", "[0-9]{3}", "(x"),
  }).map(({ selector, rule, pattern }) => ({ rules: { custom: { type: "pattern", pattern, redaction: { method: "replace", text: "[c]" } } }, applications: { [selector]: [rule] } }));
  const event = fc.record({
    extra: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })),
    request: fc.record({ headers: fc.array(fc.tuple(fc.string(), fc.string())), url: fc.webUrl() }),
    user: fc.record({ ip_address: fc.ipV4(), email: fc.emailAddress() }),
    message: fc.string(),
  });

  it("never throws, whatever the event and the rules", () => {
    fc.assert(
      fc.property(event, config, fc.boolean(), (value, pii, ips) => {
        const result = scrubEvent(value, { scrubData: true, scrubDefaults: true, scrubIpAddresses: ips }, pii);
        return typeof result.scrubbed === "number";
      }),
      { numRuns: 200 },
    );
  });

  it("is idempotent with Relay's default rules", () => {
    fc.assert(
      fc.property(event, (value) => {
        const policy = { scrubData: true, scrubDefaults: true, scrubIpAddresses: true };
        const once = scrubEvent(value, policy).event;
        const twice = scrubEvent(once, policy).event;
        expect(twice).toEqual(once);
      }),
      { numRuns: 200 },
    );
  });
});
