import type { ReactNode } from "react";
import { requirePageRole } from "@/server/guards.ts";
import { AdminTabs } from "./_components/admin-tabs.tsx";

export const dynamic = "force-dynamic";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requirePageRole("admin");
  return (
    <main className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight">Admin</h1>
      <AdminTabs />
      {children}
    </main>
  );
}
