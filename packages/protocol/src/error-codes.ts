/**
 * Dockyard's stable error codes, one table for every transport: each code maps to an HTTP status and a WebSocket
 * close code (4000-4999 is the application range).
 */
export const errorCodes = {
  BAD_REQUEST: { http: 400, ws: 4400, message: "The request is malformed." },
  UNAUTHENTICATED: { http: 401, ws: 4401, message: "Sign-in or a valid token is required." },
  FORBIDDEN: { http: 403, ws: 4403, message: "You may not use this resource." },
  NOT_FOUND: { http: 404, ws: 4404, message: "No such resource." },
  CONFLICT: { http: 409, ws: 4409, message: "The resource is in a conflicting state." },
  SCENARIO_INVALID: { http: 422, ws: 4422, message: "The scenario has errors." },
  LIMIT_REACHED: { http: 429, ws: 4429, message: "A limit was reached; try again later." },
  TIMEOUT: { http: 504, ws: 4504, message: "The operation took too long." },
  DOCKER_UNAVAILABLE: { http: 503, ws: 4503, message: "The Docker engine does not answer." },
  NOT_READY: { http: 503, ws: 4513, message: "Dockyard is still starting; try again in a moment." },
  SANDBOX_FAILED: { http: 502, ws: 4502, message: "The sandbox could not be created or reached." },
  INTERNAL: { http: 500, ws: 4500, message: "Something went wrong inside Dockyard." },
} as const satisfies Record<string, { http: number; ws: number; message: string }>;

export type ErrorCode = keyof typeof errorCodes;

export const errorCodeList = Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]];

/** An expected failure as a value: a stable code and a message a person can act on. */
export interface DockyardError {
  code: ErrorCode;
  message: string;
  /** LIMIT_REACHED: when trying again may succeed. */
  retryAfterSeconds?: number;
}

/** The result of an operation that can fail in an expected way. */
export type Result<T, E = DockyardError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E = DockyardError>(error: E): Result<never, E> => ({ ok: false, error });

export function dockyardError(code: ErrorCode, message?: string): DockyardError {
  return { code, message: message ?? errorCodes[code].message };
}

export function httpStatusOf(code: ErrorCode): number {
  return errorCodes[code].http;
}

export function wsCloseCodeOf(code: ErrorCode): number {
  return errorCodes[code].ws;
}

/** The code behind a WebSocket close code, if it is one of ours. */
export function errorCodeOfWsClose(closeCode: number): ErrorCode | undefined {
  return errorCodeList.find((code) => errorCodes[code].ws === closeCode);
}
