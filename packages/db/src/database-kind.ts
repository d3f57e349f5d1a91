export type DatabaseKind = "sqlite" | "postgresql";

/** Which database a `DATABASE_URL` names: `file:` is SQLite, `postgres://` or `postgresql://` is PostgreSQL. */
export function databaseKind(url: string): DatabaseKind {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? url;
  throw new Error(
    `DATABASE_URL must be file:<path> (SQLite) or postgres://user@host/database (PostgreSQL), not ${scheme}...`,
  );
}
