export { checkInboundFilters } from "./inbound-filters.js";
export type { FilterReason, FilterSettings } from "./inbound-filters.js";
