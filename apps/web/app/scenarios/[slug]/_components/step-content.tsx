"use client";

import type { KeyboardEvent, MouseEvent, RefObject } from "react";
import type { TerminalHandle } from "./terminal.tsx";

/**
 * A step's sanitized HTML (rendered on the server by @dockyard/scenario). Clicking or pressing Enter on an action
 * runs it: `execute` types the command into the terminal, `copy` puts it on the clipboard.
 */
export function StepContent({ html, terminal }: { html: string; terminal: RefObject<TerminalHandle | null> }) {
  const act = (target: EventTarget) => {
    const element = (target as HTMLElement).closest<HTMLElement>("[data-action]");
    if (!element) return false;
    const text = element.textContent ?? "";
    const action = element.dataset.action;
    if (action === "execute") {
      const ran = terminal.current?.run(text, {
        interrupt: element.dataset.interrupt !== undefined,
        newline: element.dataset.noNewline === undefined,
      });
      if (ran) element.setAttribute("data-ran", "");
    } else if (action === "copy") {
      void navigator.clipboard?.writeText(text).catch(() => undefined);
      element.setAttribute("data-ran", "");
    }
    return true;
  };
  const onClick = (event: MouseEvent) => {
    if (act(event.target)) event.preventDefault();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if ((event.key === "Enter" || event.key === " ") && act(event.target)) event.preventDefault();
  };
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: delegation; the actionable children are role=button with tabindex
    <div
      className="step-content mt-3"
      onClick={onClick}
      onKeyDown={onKeyDown}
      // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized by @dockyard/scenario renderMarkdown
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
