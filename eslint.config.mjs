import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  { ignores: ["node_modules/**", ".next/**", ".next-*/**", "lib/generated/**", "data/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "tmp/**"] },
  ...tseslint.configs.recommended,
  {
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    // The server/client boundary: client components may import only types from server folders.
    files: ["components/**/*.tsx", "app/**/*.tsx"],
    ignores: ["app/**/page.tsx", "app/**/layout.tsx", "app/**/not-found.tsx"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@/lib/*/server/*", "@/lib/db/server/*", "**/server/*"], message: "Client code must not import server modules (only `import type`).", allowTypeImports: true }] },
      ],
    },
  },
  {
    // Stand-ins for external services are test code: the product never imports them.
    files: ["app/**", "lib/**", "components/**", "scripts/**"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/test/**", "@/test/*"], message: "Product code must not import test code or stand-ins." }] }],
    },
  },
);
