import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { currentViewer } from "@/server/user.ts";
import { SignOutButton } from "./_components/auth-form.tsx";
import { THEME_SCRIPT, ThemeSwitch } from "./_components/theme-switch.tsx";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Dockyard", template: "%s · Dockyard" },
  description: "Hands-on labs in a real Linux sandbox, right in your browser.",
};

const navLink =
  "rounded-md px-2 py-1 text-sm text-slate-300 hover:bg-slate-800 hover:text-white focus-visible:outline-2 focus-visible:outline-sky-400";

export default async function RootLayout({ children }: { children: ReactNode }) {
  const account = (await currentViewer())?.account ?? null;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant of ours, run before the first paint */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="flex min-h-full flex-col bg-slate-50 font-sans text-slate-900 antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-1"
        >
          Skip to content
        </a>
        <header className="theme-fixed flex h-12 shrink-0 items-center gap-3 border-b border-slate-800 bg-dock-950 px-4 text-slate-100">
          <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
            <span
              aria-hidden
              className="grid h-7 w-7 place-items-center rounded-md bg-sky-500 text-sm font-bold text-white"
            >
              D
            </span>
            Dockyard
          </Link>
          <span className="hidden text-sm text-slate-400 sm:inline">hands-on labs</span>
          <nav aria-label="Account" className="ml-auto flex items-center gap-1">
            <ThemeSwitch />
            {account && account.role !== "attendee" && (
              <Link href="/instructor" className={navLink}>
                Events
              </Link>
            )}
            {account && account.role === "admin" && (
              <Link href="/admin" className={navLink}>
                Admin
              </Link>
            )}
            {account ? (
              <>
                <Link
                  href="/account"
                  className="hidden rounded-md px-2 py-1 text-sm text-slate-400 hover:bg-slate-800 hover:text-white md:inline"
                  data-testid="signed-in-as"
                  title="Your account"
                >
                  {account.displayName ?? account.email}
                </Link>
                <SignOutButton />
              </>
            ) : (
              <>
                <Link href="/sign-in" className={navLink}>
                  Sign in
                </Link>
                <Link
                  href="/sign-up"
                  className="rounded-md bg-sky-600 px-2.5 py-1 text-sm font-semibold text-white hover:bg-sky-500"
                >
                  Create account
                </Link>
              </>
            )}
          </nav>
        </header>
        <div id="main" className="flex flex-1 flex-col">
          {children}
        </div>
      </body>
    </html>
  );
}
