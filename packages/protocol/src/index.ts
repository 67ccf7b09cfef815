export * from "./result.js";
export * from "./protocol-error.js";
export * from "./dsn/index.js";
export * from "./auth/index.js";
export * from "./envelope/index.js";
export * from "./event/index.js";
export * from "./body/index.js";
export * from "./rate-limits/index.js";
