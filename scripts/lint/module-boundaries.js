// Lint rule: a module (a subgraph, or the ledger) is entered only through its `api.ts`.
// A module's other files are its insides: another module, an entry point (cmd/), a script or a
// benchmark that imports them is refused. Shared code (subgraphs/shared) stays importable by
// all. Composition roots outside every module (subgraphs/index.ts, cmd/) may also import a
// subgraph's `index.ts`, the definition they serve. Benchmarks use published APIs only, so they
// may not reach into test/ either.
//
// A rule of our own rather than `no-restricted-imports`: that rule takes one option list per
// file, which the layer rules (domain, service, graphql) already use, and it matches import
// text, not the file an import resolves to.
import path from "node:path";

export const MODULES = ["accounts", "balances", "payouts", "crypto", "ledger"];

const posix = (file) => file.split(path.sep).join("/");

function moduleOf(relative) {
  const match = /^subgraphs\/([^/]+)\//.exec(relative);
  return match && MODULES.includes(match[1]) ? match[1] : undefined;
}

/** @type {import("eslint").Rule.RuleModule} */
export const moduleBoundaries = {
  meta: {
    type: "problem",
    docs: { description: "Other modules are imported only through their api.ts" },
    messages: {
      internal: "'{{target}}' is inside the {{module}} module: import its api.ts (publish what you need there).",
      testSupport: "Benchmarks use the modules' published APIs, not test/ ('{{target}}').",
    },
    schema: [],
  },
  create(context) {
    const root = context.cwd;
    const importer = posix(path.relative(root, context.filename));
    const from = moduleOf(importer);
    const outsideModules = from === undefined;

    function check(node, source) {
      if (typeof source !== "string" || !source.startsWith(".")) return;
      const target = posix(path.relative(root, path.resolve(path.dirname(context.filename), source)));
      if (importer.startsWith("bench/") && target.startsWith("test/")) {
        context.report({ node, messageId: "testSupport", data: { target } });
        return;
      }
      const to = moduleOf(target);
      if (to === undefined || to === from) return;
      if (target === `subgraphs/${to}/api.ts`) return;
      if (outsideModules && target === `subgraphs/${to}/index.ts`) return;
      context.report({ node, messageId: "internal", data: { target, module: to } });
    }

    const fromSource = (node) => node.source && check(node.source, node.source.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === "Literal" && check(node.source, node.source.value),
    };
  },
};
