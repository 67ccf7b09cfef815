export { BodyError } from "./body-error.js";
export type { BodyErrorCode } from "./body-error.js";
export { decodeBody, unwrapStoreBody } from "./decode-body.js";
export type { DecodeBodyOptions } from "./decode-body.js";
export { brotliBounded, inflateBounded } from "./inflate.js";
export type { Framing } from "./inflate.js";
export { parseJsonLenient, parseJsonObject, repairNonFiniteNumbers } from "./lenient-json.js";
export { parseByteSize } from "./byte-size.js";
