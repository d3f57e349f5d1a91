import type { Metadata } from "next";
import { Sandboxes } from "./_components/sandboxes.tsx";

export const metadata: Metadata = { title: "Sandboxes · Admin" };

export default function AdminSandboxesPage() {
  return <Sandboxes />;
}
