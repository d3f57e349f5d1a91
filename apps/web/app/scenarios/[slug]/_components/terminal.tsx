"use client";

import { type ConnectionState, TerminalClient, type TerminalViewer } from "@dockyard/protocol";
import type { Terminal as XTerm } from "@xterm/xterm";
import { type Ref, useEffect, useImperativeHandle, useRef, useState } from "react";

export interface RunOptions {
  interrupt?: boolean;
  newline?: boolean;
}

/** What the instructions can do with the terminal. */
export interface TerminalHandle {
  run(command: string, options?: RunOptions): boolean;
  focus(): void;
}

/** A window event with the sandbox's new end (ISO) whenever the gateway sends one; the lease clock listens. */
export const LEASE_EVENT = "dockyard:lease";

const SCREEN_READER_KEY = "dockyard.screenReader";
/** `dom` keeps the DOM renderer even where WebGL works (for a GPU that draws badly, and for tests that read rows). */
const RENDERER_KEY = "dockyard.renderer";

function gatewaySocketUrl(
  token: { token: string; gatewayUrl: string | null; gatewayPort: number },
  query: Record<string, string | number | undefined>,
) {
  const base =
    token.gatewayUrl ??
    `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.hostname}:${token.gatewayPort}`;
  const params = new URLSearchParams({ token: token.token });
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  return `${base}/terminal?${params}`;
}

const isMac = () =>
  typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/**
 * Copy and paste that work on every system: Ctrl+Shift+C / Ctrl+Shift+V and Ctrl+Insert / Shift+Insert (Linux,
 * Windows), Cmd+C / Cmd+V (macOS), and Ctrl+C while text is selected. Returns false for keys the browser handles
 * (its paste event reaches xterm.js), true for keys the shell should get.
 */
function clipboardKeys(xterm: XTerm) {
  return (event: KeyboardEvent): boolean => {
    if (event.type !== "keydown") return true;
    const key = event.key.toLowerCase();
    const copy = () => {
      if (!xterm.hasSelection()) return;
      void navigator.clipboard?.writeText(xterm.getSelection()).catch(() => undefined);
    };
    if ((event.ctrlKey && event.shiftKey && key === "c") || (event.ctrlKey && key === "insert")) {
      copy();
      event.preventDefault();
      return false;
    }
    if (event.ctrlKey && !event.shiftKey && key === "c" && xterm.hasSelection()) {
      copy();
      xterm.clearSelection();
      event.preventDefault();
      return false;
    }
    if (isMac() && event.metaKey && (key === "c" || key === "v")) return false;
    // Let the browser paste (its paste event reaches xterm.js) instead of sending ^V or an escape sequence.
    if ((event.ctrlKey && event.shiftKey && key === "v") || (event.shiftKey && key === "insert")) return false;
    return true;
  };
}

/**
 * Fetches the terminal's code ahead of need (the lab page calls it when it loads), so that pressing Start only waits
 * for the sandbox.
 */
export function preloadTerminal(): void {
  void Promise.all([
    import("@xterm/xterm"),
    import("@xterm/addon-fit"),
    import("@xterm/addon-web-links"),
    import("@xterm/addon-webgl"),
  ]).catch(() => undefined);
}

