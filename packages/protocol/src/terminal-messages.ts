import { z } from "zod";
import { errorCodeList } from "./error-codes.ts";

/**
 * The terminal WebSocket. Terminal bytes travel as binary frames in both directions (keystrokes up, output down);
 * control messages travel as JSON text frames, one discriminated union per direction, parsed with safeParse.
 */

const dimension = z.number().int().min(1).max(1000);

/** Browser to gateway. */
export const terminalClientMessage = z.discriminatedUnion("type", [
  /** The terminal's size changed; the shell sees the new size (SIGWINCH). */
  z.object({ type: z.literal("resize"), cols: dimension, rows: dimension }),
  /** Keep-alive; answered with `pong`. */
  z.object({ type: z.literal("ping"), id: z.number().int().nonnegative() }),
]);
export type TerminalClientMessage = z.infer<typeof terminalClientMessage>;

/** Gateway to browser. */
export const terminalServerMessage = z.discriminatedUnion("type", [
  /** The shell is attached; output follows as binary frames. */
  z.object({ type: z.literal("ready"), sessionId: z.string(), host: z.string() }),
  z.object({ type: z.literal("pong"), id: z.number().int().nonnegative() }),
  /** The shell ended; the socket closes after this. */
  z.object({ type: z.literal("exit"), exitCode: z.number().int().nullable() }),
  /** A failure the user should see; the socket may close after this with the matching close code. */
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

/** Largest text frame the gateway accepts; control messages are tiny. */
export const MAX_CONTROL_FRAME_BYTES = 4096;
/** Largest binary frame (keystrokes, pastes) the gateway accepts in one message. */
export const MAX_INPUT_FRAME_BYTES = 64 * 1024;
