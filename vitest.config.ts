import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/**/*.test.ts", "apps/**/*.test.ts"],
    exclude: ["**/node_modules/**", "e2e/**", "**/.next/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one Docker engine; files run one at a time to keep a 2-core machine responsive.
    fileParallelism: false,
  },
});
