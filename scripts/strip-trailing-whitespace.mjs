// codegen hook: normalise generated files so the staleness check compares content, not noise.
import { readFileSync, writeFileSync } from "node:fs";
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const clean = text.replace(/[ \t]+$/gm, "").replace(/\n*$/, "\n");
  if (clean !== text) writeFileSync(file, clean);
}
