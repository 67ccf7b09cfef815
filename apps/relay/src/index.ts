// The relay is a command (`relay`); its one programmatic entry is the command line itself.
export { main } from "./main.js";
