#!/bin/sh
# The container image's entry point (Dockerfile): one image, any role. Each role runs the bundle
# `npm run build` made of its npm script's entry file (cmd/gateway.ts -> dist/cmd/gateway.js;
# test/deploy/dockerfile.test.ts checks they agree), exec'd so that the process gets SIGTERM
# itself and drains (cmd/platform.ts, stopOnSignals), with the npm script's V8 flags: a gateway
# gets a larger young generation (--max-semi-space-size=64, in MiB: fewer scavenges of its
# short-lived request garbage; docs/performance.md measures it).
#
#   gateway | subgraph <accounts|balances|payouts|crypto> | worker | migrate | all-in-one
set -eu

role="${1:-all-in-one}"
[ "$#" -gt 0 ] && shift

case "$role" in
  gateway) exec node --max-semi-space-size=64 --enable-source-maps dist/cmd/gateway.js "$@" ;;
  subgraph) exec node --enable-source-maps dist/cmd/subgraph.js "$@" ;;
  worker) exec node --enable-source-maps dist/cmd/worker.js "$@" ;;
  migrate) exec node --enable-source-maps dist/scripts/migrate.js "$@" ;;
  all-in-one) exec node --max-semi-space-size=64 --enable-source-maps dist/cmd/all-in-one.js "$@" ;;
  *)
    echo "usage: <gateway | subgraph <accounts|balances|payouts|crypto> | worker | migrate | all-in-one>" >&2
    exit 64
    ;;
esac
