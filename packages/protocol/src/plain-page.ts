const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/**
 * A small self-contained HTML page for refusals people meet in a browser tab (port previews and their sign-in),
 * where the app's own layout is not available.
 */
export function plainPage(title: string, detail: string, link?: { href: string; text: string }): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)} · Dockyard</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#0f172a}
h1{font-size:1.25rem}p{color:#334155}a{color:#0369a1}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>${
    link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : ""
  }</body></html>`;
}
