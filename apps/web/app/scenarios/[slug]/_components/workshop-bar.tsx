"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { HandIcon } from "../../../_components/hand-icon.tsx";

interface Message {
  id: number;
  text: string;
  at: string;
  event?: string;
}

const POLL_MS = 4000;

/**
 * In a workshop: the instructor's messages as they come, and a hand to raise (the console shows it, with the step).
 * Shows nothing for a visitor who joined no event with this scenario.
 */
export function WorkshopBar({ slug, step }: { slug: string; step: number }) {
  const [inEvent, setInEvent] = useState(false);
  const [raised, setRaised] = useState(false);
  const [messages, setMessages] = useState<Message[]>([]);
  const [dismissed, setDismissed] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const lastId = useRef(0);

  const poll = useCallback(async () => {
    try {
      const res = await fetch(`/api/events/messages?after=${lastId.current}`, { cache: "no-store" });
      if (!res.ok) return;
      const body = (await res.json()) as {
        messages: Message[];
        events: { scenarios: string[] }[];
        handsRaised: (string | null)[];
      };
      setInEvent(body.events.some((e) => e.scenarios.includes(slug)));
      setRaised(body.handsRaised.includes(slug));
      if (body.messages.length > 0) {
        lastId.current = body.messages.at(-1)?.id ?? lastId.current;
        setMessages((old) => [...old, ...body.messages].slice(-5));
      }
    } catch {
      // Offline for a moment: the next poll catches up.
    }
  }, [slug]);

  useEffect(() => {
    void poll();
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") void poll();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [poll]);

  async function toggleHand() {
    const res = await fetch("/api/events/hand", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ slug, step, raised: !raised }),
    });
    if (res.ok) {
      setRaised(!raised);
      setProblem(null);
    } else {
      const body = (await res.json().catch(() => undefined)) as { error?: { message: string } } | undefined;
      setProblem(body?.error?.message ?? "Your hand could not be raised.");
    }
  }

  const latest = messages.at(-1);
  if (!inEvent && !latest) return null;
  return (
    <div className="mt-3 space-y-2">
      {latest && latest.id > dismissed && (
        <div
          role="status"
          aria-live="polite"
          className="flex items-start gap-2 rounded-md bg-violet-50 px-3 py-2 text-sm text-violet-950 ring-1 ring-violet-200"
        >
          <p className="flex-1">
            <span className="font-semibold">Instructor{latest.event ? ` · ${latest.event}` : ""}:</span> {latest.text}
          </p>
          <button
            type="button"
            aria-label="Dismiss message"
            onClick={() => setDismissed(latest.id)}
            className="rounded px-1 text-violet-700 hover:bg-violet-100"
          >
            ×
          </button>
        </div>
      )}
      {inEvent && (
        <div className="flex items-center gap-2">
          <button
            type="button"
            aria-pressed={raised}
            onClick={toggleHand}
            className={`rounded-md px-3 py-1 text-sm font-semibold ring-1 focus-visible:outline-2 focus-visible:outline-sky-500 ${
              raised
                ? "bg-amber-400 text-amber-950 ring-amber-500"
                : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50"
            }`}
          >
            <HandIcon className="mr-1 inline h-4 w-4 align-[-3px]" />
            {raised ? "Hand raised: lower it" : "Raise hand"}
          </button>
          {raised && <span className="text-xs text-slate-600">Your instructor sees you are on step {step + 1}.</span>}
          {problem && <span className="text-xs text-red-700">{problem}</span>}
        </div>
      )}
    </div>
  );
}
