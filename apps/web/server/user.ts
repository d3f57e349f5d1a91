import "server-only";
import { cookies } from "next/headers";

export const USER_COOKIE = "dockyard_uid";
export const USER_ID_PATTERN = /^[a-f0-9-]{36}$/;

/**
 * The visitor's id. Until accounts exist (issue 6), every browser gets an unguessable random id in an httpOnly
 * cookie, set by proxy.ts on the first request.
 */
export async function currentUserId(): Promise<string | undefined> {
  const value = (await cookies()).get(USER_COOKIE)?.value;
  return value && USER_ID_PATTERN.test(value) ? value : undefined;
}
