// Run after `npm prune --omit=dev`, in the directory holding package-lock.json and node_modules
// (the Dockerfile's build stage, scripts/image-dry-run.sh). The prune keeps the prisma CLI's tree
// (the CLI, its studio, typescript: some 240 MB): those packages are optional peers of
// @prisma/client as well as devDependencies, which the lockfile marks `devOptional`. Nothing at
// run time needs them; this removes every package so marked.
import { readFileSync, rmSync } from "node:fs";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
let removed = 0;
for (const [path, meta] of Object.entries(lock.packages)) {
  if (path && meta.devOptional) {
    rmSync(path, { recursive: true, force: true });
    removed += 1;
  }
}
console.log(`removed ${removed} devOptional packages`);
