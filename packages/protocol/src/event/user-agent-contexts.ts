import { parseDevice, parseOs, parseUserAgent } from "./user-agent.js";

type Json = Record<string, unknown>;

/** What a request says about its client: the User-Agent header and the user-agent client hints. */
export interface UserAgentInfo {
  /** `User-Agent`. */
  readonly userAgent?: string | undefined;
  /** `Sec-CH-UA`: the browser's brands with their significant versions. */
  readonly secChUa?: string | undefined;
  /** `Sec-CH-UA-Model`: the device model. */
  readonly secChUaModel?: string | undefined;
  /** `Sec-CH-UA-Platform`: the operating system. */
  readonly secChUaPlatform?: string | undefined;
  /** `Sec-CH-UA-Platform-Version`: the operating system's version. */
  readonly secChUaPlatformVersion?: string | undefined;
}

const FIELDS: Readonly<Record<string, keyof UserAgentInfo>> = {
  "user-agent": "userAgent",
  "sec-ch-ua": "secChUa",
  "sec-ch-ua-model": "secChUaModel",
  "sec-ch-ua-platform": "secChUaPlatform",
  "sec-ch-ua-platform-version": "secChUaPlatformVersion",
};

/**
 * The user agent and client hints of a request's headers, names compared without case. When a
 * header comes more than once the last one counts, and one without a value clears what came before.
 */
export function userAgentInfoFromHeaders(headers: readonly (readonly [string, string | undefined])[]): UserAgentInfo {
  const info: Partial<Record<keyof UserAgentInfo, string | undefined>> = {};
  for (const [name, value] of headers) {
    const field = FIELDS[name.toLowerCase()];
    if (field) info[field] = value;
  }
  return info;
}

/** `major`, `major.minor` or `major.minor.patch`: the patch only counts after a minor. */
export function formatVersion(major: string | undefined, minor: string | undefined, patch: string | undefined): string | undefined {
  if (major === undefined) return undefined;
  if (minor === undefined) return major;
  return patch === undefined ? `${major}.${minor}` : `${major}.${minor}.${patch}`;
}

/** A client hint's value without surrounding space, then without any double quotes. */
const unquote = (value: string): string => value.trim().replaceAll('"', "");

const BRAND_PATTERN = /"([^"]*)";v="([^"]*)"/;

/**
 * The browser of a `Sec-CH-UA` list (`"Not_A Brand";v="99", "Google Chrome";v="109", ...`): the
 * first entry that is neither a made-up brand nor an engine (Chromium, Gecko, WebKit). When that
 * entry cannot be read, or its name or version is blank, there is none.
 */
function browserFromHints(secChUa: string): { name: string; version: string } | undefined {
  for (const item of secChUa.split(",")) {
    if (["Brand", "Chromium", "Gecko", "WebKit"].some((word) => item.includes(word))) continue;
    const match = BRAND_PATTERN.exec(item);
    const name = match?.[1];
    const version = match?.[2];
    if (name === undefined || version === undefined || name.trim() === "" || version.trim() === "") return undefined;
    return { name, version };
  }
  return undefined;
}

/** The `browser` context: from `Sec-CH-UA` when it names one, else from the User-Agent. */
export function browserContextOf(info: UserAgentInfo): Json | undefined {
  const hinted = info.secChUa === undefined ? undefined : browserFromHints(info.secChUa);
  if (hinted) return { name: hinted.name, version: hinted.version, type: "browser" };
  if (info.userAgent === undefined) return undefined;
  const browser = parseUserAgent(info.userAgent);
  if (browser.family === "Other") return undefined;
  const version = formatVersion(browser.major, browser.minor, browser.patch);
  return { name: browser.family, ...(version === undefined ? {} : { version }), type: "browser" };
}

/** The `device` context: the model from `Sec-CH-UA-Model` when not blank, else from the User-Agent. */
export function deviceContextOf(info: UserAgentInfo): Json | undefined {
  const model = info.secChUaModel === undefined ? "" : unquote(info.secChUaModel);
  if (model !== "") return { model, type: "device" };
  if (info.userAgent === undefined) return undefined;
  const device = parseDevice(info.userAgent);
  if (device.family === "Other") return undefined;
  return {
    family: device.family,
    ...(device.model === undefined ? {} : { model: device.model }),
    ...(device.brand === undefined ? {} : { brand: device.brand }),
    type: "device",
  };
}

/** User-Agent strings stop at these versions, so the real one may be higher. */
const FROZEN_VERSIONS: Readonly<Record<string, string>> = { Windows: "10", "Mac OS X": "10.15.7" };

/**
 * The OS context: from `Sec-CH-UA-Platform` (and its version, kept even when empty) when not
 * blank, else from the User-Agent.
 */
export function osContextOf(info: UserAgentInfo): Json | undefined {
  const platform = info.secChUaPlatform === undefined ? "" : unquote(info.secChUaPlatform);
  if (platform !== "") {
    const version = info.secChUaPlatformVersion === undefined ? undefined : unquote(info.secChUaPlatformVersion);
    return { name: platform, ...(version === undefined ? {} : { version }), type: "os" };
  }
  if (info.userAgent === undefined) return undefined;
  const os = parseOs(info.userAgent);
  if (os.family === "Other") return undefined;
  let version = formatVersion(os.major, os.minor, os.patch);
  if (version !== undefined && FROZEN_VERSIONS[os.family] === version) version = `>=${version}`;
  return { name: os.family, ...(version === undefined ? {} : { version }), type: "os" };
}

/**
 * Adds the `browser`, `device` and OS contexts that the user agent and client hints give, as
 * Relay does, each only where the event has no context of that key. The OS goes to `os` for
 * JavaScript events and to `client_os` for any other platform, where `os` is the server's own.
 */
export function addUserAgentContexts(contexts: Json, platform: unknown, info: UserAgentInfo): void {
  const add = (key: string, make: (info: UserAgentInfo) => Json | undefined): void => {
    if (Object.hasOwn(contexts, key)) return;
    const context = make(info);
    if (context) contexts[key] = context;
  };
  add("browser", browserContextOf);
  add("device", deviceContextOf);
  add(platform === "javascript" ? "os" : "client_os", osContextOf);
}
