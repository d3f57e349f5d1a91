import { z } from "zod";
import { sessionId } from "./internal-api.ts";
import { terminalViewer } from "./terminal-messages.ts";

/**
 * What one gateway tells the others about sessions, over the database's event bus (PostgreSQL LISTEN/NOTIFY), so
 * that any gateway can serve any session's terminals. Each is validated on receipt; see docs/architecture.md,
 * "Several instances".
 */
export const instanceEvent = z.discriminatedUnion("type", [
  /** The session is being removed: terminals attached anywhere are told why and closed; no new ones open. */
  z.object({ type: z.literal("session-ended"), sessionId, reason: z.string().max(500) }),
  /** The session's lease changed (extended): terminals attached anywhere show the new end. */
  z.object({ type: z.literal("lease-changed"), sessionId, expiresAt: z.string().nullable() }),
  /** The owner let watchers type, or stopped them. */
  z.object({ type: z.literal("control"), sessionId, allowed: z.boolean() }),
  /**
   * Who is connected to the session through the sending gateway (the whole list, which replaces the last one from
   * it; empty when nobody is). Sent on every change and again every `VIEWERS_REFRESH_MS` while anyone is connected.
   */
  z.object({ type: z.literal("viewers"), sessionId, viewers: z.array(terminalViewer).max(32) }),
  /** Someone typed into the session through the sending gateway (at most one such event per session in a while). */
  z.object({ type: z.literal("activity"), sessionId }),
  /** A single-use token was spent: no other gateway accepts it again. */
  z.object({
    type: z.literal("token-used"),
    kind: z.enum(["terminal", "preview"]),
    jti: z.string().min(8).max(64),
    exp: z.number().int(),
  }),
]);
export type InstanceEvent = z.infer<typeof instanceEvent>;

/** How often a gateway repeats who is connected through it; lists older than three times this are dropped. */
export const VIEWERS_REFRESH_MS = 30_000;
