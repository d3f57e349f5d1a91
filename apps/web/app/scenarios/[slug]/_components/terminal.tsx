"use client";

import { parseTerminalServerMessage } from "@dockyard/protocol";
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

type Status = "connecting" | "connected" | "reconnecting" | "closed";

const encoder = new TextEncoder();
const MAX_RETRIES = 5;

function gatewaySocketUrl(
  token: string,
  gatewayUrl: string | null,
  gatewayPort: number,
  cols: number,
  rows: number,
  name: string | undefined,
) {
  const base =
    gatewayUrl ??
    `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.hostname}:${gatewayPort}`;
  const named = name ? `&name=${encodeURIComponent(name)}` : "";
  return `${base}/terminal?token=${encodeURIComponent(token)}&cols=${cols}&rows=${rows}${named}`;
}

/** xterm.js attached to a shell in the sandbox over the gateway's WebSocket. Loads client-side only. */
export function Terminal({
  sessionId,
  host,
  name,
  ref,
  onGone,
}: {
  sessionId: string;
  /** The host of the session the shell runs on. */
  host: string;
  /** The shell's name in the sandbox: the same name after a reload or a dropped connection is the same shell. */
  name?: string;
  ref: Ref<TerminalHandle>;
  /** The sandbox no longer exists (stopped elsewhere, removed, the host rebooted). */
  onGone: (message: string) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const reconnect = useRef<() => void>(() => undefined);
  const goneRef = useRef(onGone);
  goneRef.current = onGone;
  const socket = useRef<WebSocket | null>(null);
  const term = useRef<XTerm | null>(null);
  const [status, setStatus] = useState<Status>("connecting");
  const [problem, setProblem] = useState<string | null>(null);

  useImperativeHandle(ref, () => ({
    run(command, options = {}) {
      const ws = socket.current;
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      if (options.interrupt) ws.send(encoder.encode("\x03"));
      ws.send(encoder.encode(options.newline === false ? command : `${command}\r`));
      term.current?.focus();
      return true;
    },
    focus() {
      term.current?.focus();
    },
  }));

  useEffect(() => {
    let disposed = false;
    let retries = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const cleanups: (() => void)[] = [];

    (async () => {
      const [{ Terminal: XTermCtor }, { FitAddon }] = await Promise.all([
        import("@xterm/xterm"),
        import("@xterm/addon-fit"),
      ]);
      if (disposed || !container.current) return;
      const xterm = new XTermCtor({
        cursorBlink: true,
        fontFamily: '"DejaVu Sans Mono", "Cascadia Code", Menlo, Consolas, monospace',
        fontSize: 14,
        scrollback: 5000,
        theme: { background: "#0b1220", foreground: "#e2e8f0", cursor: "#38bdf8", selectionBackground: "#334155" },
      });
      const fit = new FitAddon();
      xterm.loadAddon(fit);
      xterm.open(container.current);
      fit.fit();
      term.current = xterm;
      cleanups.push(() => xterm.dispose());

      // Copy with Ctrl+Shift+C (or Ctrl+C while text is selected). Pasting (Ctrl+V, Ctrl+Shift+V, the context menu)
      // is the browser's own paste event, which xterm handles.
      xterm.attachCustomKeyEventHandler((event) => {
        if (event.type !== "keydown") return true;
        const key = event.key.toLowerCase();
        if (event.ctrlKey && key === "c" && (event.shiftKey || xterm.hasSelection())) {
          void navigator.clipboard?.writeText(xterm.getSelection()).catch(() => undefined);
          if (!event.shiftKey) xterm.clearSelection();
          return false;
        }
        return true;
      });

      const input = xterm.onData((data) => {
        const ws = socket.current;
        if (ws?.readyState === WebSocket.OPEN) ws.send(encoder.encode(data));
      });
      const resize = xterm.onResize(({ cols, rows }) => {
        const ws = socket.current;
        if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "resize", cols, rows }));
      });
      cleanups.push(
        () => input.dispose(),
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

      const connect = async () => {
        if (disposed) return;
        let token: { token: string; gatewayUrl: string | null; gatewayPort: number };
        try {
          const res = await fetch(`/api/sessions/${sessionId}/terminal-token?host=${encodeURIComponent(host)}`, {
            method: "POST",
          });
          if (!res.ok) {
            const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
            const message = body?.error?.message ?? "The terminal could not connect.";
            if (res.status === 404) return goneRef.current(message);
            if (res.status >= 500) return scheduleRetry();
            setProblem(message);
            setStatus("closed");
            return;
          }
          token = await res.json();
        } catch {
          return scheduleRetry();
        }
        if (disposed) return;
        const ws = new WebSocket(
          gatewaySocketUrl(token.token, token.gatewayUrl, token.gatewayPort, xterm.cols, xterm.rows, name),
        );
        ws.binaryType = "arraybuffer";
        socket.current = ws;
        ws.onmessage = (event) => {
          if (event.data instanceof ArrayBuffer) {
            xterm.write(new Uint8Array(event.data));
            return;
          }
          const parsed = parseTerminalServerMessage(String(event.data));
          if (!parsed.ok) return;
          const message = parsed.message;
          if (message.type === "ready") {
            retries = 0;
            setStatus("connected");
            setProblem(null);
            xterm.focus();
          } else if (message.type === "exit") {
            xterm.write("\r\n\x1b[2m[shell exited: reconnecting opens a new one]\x1b[0m\r\n");
          } else if (message.type === "error") {
            setProblem(message.message);
          }
        };
        ws.onclose = () => {
          if (socket.current === ws) socket.current = null;
          if (!disposed) scheduleRetry();
        };
      };

      const scheduleRetry = () => {
        if (disposed) return;
        if (retries >= MAX_RETRIES) {
          setStatus("closed");
          setProblem((p) => p ?? "The terminal lost its connection.");
          return;
        }
        retries += 1;
        setStatus("reconnecting");
        retryTimer = setTimeout(connect, Math.min(500 * 2 ** retries, 8000));
      };

      reconnect.current = () => {
        if (disposed || socket.current) return;
        retries = 0;
        clearTimeout(retryTimer);
        setStatus("connecting");
        void connect();
      };
      // Back from sleep or offline: try again at once instead of waiting for a reload.
      const wake = () => {
        if (document.visibilityState === "visible" && !socket.current) reconnect.current();
      };
      window.addEventListener("online", wake);
      document.addEventListener("visibilitychange", wake);
      cleanups.push(() => {
        window.removeEventListener("online", wake);
        document.removeEventListener("visibilitychange", wake);
      });

      await connect();
    })();

    return () => {
      disposed = true;
      clearTimeout(retryTimer);
      socket.current?.close();
      socket.current = null;
      term.current = null;
      for (const cleanup of cleanups.reverse()) cleanup();
    };
  }, [sessionId, host, name]);

  return (
    <section aria-label="Terminal" className="absolute inset-0 flex flex-col">
      {status !== "connected" && (
        <div
          role="status"
          className="absolute right-3 top-2 z-10 rounded bg-slate-800/90 px-2 py-1 text-xs text-slate-200 shadow"
        >
          {status === "connecting" ? "Connecting…" : status === "reconnecting" ? "Reconnecting…" : "Disconnected"}
          {problem ? ` — ${problem}` : ""}
          {status === "closed" && (
            <button
              type="button"
              onClick={() => reconnect.current()}
              className="ml-2 rounded border border-slate-500 px-2 py-0.5 text-slate-100 hover:bg-slate-700"
            >
              Reconnect
            </button>
          )}
        </div>
      )}
      <div ref={container} data-testid="xterm-host" className="min-h-0 flex-1 p-2" />
    </section>
  );
}
