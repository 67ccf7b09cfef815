/**
 * The regular expressions of Relay's built-in rule types, translated from its Rust syntax
 * (verbose mode folded, POSIX classes spelled out). All are global: callers reset `lastIndex`.
 */

const V4S = "(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)";
const V4A = `${V4S}\\.${V4S}\\.${V4S}\\.${V4S}`;
const V6S = "[0-9a-fA-F]{1,4}";
const PUNCT = "[!-\\/:-@\\[-`{-~]";

/** An IPv4 address. */
export const IPV4_REGEX = new RegExp(`\\b${V4A}\\b`, "g");

/** An IPv6 address between white space, punctuation or the ends; group 1 is the address. */
export const IPV6_REGEX = new RegExp(
  `(?:[\\s]|${PUNCT}|^)(` +
    `(${V6S}:){7}${V6S}|` +
    `(${V6S}:){1,7}:|` +
    `(${V6S}:){1,6}::${V6S}|` +
    `(${V6S}:){1,5}:(:${V6S}){1,2}|` +
    `(${V6S}:){1,4}:(:${V6S}){1,3}|` +
    `(${V6S}:){1,3}:(:${V6S}){1,4}|` +
    `(${V6S}:){1,2}:(:${V6S}){1,5}|` +
    `${V6S}:((:${V6S}){1,6})|` +
    `:((:${V6S}){1,7}|:)|` +
    // As in Relay, the link-local and IPv4-mapped forms run together into one alternative.
    `fe80:(:${V6S}){0,4}%[0-9a-zA-Z]{1,}::(ffff(:0{1,4}){0,1}:){0,1}${V4A}|` +
    `(${V6S}:){1,4}:${V4A}` +
    `)([\\s]|${PUNCT}|$)`,
  "gi",
);

/** A 15–17 digit IMEI, dashes allowed. */
export const IMEI_REGEX = /\b(\d{2}-?\d{6}-?\d{6}-?\d{1,2})\b/g;

/** A MAC address with `:` or `-` separators. */
export const MAC_REGEX = /\b([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b/g;

/** A UUID, dashes optional. */
export const UUID_REGEX = /\b[a-z0-9]{8}-?[a-z0-9]{4}-?[a-z0-9]{4}-?[a-z0-9]{4}-?[a-z0-9]{12}\b/gi;

/** An email address. */
export const EMAIL_REGEX = /\b[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*\.[a-zA-Z]{2,}\b/g;

/** An IBAN of one of the listed countries. */
export const IBAN_REGEX =
  /\b(AT|AD|AE|AL|AZ|BA|BE|BG|BH|BR|BY|CH|CR|CY|CZ|DE|DK|DO|EE|EG|ES|FI|FO|FR|GB|GE|GI|GL|GR|GT|HR|HU|IE|IL|IQ|IS|IT|JO|KW|KZ|LB|LC|LI|LT|LU|LV|LY|MC|MD|ME|MK|MR|MT|MU|NL|NO|PK|PL|PS|PT|QA|RO|RU|RS|SA|SC|SE|SI|SK|SM|ST|SV|TL|TN|TR|UA|VA|VG|XK|DZ|AO|BJ|BF|BI|CV|CM|CF|TD|KM|CG|CI|DJ|GQ|GA|GW|HN|IR|MG|ML|MA|MZ|NI|NE|SN|TG)\d{2}[a-zA-Z0-9]{11,29}\b/g;

/** A credit card number of the Amex, Visa, Mastercard or Discover ranges, spaces or dashes allowed. */
export const CREDITCARD_REGEX = /\b((?:3[47]\d|4\d{3}|5[1-5]\d\d|65\d\d|6011)([-\s]?\d){12})\b/g;

/**
 * A user's directory in a path; group 1 is the user name. (Relay writes "documents and settings"
 * in verbose mode, which drops the spaces; kept as it behaves.)
 */
export const PATH_REGEX =
  // eslint-disable-next-line no-control-regex -- Relay stops a user name at NUL too.
  /(?:(?:\b(?:[a-zA-Z]:[\\/])?(?:users|home|documentsandsettings|[^/\\]+[/\\]profiles)[\\/])|(?:\/(?:home|users)\/))([^/\\\r\n\x00]+)/gi;

/** A PEM key; group 1 is the body between the BEGIN and END lines. */
export const PEM_KEY_REGEX =
  /(?:-----BEGIN[A-Z ]+(?:PRIVATE|PUBLIC) KEY-----[\t ]*\r?\n?)([\s\S]+?)(?:\r?\n?-----END[A-Z ]+(?:PRIVATE|PUBLIC) KEY-----)/g;

/** Credentials in a URL; group 1 is `user:password`. */
export const URL_AUTH_REGEX = /\b(?:(?:[a-z0-9+-]+:)?\/\/([a-zA-Z0-9%_.-]+(?::[a-zA-Z0-9%_.-]+)?))@/g;

/** Legacy Sentry's URL password; group 2 is the password. */
export const URL_LEGACY_PASSWORD_REGEX = /\b((?:[a-z0-9]+:)?\/\/[a-zA-Z0-9%_.-]+:)([a-zA-Z0-9%_.-]+)@/g;

/** A US social security number. */
export const US_SSN_REGEX = /\b([0-9]{3}-[0-9]{2}-[0-9]{4})\b/g;

/** A bearer token with its `Bearer ` prefix. */
export const BEARER_TOKEN_REGEX = /\b(Bearer\s+)([^\s]+)/gi;

/** Keys holding tokens: matched on keys only. */
export const TOKEN_KEY_REGEX = /token/i;

/** Relay's default sensitive keys, matched on keys and on values. */
export const PASSWORD_KEY_REGEX =
  /(password|secret|passwd|api[-_]key|apikey|auth|credentials|mysql_pwd|privatekey|private[-_]key|token[^\s]*[:=]|^otp$|^two[-_]factor$)/gi;

/** Any text up to a line end, as Rust's `.*` (empty matches included). */
export const ANYTHING_REGEX = /[^\n]*/g;
