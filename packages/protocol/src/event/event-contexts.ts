import { normalizeHeaderName, parseCookies } from "./normalize-request.js";

type Json = Record<string, unknown>;

// Descriptions of operating systems and runtimes that SDKs (.NET, Unity, Unreal) send instead
// of a name and version, in the forms Relay recognizes.
const OS_WINDOWS = /^(?:Microsoft )?Windows (?:NT )?(?<version>\d+\.\d+\.(?<build>\d+)).*$/;
const OS_WINDOWS_UNITY = /^Windows\s+\d+\s+\((?<version>\d+\.\d+\.(?<build>\d+)).*$/;
const OS_ANDROID = /^Android (?:OS )?(?<version>\d+(?:\.\d+){0,2}) \/ API-(?<api>\d+)/;
const OS_MACOS = /^Mac OS X (?<version>\d+\.\d+\.\d+)(?: \((?<build>[a-fA-F0-9]+)\))?$/;
const OS_LINUX_DISTRO = /^Linux (?<kernel>\d+\.\d+(?:\.\d+(?:\.[1-9]+)?)?) (?<name>[a-zA-Z]+) (?<version>\d+(?:\.\d+){0,2})/;
const OS_UNAME = /^(?<name>[a-zA-Z]+) (?<kernel>\d+\.\d+(?:\.\d+(?:\.[1-9]+)?)?)/;
const RUNTIME_DOTNET = /^(?<name>.*) (?<version>\d+\.\d+(?:\.\d+){0,2}).*$/;

/** .NET Framework release keys (sent as `build`) and the versions they stand for. */
const DOTNET_RELEASES: ReadonlyMap<string, string> = new Map([
  ["378389", "4.5"],
  ["378675", "4.5.1"],
  ["378758", "4.5.1"],
  ["379893", "4.5.2"],
  ["393295", "4.6"],
  ["393297", "4.6"],
  ["394254", "4.6.1"],
  ["394271", "4.6.1"],
  ["394802", "4.6.2"],
  ["394806", "4.6.2"],
  ["460798", "4.7"],
  ["460805", "4.7"],
  ["461308", "4.7.1"],
  ["461310", "4.7.1"],
  ["461808", "4.7.2"],
  ["461814", "4.7.2"],
  ["528040", "4.8"],
  ["528049", "4.8"],
  ["528209", "4.8"],
  ["528372", "4.8"],
  ["528449", "4.8"],
]);

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The Windows marketing version of a build number (10, 11, XP...), or the raw version. */
function windowsVersion(description: string): { version: string; build: string } | undefined {
  const groups = (OS_WINDOWS.exec(description) ?? OS_WINDOWS_UNITY.exec(description))?.groups;
  if (!groups) return undefined;
  const build = groups.build!;
  const number = Number(build);
  let version = groups.version!;
  if (number >= 2600 && number <= 3790) version = "XP";
  else if (number === 6002) version = "Vista";
  else if (number === 7601) version = "7";
  else if (number === 9200) version = "8";
  else if (number === 9600) version = "8.1";
  else if (number >= 10240 && number <= 19044) version = "10";
  else if (number >= 22000 && number <= 22999) version = "11";
  return { version, build };
}

function normalizeOs(os: Json): void {
  if (os.name !== undefined && os.name !== null) return;
  if (os.version !== undefined && os.version !== null) return;
  if (typeof os.raw_description !== "string") return;
  const description = os.raw_description;
  const windows = windowsVersion(description);
  if (windows) {
    os.name = "Windows";
    os.version = windows.version;
    if (isMissing(os.build)) os.build = windows.build;
    return;
  }
  const macos = OS_MACOS.exec(description)?.groups;
  if (macos) {
    os.name = "macOS";
    os.version = macos.version;
    if (macos.build === undefined) delete os.build;
    else os.build = macos.build;
    return;
  }
  const distro = OS_LINUX_DISTRO.exec(description)?.groups;
  if (distro) {
    os.name = distro.name;
    os.version = distro.version;
    os.kernel_version = distro.kernel;
    return;
  }
  const uname = OS_UNAME.exec(description)?.groups;
  if (uname) {
    os.name = uname.name;
    os.kernel_version = uname.kernel;
    return;
  }
  const android = OS_ANDROID.exec(description)?.groups;
  if (android) {
    os.name = "Android";
    os.version = android.version;
  }
}

function normalizeRuntime(runtime: Json): void {
  if (isMissing(runtime.name) && isMissing(runtime.version) && typeof runtime.raw_description === "string") {
    const groups = RUNTIME_DOTNET.exec(runtime.raw_description)?.groups;
    if (groups) {
      runtime.name = groups.name;
      runtime.version = groups.version;
    }
  }
  // `.NET Framework 4.7.3056.0` says little; the release key sent as `build` names the version.
  const build = typeof runtime.build === "number" ? String(runtime.build) : runtime.build;
  if (typeof runtime.name === "string" && runtime.name.startsWith(".NET Framework") && typeof build === "string") {
    const version = DOTNET_RELEASES.get(build);
    if (version !== undefined) runtime.version = version;
  }
}

function headerPairs(headers: unknown): [string, unknown][] | undefined {
  if (Array.isArray(headers)) return headers.filter((pair): pair is [string, unknown] => Array.isArray(pair) && typeof pair[0] === "string");
  if (isObject(headers)) return Object.entries(headers);
  return undefined;
}

function normalizeResponse(response: Json): void {
  const headers = headerPairs(response.headers);
  const find = (name: string): [string, unknown] | undefined => headers?.find(([key]) => normalizeHeaderName(key) === name);
  let parsed: unknown;
  let isJson = false;
  if (typeof response.data === "string") {
    try {
      parsed = JSON.parse(response.data);
      isJson = true;
    } catch {
      isJson = false;
    }
  }
  if (isJson) {
    response.data = parsed;
    response.inferred_content_type = "application/json";
  } else {
    const contentType = find("Content-Type")?.[1];
    if (typeof contentType === "string") response.inferred_content_type = contentType.split(";")[0];
    else delete response.inferred_content_type;
  }
  if (!headers) return;
  const withoutSetCookie = (): [string, unknown][] => headers.filter(([key]) => normalizeHeaderName(key) !== "Set-Cookie");
  if (response.cookies !== undefined && response.cookies !== null) {
    response.headers = withoutSetCookie();
    return;
  }
  const setCookie = find("Set-Cookie")?.[1];
  const cookies = typeof setCookie === "string" ? parseCookies(setCookie) : undefined;
  if (cookies) {
    response.cookies = cookies;
    response.headers = withoutSetCookie();
  }
}

/** Relay's normalization of known contexts: OS and runtime names from descriptions, response bodies. */
export function normalizeContext(context: Json): void {
  if (context.type === "os") normalizeOs(context);
  else if (context.type === "runtime") normalizeRuntime(context);
  else if (context.type === "response") normalizeResponse(context);
}
