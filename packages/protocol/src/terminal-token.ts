import { z } from "zod";
import { hostName, sessionId } from "./internal-api.ts";

/** Staff roles that may look into someone else's terminal; the web app checks the role before minting. */
export const watcherRole = z.enum(["instructor", "admin"]);
export type WatcherRole = z.infer<typeof watcherRole>;

/** What a terminal token grants: one user's access to one host of one session, until `exp` (seconds). */
export const terminalTokenClaims = z.object({
  sub: z.string().min(1),
  sid: sessionId,
  host: hostName,
  /** `read` sees the screen and cannot type; `write` types too (for a watcher, only while the owner allows it). */
  mode: z.enum(["write", "read"]),
  /** Absent: the holder owns the session. Present: staff looking into another user's session. */
  as: watcherRole.optional(),
  /** The name the session's owner sees while this holder is connected. */
  who: z.string().min(1).max(80).optional(),
  /** A random id: the gateway accepts each token for one socket only. */
  jti: z.string().min(8).max(64),
  exp: z.number().int(),
});
export type TerminalTokenClaims = z.infer<typeof terminalTokenClaims>;

/** Tokens are minted just before the socket opens; a minute is plenty and limits a leaked token's use. */
export const TERMINAL_TOKEN_TTL_SECONDS = 60;