/** xterm.js attached to a shell in the sandbox over the gateway's WebSocket. Loads client-side only. */
export function Terminal({
  sessionId,
  host,
  name,
  ref,
  onGone,
  tokenUrl,
  watching = false,
}: {
  sessionId: string;
  /** The host of the session the shell runs on. */
  host: string;
  /** The shell's name in the sandbox: the same name after a reload or a dropped connection is the same shell. */
  name?: string;
  ref: Ref<TerminalHandle>;
  /** The sandbox no longer exists (stopped elsewhere, removed, the host rebooted). */
  onGone: (message: string) => void;
  /** Where to ask for a token (POST); the owner's route for this session and host by default. */
  tokenUrl?: string;
  /** An instructor or admin looking at someone else's terminal: it says whether they may type. */
  watching?: boolean;
}) {
  const container = useRef<HTMLDivElement>(null);
  const goneRef = useRef(onGone);
  goneRef.current = onGone;
  const tokenUrlRef = useRef(tokenUrl);
  tokenUrlRef.current = tokenUrl;
  const [mode, setMode] = useState<"read" | "write">("write");
  const client = useRef<TerminalClient | null>(null);
  const term = useRef<XTerm | null>(null);
  const [status, setStatus] = useState<ConnectionState>("connecting");
  const [problem, setProblem] = useState<string | null>(null);
  const [viewers, setViewers] = useState<TerminalViewer[]>([]);
  const [allowControl, setAllowControl] = useState(false);
  const [screenReader, setScreenReader] = useState(false);

  useImperativeHandle(ref, () => ({
    run(command, options = {}) {
      const c = client.current;
      if (!c || c.connectionState === "closed") return false;
      // Typed while reconnecting, it is kept and sent once the connection is back.
      if (options.interrupt) c.input("\x03");
      c.input(options.newline === false ? command : `${command}\r`);
      term.current?.focus();
      return true;
    },
    focus() {
      term.current?.focus();
    },
  }));

  useEffect(() => {
    setScreenReader(window.localStorage.getItem(SCREEN_READER_KEY) === "on");
  }, []);

  useEffect(() => {
    if (term.current) term.current.options.screenReaderMode = screenReader;
  }, [screenReader]);

  useEffect(() => {
    let disposed = false;
    const cleanups: (() => void)[] = [];

    (async () => {
      const [{ Terminal: XTermCtor }, { FitAddon }, { WebLinksAddon }] = await Promise.all([
        import("@xterm/xterm"),
        import("@xterm/addon-fit"),
        import("@xterm/addon-web-links"),
      ]);
      if (disposed || !container.current) return;
      const xterm = new XTermCtor({
        cursorBlink: true,
        fontFamily: '"DejaVu Sans Mono", "Cascadia Code", Menlo, Consolas, monospace',
        fontSize: 14,
        scrollback: 5000,
        screenReaderMode: window.localStorage.getItem(SCREEN_READER_KEY) === "on",
        macOptionIsMeta: true,
        theme: { background: "#0b1220", foreground: "#e2e8f0", cursor: "#38bdf8", selectionBackground: "#334155" },
      });
      const fit = new FitAddon();
      xterm.loadAddon(fit);
      // Links open in a new tab, never with access to this page.
      xterm.loadAddon(
        new WebLinksAddon((event, uri) => {
          event.preventDefault();
          window.open(uri, "_blank", "noopener,noreferrer");
        }),
      );
      xterm.open(container.current);
      container.current.dataset.renderer = "dom";
      // The GPU renderer where the browser has WebGL; the DOM renderer where it has not, or loses its context.
      const wantWebgl = window.localStorage.getItem(RENDERER_KEY) !== "dom";
      (wantWebgl ? import("@xterm/addon-webgl") : Promise.reject(new Error("DOM renderer chosen")))
        .then(({ WebglAddon }) => {
          if (disposed) return;
          const webgl = new WebglAddon();
          webgl.onContextLoss(() => {
            webgl.dispose();
            if (container.current) container.current.dataset.renderer = "dom";
          });
          xterm.loadAddon(webgl);
          if (container.current) container.current.dataset.renderer = "webgl";
        })
        .catch(() => undefined);
      fit.fit();
      term.current = xterm;
      cleanups.push(() => xterm.dispose());
      xterm.attachCustomKeyEventHandler(clipboardKeys(xterm));

      const connection = new TerminalClient({
        dial: async (resume) => {
          let res: Response;
          try {
            res = await fetch(
              tokenUrlRef.current ?? `/api/sessions/${sessionId}/terminal-token?host=${encodeURIComponent(host)}`,
              { method: "POST" },
            );
          } catch {
            return { ok: false, retry: true, message: "The network is unreachable." };
          }
          if (!res.ok) {
            const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
            const message = body?.error?.message ?? "The terminal could not connect.";
            return { ok: false, message, gone: res.status === 404, retry: res.status >= 500 };
          }
          const token = (await res.json()) as { token: string; gatewayUrl: string | null; gatewayPort: number };
          const url = gatewaySocketUrl(token, {
            cols: xterm.cols,
            rows: xterm.rows,
            name,
            client: resume.client,
            received: resume.received,
          });
          return { ok: true, socket: new WebSocket(url) };
        },
        write: (bytes, done) => xterm.write(bytes, done),
        onState: (state, why) => {
          setStatus(state);
          setProblem(why);
        },
        onMessage: (message) => {
          if (message.type === "ready") {
            xterm.options.disableStdin = message.mode === "read";
            setMode(message.mode);
            xterm.focus();
          } else if (message.type === "mode") {
            xterm.options.disableStdin = message.mode === "read";
            setMode(message.mode);
          } else if (message.type === "viewers") {
            setViewers(message.viewers.filter((v) => v.role !== "owner"));
            setAllowControl(message.allowControl);
          } else if (message.type === "exit") {
            xterm.write("\r\n\x1b[2m[shell exited: a new one opens]\x1b[0m\r\n");
          } else if (message.type === "error") {
            setProblem(message.message);
          } else if (message.type === "lease" && message.expiresAt) {
            // Extended elsewhere (another tab, another web server): the countdown follows.
            window.dispatchEvent(new CustomEvent(LEASE_EVENT, { detail: message.expiresAt }));
          }
        },
        onGone: (message) => goneRef.current(message),
      });
      client.current = connection;
      cleanups.push(() => {
        connection.dispose();
        client.current = null;
      });

      const input = xterm.onData((data) => connection.input(data));
      const binary = xterm.onBinary((data) => connection.input(data, "binary"));
      connection.resize(xterm.cols, xterm.rows);
      const resize = xterm.onResize(({ cols, rows }) => connection.resize(cols, rows));
      cleanups.push(
        () => input.dispose(),
        () => binary.dispose(),
        () => resize.dispose(),
      );

      const observer = new ResizeObserver(() => {
        try {
          fit.fit();
        } catch {
          // The element is hidden; the next resize fits it.
        }
      });
      observer.observe(container.current);
      cleanups.push(() => observer.disconnect());

      // Back from sleep or offline: try again at once instead of waiting for a reload.
      const wake = () => {
        if (document.visibilityState === "visible") connection.reconnect();
      };
      window.addEventListener("online", wake);
      document.addEventListener("visibilitychange", wake);
      cleanups.push(() => {
        window.removeEventListener("online", wake);
        document.removeEventListener("visibilitychange", wake);
      });

      connection.start();
    })();

    return () => {
      disposed = true;
      term.current = null;
      for (const cleanup of cleanups.reverse()) cleanup();
    };
  }, [sessionId, host, name]);

  const toggleScreenReader = () => {
    const next = !screenReader;
    window.localStorage.setItem(SCREEN_READER_KEY, next ? "on" : "off");
    setScreenReader(next);
  };

  const label =
    status === "connected"
      ? "Connected"
      : status === "connecting"
        ? "Connecting…"
        : status === "reconnecting"
          ? "Reconnecting…"
          : "Disconnected";
  const dot =
    status === "connected" ? "bg-emerald-400" : status === "closed" ? "bg-rose-400" : "animate-pulse bg-amber-400";

  return (
    <section aria-label="Terminal" className="absolute inset-0 flex flex-col">
      <div ref={container} data-testid="xterm-host" className="min-h-0 flex-1 p-2" />
      <div className="flex h-7 shrink-0 items-center gap-3 border-t border-slate-800 bg-slate-900/80 px-3 text-xs text-slate-400">
        <span role="status" aria-live="polite" data-testid="connection-state" className="flex items-center gap-1.5">
          <span aria-hidden className={`h-2 w-2 rounded-full ${dot}`} />
          <span className={status === "connected" ? "" : "text-slate-200"}>{label}</span>
          {problem && status !== "connected" ? <span className="text-amber-200">— {problem}</span> : null}
        </span>
        {status === "closed" && (
          <button
            type="button"
            onClick={() => client.current?.reconnect()}
            className="rounded border border-slate-600 px-2 py-0.5 text-slate-100 hover:bg-slate-700"
          >
            Reconnect
          </button>
        )}
        {watching && (
          <span
            data-testid="watch-mode"
            className={`rounded-full px-2 py-0.5 ring-1 ${mode === "read" ? "bg-slate-800 text-slate-200 ring-slate-600" : "bg-emerald-900/60 text-emerald-100 ring-emerald-700"}`}
          >
            {mode === "read" ? "Read-only: the attendee has not let you type" : "You can type: the attendee allowed it"}
          </span>
        )}
        {!watching && viewers.length > 0 && (
          <span
            data-testid="watchers"
            className="flex items-center gap-2 rounded-full bg-sky-900/60 px-2 py-0.5 text-sky-100 ring-1 ring-sky-700"
          >
            <svg
              aria-hidden
              viewBox="0 0 16 16"
              className="h-3.5 w-3.5"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.5"
            >
              <path d="M1 8s2.5-5 7-5 7 5 7 5-2.5 5-7 5-7-5-7-5Z" />
              <circle cx="8" cy="8" r="2" />
            </svg>
            Watched by{" "}
            {viewers.map((v) => `${v.who} (${v.role}${v.mode === "write" ? ", can type" : ", read-only"})`).join(", ")}
            <label className="flex items-center gap-1 text-slate-300">
              <input
                type="checkbox"
                checked={allowControl}
                onChange={(event) => {
                  // Shown at once; the gateway's next viewers message confirms it.
                  setAllowControl(event.target.checked);
                  client.current?.share(event.target.checked);
                }}
              />
              Let them type
            </label>
          </span>
        )}
        <button
          type="button"
          aria-pressed={screenReader}
          onClick={toggleScreenReader}
          title="Makes the terminal's text available to screen readers"
          className="ml-auto rounded px-1.5 py-0.5 hover:bg-slate-800 hover:text-slate-200"
        >
          Screen reader {screenReader ? "on" : "off"}
        </button>
      </div>
    </section>
  );
}
