#!/usr/bin/env bash
# The image's runtime file set, laid out on the host where no container engine runs
# (docs/deploy.md): this checkout's node_modules (installed from the same lockfile) pruned as the
# Dockerfile's build stage prunes it, the generated Prisma client, the bundles `npm run build`
# makes, and the files the Dockerfile's last stage copies, read from its COPY lines (minus what
# .dockerignore leaves out of them: tests).
# Then start any role from there as the image would:
#
#   scripts/image-dry-run.sh /tmp/moneygraph-image
#   cd /tmp/moneygraph-image && PATH="$PWD/node_modules/.bin:$PATH" NODE_ENV=production … sh cmd/entrypoint.sh <role>
#
# The base image's operating system is not reproduced; the files and the commands are.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: scripts/image-dry-run.sh <new directory>}
if [ -e "$out" ]; then
  echo "$out exists: give a new directory" >&2
  exit 64
fi
mkdir -p "$out/prisma"

# The build stage, from this checkout instead of `npm ci` (offline): the bundles (built at the
# repository's top level, as the image builds them at its own, so their paths to the files they
# read are the same), then prune, then the devOptional tree.
cp -a "$root/package.json" "$root/package-lock.json" "$root/.npmrc" "$root/node_modules" "$out/"
cp -a "$root/prisma/generated" "$out/prisma/"
staging=".dist-image-$$"
(cd "$root" && node --import tsx scripts/build.ts --outdir "$staging" >/dev/null)
mv "$root/$staging" "$out/dist"
(cd "$out" && npm prune --omit=dev --ignore-scripts --offline --no-audit --no-fund && node "$root/scripts/prune-dev-optional.mjs")

# The runtime stage: every `COPY <sources…> <destination>` of the last stage not copied --from another stage.
awk '/^FROM /{stage++; delete lines; n=0} /^COPY / && !/--from=/{lines[n++]=$0} END{for (i = 0; i < n; i++) print lines[i]}' "$root/Dockerfile" |
  while read -r _ args; do
    read -ra words <<<"$args"
    for source in "${words[@]:0:${#words[@]}-1}"; do
      (cd "$root" && cp -a --parents "$source" "$out/")
    done
  done
find "$out" -path "$out/node_modules" -prune -o -name '*.test.ts' -type f -exec rm {} +
echo "runtime files in $out: $(find "$out" -path "$out/node_modules" -prune -o -type f -print | wc -l), node_modules $(du -sh "$out/node_modules" | cut -f1)"
