import { asObject, asString, exceptionList, type Json } from "./event-access.js";

// Messages that known browser extensions, injected scripts and "optimizing" proxies raise.
const KNOWN_MESSAGES = new RegExp(
  [
    String.raw`top\.GLOBALS`,
    "originalCreateNotification",
    // The dot is any character here, as in the filter this list comes from.
    "canvas.contentDocument",
    "MyApp_RemoveAllHighlights",
    String.raw`http://tt\.epicplay\.com`,
    String.raw`Can't\sfind\svariable:\sZiteReader`,
    String.raw`jigsaw\sis\snot\sdefined`,
    String.raw`ComboSearch\sis\snot\sdefined`,
    String.raw`http://loading\.retry\.widdit\.com/`,
    "atomicFindClose",
    "fb_xd_fragment",
    "bmi_SafeAddOnload",
    "EBCallBackMessageReceived",
    "_gCrWeb",
    "conduitPage",
    String.raw`null\sis\snot\san\sobject\s\(evaluating\s'elt.parentNode'\)`,
    String.raw`plugin\.setSuspendState\sis\snot\sa\sfunction`,
    String.raw`Extension\scontext\sinvalidated`,
    "webkit-masked-url:",
    String.raw`can't\saccess\sdead\sobject`,
    // Crypto wallets and ad blockers that define these globals first.
    String.raw`Cannot\sredefine\sproperty:\s(?:solana|ethereum|googletag)`,
    String.raw`Can't\sfind\svariable:\sgmo`,
  ].join("|"),
  "i",
);

// Script sources that belong to extensions or to third parties known to fail on their own.
const KNOWN_SOURCES = new RegExp(
  [
    String.raw`graph\.facebook\.com`,
    String.raw`connect\.facebook\.net`,
    String.raw`eatdifferent\.com\.woopra-ns\.com`,
    String.raw`static\.woopra\.com/js/woopra\.js`,
    "^chrome(?:-extension)?://",
    "^moz-extension://",
    "^safari(?:-web)?-extension://",
    "webkit-masked-url",
    String.raw`127\.0\.0\.1:4001/isrunning`,
    String.raw`webappstoolbarba\.texthelp\.com/`,
    String.raw`metrics\.itunes\.apple\.com\.edgesuite\.net/`,
    String.raw`kaspersky-labs\.com`,
  ].join("|"),
  "i",
);

/** Frames that say nothing about where an error came from. */
const ANONYMOUS_PATHS = new Set(["<anonymous>", "[native code]"]);

/**
 * The source of the first exception: the `abs_path` of its innermost frame, looking past
 * anonymous frames; none as soon as a frame on the way has no `abs_path`.
 */
function exceptionSource(exception: Json): string | undefined {
  const frames = asObject(exception.stacktrace)?.frames;
  if (!Array.isArray(frames)) return undefined;
  for (let i = frames.length - 1; i >= 0; i--) {
    const path = asString(asObject(frames[i])?.abs_path);
    if (path === undefined) return undefined;
    if (!ANONYMOUS_PATHS.has(path)) return path;
  }
  return undefined;
}

/** Whether the event's first exception comes from a known problematic browser extension. */
export function isFromBrowserExtension(event: Json): boolean {
  const first = exceptionList(event)[0];
  if (!first) return false;
  const value = asString(first.value);
  if (value !== undefined && KNOWN_MESSAGES.test(value)) return true;
  const source = exceptionSource(first);
  return source !== undefined && KNOWN_SOURCES.test(source);
}
