import type { Metadata } from "next";
import { AuditLog } from "../_components/audit-log.tsx";

export const metadata: Metadata = { title: "Audit log · Admin" };

export default function AdminAuditPage() {
  return <AuditLog />;
}
