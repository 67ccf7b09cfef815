/** A browser as named by the ua-parser project (the parser Relay uses): family and major version. */
export interface ParsedUserAgent {
  readonly family: string;
  readonly major: string | undefined;
}

interface Rule {
  readonly regex: RegExp;
  readonly family: string | ((match: RegExpExecArray) => string);
  /** Which capture group holds the major version, or a fixed major version. */
  readonly major: number | string;
}

// A subset of ua-parser's browser rules, in ua-parser's order: the browsers the legacy-browser
// filter knows, and the look-alikes that must not be taken for them (WebViews, Chrome on iOS,
// Opera on Chromium, crawlers claiming to be a browser).
const RULES: readonly Rule[] = [
  { regex: /(Opera Mini)(?:\/att|)\/?(\d+)/, family: "Opera Mini", major: 2 },
  { regex: /(Opera)\/.+Opera Mobi.+Version\/(\d+)/, family: "Opera Mobile", major: 2 },
  { regex: /(Opera)\/(\d+)\.(\d+).+Opera Mobi/, family: "Opera Mobile", major: 2 },
  { regex: /Opera Mobi.+(Opera)(?:\/|\s+)(\d+)/, family: "Opera Mobile", major: 2 },
  { regex: /Opera Mobi/, family: "Opera Mobile", major: "" },
  { regex: /(Opera)\/9\.80.*Version\/(\d+)/, family: "Opera", major: 2 },
  { regex: /(?:Mobile Safari).*(OPR)\/(\d+)/, family: "Opera Mobile", major: 2 },
  { regex: /(?:Chrome).*(OPR)\/(\d+)/, family: "Opera", major: 2 },
  { regex: /(IEMobile)[ /](\d+)/, family: "IE Mobile", major: 2 },
  { regex: /(Edge?)\/(\d+)(?:\.(\d+)|)/, family: "Edge", major: 2 },
  { regex: /(EdgiOS|EdgA)\/(\d+)/, family: "Edge Mobile", major: 2 },
  { regex: /(SamsungBrowser)\/(\d+)/, family: "Samsung Internet", major: 2 },
  { regex: /(YaBrowser)\/(\d+)/, family: "Yandex Browser", major: 2 },
  { regex: /(FxiOS)\/(\d+)/, family: "Firefox iOS", major: 2 },
  { regex: /(CriOS)\/(\d+)/, family: "Chrome Mobile iOS", major: 2 },
  { regex: /; wv\).+(Chrome)\/(\d+)/, family: "Chrome Mobile WebView", major: 2 },
  { regex: /Mobile.*(Firefox)\/(\d+)/, family: "Firefox Mobile", major: 2 },
  { regex: /(Firefox)\/(\d+)/, family: "Firefox", major: 2 },
  { regex: /(Chrome)\/(\d+)\.(\d+)\.(\d+)(?:\.\d+|) Mobile/, family: "Chrome Mobile", major: 2 },
  { regex: /(Chrome|Chromium)\/(\d+)/, family: (match) => match[1]!, major: 2 },
  { regex: /(Opera)[/ ](\d+)/, family: "Opera", major: 2 },
  { regex: /(MSIE) (\d+)/, family: "IE", major: 2 },
  { regex: /(Trident)\/(7|8)\.0/, family: "IE", major: "11" },
  { regex: /(Android)[-/ ](\d+)(?:\.\d+|).*(?:Version\/\d+\.\d+|Safari)/, family: "Android", major: 2 },
  { regex: /(iPod|iPhone|iPad).+Version\/(\d+)(?:\.\d+|).*[ +]Safari/, family: "Mobile Safari", major: 2 },
  { regex: /(iPod|iPod touch|iPhone|iPad).+Version\/(\d+)/, family: "Mobile Safari UI/WKWebView", major: 2 },
  { regex: /Version\/(\d+)(?:\.\d+|).*Mobile.*Safari\//, family: "Mobile Safari", major: 1 },
  { regex: /(Version)\/(\d+)(?:\.\d+|)(?:\.\d+|).*Safari\//, family: "Safari", major: 2 },
];

/** Names the browser of a User-Agent header; unknown browsers are `Other` with no version. */
export function parseUserAgent(userAgent: string): ParsedUserAgent {
  for (const rule of RULES) {
    const match = rule.regex.exec(userAgent);
    if (!match) continue;
    const family = typeof rule.family === "string" ? rule.family : rule.family(match);
    const major = typeof rule.major === "string" ? rule.major : match[rule.major];
    return { family, major: major === "" ? undefined : major };
  }
  return { family: "Other", major: undefined };
}
