import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // A second build folder lets a benchmark serve one build while another is being made.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  serverExternalPackages: ["@duckdb/node-api", "@duckdb/node-bindings", "better-sqlite3", "pg", "libpg-query", "mysql2"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
