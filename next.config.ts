import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  serverExternalPackages: ["@duckdb/node-api", "@duckdb/node-bindings", "better-sqlite3", "pg"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
