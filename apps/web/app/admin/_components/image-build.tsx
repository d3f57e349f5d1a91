"use client";

import { JobPanel } from "./job-panel.tsx";

/** Builds (or rebuilds) Dockyard's images with the build's lines shown as they come; catches up after a reload. */
export function ImageBuild() {
  return (
    <JobPanel
      endpoint="/api/admin/images/build"
      actions={[
        { label: "Build missing or changed", body: { rebuild: false }, primary: true },
        { label: "Rebuild all", body: { rebuild: true } },
      ]}
      runningText="Building…"
      doneText="Built"
      logLabel="Build output"
    />
  );
}
