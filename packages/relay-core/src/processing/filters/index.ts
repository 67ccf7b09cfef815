export { checkInboundFilters } from "./inbound-filters.js";
export type { FilterReason, FilterSettings, FilterToggle } from "./inbound-filters.js";
