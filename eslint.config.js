// Lint: TypeScript hygiene plus the layering rules that keep the architecture honest
// (docs/architecture.md): enforced here, not left to convention.
import tseslint from "typescript-eslint";
import { moduleBoundaries } from "./scripts/lint/module-boundaries.js";
import { storageInStore } from "./scripts/lint/storage-in-store.js";

// Our own rules (scripts/lint/), one plugin object shared by every block that enables one.
const moneygraph = { rules: { "module-boundaries": moduleBoundaries, "storage-in-store": storageInStore } };

const IO_AND_FRAMEWORKS = [
  { group: ["graphql", "graphql/*", "type-graphql", "@apollo/*", "graphql-*"], message: "Domain code is pure: no GraphQL." },
  { group: ["@prisma/*", "**/prisma/generated/**", "pg", "@electric-sql/*", "pglite-*"], message: "Domain code is pure: no database." },
  { group: ["express", "node:http", "node:fs", "node:net", "ws"], message: "Domain code is pure: no I/O." },
  { group: ["**/config.ts", "**/db/**", "**/service/**", "**/graphql/**"], message: "Domain code depends on nothing outside the domain." },
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "prisma/generated/**",
      "test/generated/**",
      "dashboard/src/gql/**",
      ".data/**",
      "coverage/**",
      "dist/**",
      ".dist-image-*/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-explicit-any": "error",
      // Configuration is parsed once (subgraphs/shared/config.ts); nothing else reads the environment.
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through subgraphs/shared/config.ts." },
      ],
    },
  },
  {
    // One front door per module (docs/architecture.md): other modules, entry
    // points, scripts and benchmarks import a module's api.ts and nothing else of it. Tests under
    // test/ may reach in (fixtures, internals they assert on).
    files: ["subgraphs/**/*.ts", "cmd/**/*.ts", "scripts/**/*.ts", "bench/**/*.ts"],
    plugins: { moneygraph },
    rules: { "moneygraph/module-boundaries": "error" },
  },
  {
    files: [
      "subgraphs/*/domain/**/*.ts",
      "subgraphs/shared/money/**/*.ts",
      "subgraphs/shared/refusal.ts",
      "subgraphs/shared/lifecycle/state-machine.ts",
    ],
    rules: {
      "no-restricted-imports": ["error", { patterns: IO_AND_FRAMEWORKS }],
      "no-restricted-globals": ["error", { name: "process", message: "Domain code is pure: no process, no environment." }],
    },
  },
  {
    // Shared code serves every subgraph and depends on none of them.
    files: ["subgraphs/shared/**/*.ts"],
    ignores: ["**/*.test.ts", "subgraphs/shared/money/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/accounts/**", "**/balances/**", "**/payouts/**", "**/crypto/**", "**/ledger/**"],
              message: "Shared code does not depend on a subgraph.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["subgraphs/shared/money/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...IO_AND_FRAMEWORKS,
            {
              group: ["**/accounts/**", "**/balances/**", "**/payouts/**", "**/crypto/**", "**/ledger/**"],
              message: "Shared code does not depend on a subgraph.",
            },
          ],
        },
      ],
    },
  },
  {
    // Use cases and the ledger know nothing of GraphQL: they are called by resolvers, workers,
    // other subgraphs and benchmarks alike.
    files: ["subgraphs/*/service/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["graphql", "type-graphql", "@apollo/*", "**/graphql/**"], message: "Services do not depend on the GraphQL layer." },
          ],
        },
      ],
    },
  },
  {
    // Resolvers call use cases and see records; they never query the database themselves, nor
    // see its rows (Prisma's generated types, the database layer).
    files: ["subgraphs/*/graphql/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@prisma/*", "pg", "@electric-sql/*"], message: "Resolvers call services, not the database." },
            {
              group: ["**/prisma/generated/**", "**/shared/db/**"],
              message: "Resolvers and GraphQL types see records, not rows: call a use case.",
            },
          ],
        },
      ],
    },
  },
  {
    // One back door per module (docs/architecture.md, "Inside a module"): SQL, database calls
    // and the Prisma client live in the module's store; use cases and resolvers call the store.
    files: [
      "subgraphs/{accounts,balances,ledger,payouts,crypto}/{service,graphql,events,domain}/**/*.ts",
      "subgraphs/{accounts,balances,ledger,payouts,crypto}/*.ts",
    ],
    // The stores themselves, and the tests' own fixtures (which count rows directly).
    ignores: ["**/*.test.ts", "subgraphs/*/store.ts", "subgraphs/crypto/crypto-test-support.ts"],
    plugins: { moneygraph },
    rules: { "moneygraph/storage-in-store": "error" },
  },
  {
    files: [
      "cmd/**/*.ts",
      "scripts/**/*.ts",
      "test/**/*.ts",
      "vitest.config.ts",
      "subgraphs/shared/config.ts",
      "bench/**/*.ts",
      "**/*.test.ts",
    ],
    rules: { "no-restricted-properties": "off" },
  },
);
