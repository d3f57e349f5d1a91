import { z } from "zod";
import { errorCodeList } from "./error-codes.ts";

/**
 * The terminal WebSocket. Terminal bytes travel as binary frames in both directions (keystrokes up, output down);
 * control messages travel as JSON text frames, one discriminated union per direction, parsed with safeParse.
 */

const dimension = z.number().int().min(1).max(1000);

/** Output the gateway sends beyond what the client acknowledged before it pauses the shell (flow control). */
export const OUTPUT_WINDOW_BYTES = 512 * 1024;
/** The gateway resumes a paused shell once unacknowledged (and unsent) output is at or below this. */
export const OUTPUT_RESUME_BYTES = 128 * 1024;
/** Longest `data` of one input message, in characters: a paste is split into several. */
export const MAX_INPUT_CHARS = 8192;

/** Browser to gateway. */
export const terminalClientMessage = z.discriminatedUnion("type", [
  /**
   * Keystrokes or a paste, numbered 1, 2, 3… per channel. The gateway handles each number once, in order: it writes
   * it (or refuses it, for a holder who may not type: a refused number is used up, never written later), and ignores
   * a number it has handled already (a resend after a reconnect). `encoding: "binary"` means each character is one
   * byte (xterm.js's onBinary); otherwise `data` is text, written as UTF-8.
   */
  z.object({
    type: z.literal("input"),
    seq: z.number().int().positive(),
    data: z.string().max(MAX_INPUT_CHARS),
    encoding: z.enum(["utf8", "binary"]).optional(),
  }),
  /** Every output byte up to `bytes` (counted from the channel's start) is on the screen. */
  z.object({ type: z.literal("ack"), bytes: z.number().int().nonnegative() }),
  /** The terminal's size changed; the shell sees the new size (SIGWINCH). */
  z.object({ type: z.literal("resize"), cols: dimension, rows: dimension }),
  /** Keep-alive; answered with `pong`. */
  z.object({ type: z.literal("ping"), id: z.number().int().nonnegative() }),
  /** The session's owner lets watchers type (or stops them); refused from anyone else. */
  z.object({ type: z.literal("share"), allowControl: z.boolean() }),
]);
export type TerminalClientMessage = z.infer<typeof terminalClientMessage>;

/** Someone connected to a session's terminals. */
export const terminalViewer = z.object({
  who: z.string(),
  role: z.enum(["owner", "instructor", "admin"]),
  /** Whether they can type now. */
  mode: z.enum(["write", "read"]),
  host: z.string(),
});
export type TerminalViewer = z.infer<typeof terminalViewer>;

/** Gateway to browser. */
export const terminalServerMessage = z.discriminatedUnion("type", [
  /**
   * The shell is attached; output follows as binary frames. `resumed`: the same channel as before this connection
   * (same client id, within the grace period), so output continues at byte `outputSeq` with nothing missed, and input
   * numbers up to `inputSeq` were handled. Otherwise a new channel: counting starts at 0 (a named terminal's screen is
   * redrawn; an unnamed one is a new shell).
   */
  z.object({
    type: z.literal("ready"),
    sessionId: z.string(),
    host: z.string(),
    mode: z.enum(["write", "read"]),
    resumed: z.boolean(),
    inputSeq: z.number().int().nonnegative(),
    outputSeq: z.number().int().nonnegative(),
    windowBytes: z.number().int().positive(),
  }),
  /** Input numbers up to `seq` are handled (written, or refused); the client may forget them. */
  z.object({ type: z.literal("input-ack"), seq: z.number().int().nonnegative() }),
  /** Whether this connection may type changed (the owner shared or took back control). */
  z.object({ type: z.literal("mode"), mode: z.enum(["write", "read"]) }),
  z.object({ type: z.literal("pong"), id: z.number().int().nonnegative() }),
  /**
   * Who is connected to the session's terminals (the owner appears as "owner"), and whether watchers may type. Sent
   * to every connection of the session on every change.
   */
  z.object({ type: z.literal("viewers"), viewers: z.array(terminalViewer), allowControl: z.boolean() }),
  /** The sandbox's lease: when it ends (ISO time, null for no limit). Sent on connect and when it changes. */
  z.object({ type: z.literal("lease"), expiresAt: z.string().nullable() }),
  /** The sandbox was removed (expired, idle, stopped); the socket closes after this. */
  z.object({ type: z.literal("ended"), reason: z.string() }),
  /** The shell ended; the socket closes after this. */
  z.object({ type: z.literal("exit"), exitCode: z.number().int().nullable() }),
  /** Something the user should see (a refused or malformed message); the socket stays open. */
  z.object({ type: z.literal("error"), code: z.enum(errorCodeList), message: z.string() }),
]);
export type TerminalServerMessage = z.infer<typeof terminalServerMessage>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; reason: string };

function parseJsonWith<T>(schema: z.ZodType<T>, text: string): ParseResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: z.prettifyError(parsed.error) };
  return { ok: true, message: parsed.data };
}

export const parseTerminalClientMessage = (text: string) => parseJsonWith(terminalClientMessage, text);
export const parseTerminalServerMessage = (text: string) => parseJsonWith(terminalServerMessage, text);

/** Largest binary frame (keystrokes, pastes) the gateway accepts in one message. */
export const MAX_INPUT_FRAME_BYTES = 64 * 1024;

/** Close code for a socket replaced by a newer one of the same client: the client must not reconnect it. */
export const WS_CLOSE_REPLACED = 4001;
