import { jsonLogger } from "@dockyard/protocol";

/** The gateway's structured log: one JSON object per line. */
export const log = jsonLogger("gateway");
