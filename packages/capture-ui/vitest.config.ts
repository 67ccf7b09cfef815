import { packageProject } from "../../vitest.shared.js";

export default packageProject("@org/capture-ui");
