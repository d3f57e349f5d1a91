import "server-only";
import { type Account, recordAudit } from "@dockyard/db";
import { db } from "./db.ts";
import { log } from "./log.ts";

/** Records an admin's or instructor's action in the audit log (and the structured log). */
export async function audit(actor: Account, action: string, target: string, detail: Record<string, unknown> = {}) {
  await recordAudit(db(), { id: actor.id, email: actor.email, role: actor.role }, action, target, detail);
  log("info", "audit", { actor: actor.email, role: actor.role, action, target, ...detail });
}
