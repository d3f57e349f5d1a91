"use client";

import { useEffect, useState } from "react";

type Choice = "system" | "light" | "dark";
const KEY = "dockyard.theme";
const NEXT: Record<Choice, Choice> = { system: "light", light: "dark", dark: "system" };

/** Sets the page's theme before it paints (no flash of the wrong one); the layout inlines it in <head>. */
export const THEME_SCRIPT = `(()=>{try{var t=localStorage.getItem("${KEY}");var d=t==="dark"||(t!=="light"&&matchMedia("(prefers-color-scheme: dark)").matches);document.documentElement.dataset.theme=d?"dark":"light"}catch(e){}})()`;

function apply(choice: Choice) {
  const dark = choice === "dark" || (choice === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

/** Light, dark, or the system's: a button that cycles, remembered in this browser. */
export function ThemeSwitch() {
  const [choice, setChoice] = useState<Choice>("system");
  useEffect(() => {
    const saved = window.localStorage.getItem(KEY);
    const initial: Choice = saved === "light" || saved === "dark" ? saved : "system";
    setChoice(initial);
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const follow = () => {
      if ((window.localStorage.getItem(KEY) ?? "system") === "system") apply("system");
    };
    media.addEventListener("change", follow);
    return () => media.removeEventListener("change", follow);
  }, []);
  const label = { system: "Theme: system", light: "Theme: light", dark: "Theme: dark" }[choice];
  return (
    <button
      type="button"
      aria-label={`${label} (change)`}
      title={label}
      onClick={() => {
        const next = NEXT[choice];
        if (next === "system") window.localStorage.removeItem(KEY);
        else window.localStorage.setItem(KEY, next);
        setChoice(next);
        apply(next);
      }}
      className="rounded-md px-2 py-1 text-sm text-slate-300 hover:bg-slate-800 hover:text-white focus-visible:outline-2 focus-visible:outline-sky-400"
    >
      <span aria-hidden>{choice === "dark" ? "☾" : choice === "light" ? "☀" : "◐"}</span>
      <span className="ml-1 hidden lg:inline">
        {choice === "system" ? "Auto" : choice === "dark" ? "Dark" : "Light"}
      </span>
    </button>
  );
}
