import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages are consumed as TypeScript source.
  transpilePackages: ["@dockyard/protocol", "@dockyard/scenario", "@dockyard/db", "@dockyard/token"],
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "sanitize-html"],
  poweredByHeader: false,
  devIndicators: false,
};

export default config;
