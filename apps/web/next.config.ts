import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages are consumed as TypeScript source.
  transpilePackages: ["@dockyard/protocol", "@dockyard/scenario", "@dockyard/db", "@dockyard/token"],
  serverExternalPackages: [
    "better-sqlite3",
    "@node-rs/argon2",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "pg",
    "sanitize-html",
  ],
  poweredByHeader: false,
  devIndicators: false,
  // forbidden(): pages answer 403 with app/forbidden.tsx.
  experimental: { authInterrupts: true },
};

export default config;
