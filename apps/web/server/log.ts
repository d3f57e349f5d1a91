import "server-only";
import { jsonLogger } from "@dockyard/protocol";

/** The web app's structured log: one JSON object per line. */
export const log = jsonLogger("web");
