export { DATA_CATEGORIES, toDataCategory } from "./data-category.js";
export type { DataCategory } from "./data-category.js";
