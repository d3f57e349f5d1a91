import type { Db } from "./client.ts";
import { textContains } from "./text-contains.ts";

export interface AuditActor {
  id: string;
  email: string;
  role: string;
}

export interface AuditView {
  id: number;
  createdAt: Date;
  actorId: string | null;
  actorEmail: string;
  actorRole: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

/** Records an admin's or instructor's action. */
export async function recordAudit(
  db: Db,
  actor: AuditActor,
  action: string,
  target: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await db.auditEntry.create({
    data: {
      actorId: actor.id,
      actorEmail: actor.email,
      actorRole: actor.role,
      action,
      target,
      detail: JSON.stringify(detail),
    },
  });
}

/** The newest entries first, optionally those before an id (paging) or matching a part of actor, action or target. */
export async function listAudit(
  db: Db,
  options: { before?: number; query?: string; take?: number } = {},
): Promise<AuditView[]> {
  const q = options.query?.trim();
  const rows = await db.auditEntry.findMany({
    where: {
      ...(options.before ? { id: { lt: options.before } } : {}),
      ...(q
        ? {
            OR: [{ actorEmail: textContains(db, q) }, { action: textContains(db, q) }, { target: textContains(db, q) }],
          }
        : {}),
    },
    orderBy: { id: "desc" },
    take: options.take ?? 100,
  });
  return rows.map((row) => {
    let detail: Record<string, unknown> = {};
    try {
      detail = JSON.parse(row.detail) as Record<string, unknown>;
    } catch {
      // Written by this module only; an unreadable one shows as empty.
    }
    return { ...row, detail };
  });
}
