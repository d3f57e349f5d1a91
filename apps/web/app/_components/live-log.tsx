"use client";

import { useEffect, useRef } from "react";

/** A job's output as it comes (a build, a test): kept scrolled to the newest line, read out by screen readers. */
export function LiveLog({
  lines,
  label,
  className = "max-h-64",
}: {
  lines: string[];
  label: string;
  className?: string;
}) {
  const log = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  });
  return (
    <pre
      ref={log}
      role="log"
      aria-label={label}
      className={`theme-fixed mt-2 overflow-auto rounded-lg bg-dock-950 p-3 font-mono text-xs text-slate-200 ${className}`}
    >
      {lines.join("\n")}
    </pre>
  );
}
