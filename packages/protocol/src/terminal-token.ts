import { z } from "zod";
import { hostName, sessionId } from "./internal-api.ts";

/** What a terminal token grants: one user's access to one host of one session, until `exp` (seconds). */
export const terminalTokenClaims = z.object({
  sub: z.string().min(1),
  sid: sessionId,
  host: hostName,
  mode: z.enum(["write", "read"]),
  /** A random id: the gateway accepts each token for one socket only. */
  jti: z.string().min(8).max(64),
  exp: z.number().int(),
});
export type TerminalTokenClaims = z.infer<typeof terminalTokenClaims>;

/** Tokens are minted just before the socket opens; a minute is plenty and limits a leaked token's use. */
export const TERMINAL_TOKEN_TTL_SECONDS = 60;
