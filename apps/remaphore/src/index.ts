// remaphore is a command; its one programmatic entry is the command line itself.
export { main } from "./main.js";
export type { Io } from "./main.js";
