import type { Metadata } from "next";
import { listEngines } from "@/server/gateway-client.ts";
import { Engines } from "../_components/engines.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Engines · Admin" };

/** The Docker engines sandboxes are placed on: their state, sandboxes and capacity; register, change, remove. */
export default async function EnginesPage() {
  const engines = await listEngines();
  return (
    <Engines initial={engines.ok ? engines.value.engines : []} problem={engines.ok ? null : engines.error.message} />
  );
}
