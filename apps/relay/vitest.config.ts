import { packageProject } from "../../vitest.shared.js";

// Two files at a time: the relay's suites start relays, SDKs, nats-servers and a browser, and
// mostly wait on them; it is the last package to test, when the others are done with the cores.
export default packageProject("@org/relay", { workers: 2 });
