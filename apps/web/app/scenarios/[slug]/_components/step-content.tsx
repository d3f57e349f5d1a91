"use client";

import { controlSequence } from "@dockyard/scenario/control-sequence";
import type { KeyboardEvent, MouseEvent } from "react";
import type { RunOptions } from "./terminal.tsx";

/** A terminal of the sandbox: shell number `terminal` on host number `host` (both 1-based, as `T2` and `HOST2`). */
export interface TerminalTarget {
  host: number;
  terminal: number;
}

/** How typing a command went: ran, or why not. */
export type RunOutcome = "ran" | "no-sandbox" | "no-host" | "not-connected";

/**
 * A step's sanitized HTML (rendered on the server by @dockyard/scenario). Clicking or pressing Enter on an action
 * runs it: `execute` types the command into the terminal, `copy` puts it on the clipboard.
 */
export function StepContent({
  html,
  run,
  onNotice,
  onFileBlock,
}: {
  html: string;
  /** Types a command into a terminal (opened if absent). */
  run: (target: TerminalTarget, text: string, options: RunOptions) => Promise<RunOutcome>;
  /** Tells the learner why an action did nothing. */
  onNotice: (message: string) => void;
  /** Writes a file block into the sandbox; resolves whether it did. */
  onFileBlock: (block: { filename: string; target: string; marker?: string; content: string }) => Promise<boolean>;
}) {
  const act = (target: EventTarget) => {
    const element = (target as HTMLElement).closest<HTMLElement>("[data-action]");
    if (!element) return copyInlineCode(target as HTMLElement);
    const text = element.textContent ?? "";
    const action = element.dataset.action;
    if (action === "execute") {
      const ctrlSeq = element.dataset.ctrlSeq !== undefined;
      const target = {
        host: Number(element.dataset.host ?? 1) || 1,
        terminal: Number(element.dataset.terminal ?? 1) || 1,
      };
      void run(target, ctrlSeq ? controlSequence(text) : text, {
        interrupt: element.dataset.interrupt !== undefined,
        newline: !ctrlSeq && element.dataset.noNewline === undefined,
      }).then((outcome) => {
        if (outcome === "ran") element.setAttribute("data-ran", "");
        else onNotice(RUN_PROBLEMS[outcome](target));
      });
    } else if (action === "copy") {
      void copyText(text).then((copied) => {
        if (copied) element.setAttribute("data-ran", "");
        else onNotice("This browser did not allow copying; select the text and copy it yourself.");
      });
    } else if (action === "file") {
      const { filename = "", target = "replace", marker } = element.dataset;
      void onFileBlock({ filename, target, marker, content: element.textContent ?? "" }).then((wrote) => {
        if (wrote) element.setAttribute("data-ran", "");
      });
    } else if (action === "open") {
      onNotice("Opening files in an editor is not available yet.");
    }
    return true;
  };
  // Killercoda: plain single-line inline code copies on click (not inside a code block, not marked `{{}}`).
  const copyInlineCode = (target: HTMLElement) => {
    const code = target.closest("code");
    if (!code || code.closest("pre") || code.hasAttribute("data-no-copy") || code.hasAttribute("data-action")) {
      return false;
    }
    const text = code.textContent ?? "";
    if (text.includes("\n")) return false;
    void copyText(text).then((copied) => onNotice(copied ? `Copied: ${text}` : "This browser did not allow copying."));
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

const RUN_PROBLEMS: Record<Exclude<RunOutcome, "ran">, (target: TerminalTarget) => string> = {
  "no-sandbox": () => "Start the sandbox first: commands run in its terminal.",
  "no-host": (t) => `This command is for host ${t.host}, and this scenario's sandbox has no host ${t.host}.`,
  "not-connected": () => "The terminal is not connected yet; try again in a moment.",
};

/** The async clipboard where the page is a secure context; the old selection-based copy elsewhere (plain http). */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    return copied;
  }
}
