#!/bin/sh
# The container image's entry point (Dockerfile): one image, any role. Each role runs exactly the
# command of its npm script in package.json (test/deploy/dockerfile.test.ts checks they agree),
# exec'd so that the process gets SIGTERM itself and drains (cmd/platform.ts, stopOnSignals).
#
#   gateway | subgraph <accounts|balances|payouts|crypto> | worker | migrate | all-in-one
set -eu

role="${1:-all-in-one}"
[ "$#" -gt 0 ] && shift

case "$role" in
  gateway) exec node --import tsx cmd/gateway.ts "$@" ;;
  subgraph) exec node --import tsx cmd/subgraph.ts "$@" ;;
  worker) exec node --import tsx cmd/worker.ts "$@" ;;
  migrate) exec tsx scripts/migrate.ts "$@" ;;
  all-in-one) exec node --import tsx cmd/all-in-one.ts "$@" ;;
  *)
    echo "usage: <gateway | subgraph <accounts|balances|payouts|crypto> | worker | migrate | all-in-one>" >&2
    exit 64
    ;;
esac
