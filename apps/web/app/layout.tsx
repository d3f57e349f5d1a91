import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Dockyard", template: "%s · Dockyard" },
  description: "Hands-on labs in a real Linux sandbox, right in your browser.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="flex min-h-full flex-col bg-slate-50 font-sans text-slate-900 antialiased">
        <header className="flex h-12 shrink-0 items-center gap-3 border-b border-slate-800 bg-dock-950 px-4 text-slate-100">
          <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
            <span
              aria-hidden
              className="grid h-7 w-7 place-items-center rounded-md bg-sky-500 text-sm font-bold text-white"
            >
              D
            </span>
            Dockyard
          </Link>
          <span className="text-sm text-slate-400">hands-on labs</span>
        </header>
        {children}
      </body>
    </html>
  );
}
