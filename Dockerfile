# syntax=docker/dockerfile:1
# The moneygraph image: one image for every role (gateway, subgraph <name>, worker, migrate,
# all-in-one; cmd/entrypoint.sh). Two stages: `build` installs every dependency from the
# lockfile and generates the Prisma client (which needs the prisma CLI, a devDependency), then
# compiles the entry points to JavaScript bundles (`npm run build`, scripts/build.ts: about a fifth of
# the start-up CPU of running the TypeScript through tsx) and builds the dashboard into
# dist/dashboard (Vite), then drops the devDependencies; the
# runtime stage takes the pruned node_modules, the generated client, the bundles and the files
# they read at run time (supergraph, migrations, the ledger's SQL), and runs as the unprivileged
# `node` user (uid 1000).
#
# Health: no HEALTHCHECK here, on purpose: the worker serves no HTTP and each role listens on its
# own port, so the probes are set per role, by compose.yaml (healthcheck) and by the Kubernetes
# manifests in deploy/ (startup, liveness on /healthz, readiness on /readyz).
#
# Checked offline by test/deploy/dockerfile.test.ts (every COPY source exists, the entry point's
# roles are package.json's scripts, a lint); no container engine runs where it was written.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so that a source change reuses this layer. No install scripts: the only
# one the build needs, generating the Prisma client, runs next, offline (scripts/prisma.ts).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY prisma.config.ts ./
COPY scripts/prisma.ts scripts/prisma.ts
COPY prisma/schema prisma/schema
RUN npm run prisma:generate
COPY tsconfig.json ./
COPY scripts/build.ts scripts/build.ts
COPY scripts/dashboard.ts scripts/dashboard.ts
COPY dashboard dashboard
COPY scripts/migrate.ts scripts/migrate.ts
COPY cmd cmd
COPY gateway gateway
COPY subgraphs subgraphs
COPY prisma/migrate.ts prisma/migrate.ts
RUN npm run build && npm prune --omit=dev --ignore-scripts && npm cache clean --force
# The prune keeps the prisma CLI's tree (devOptional in the lockfile): removed, see the script.
COPY scripts/prune-dev-optional.mjs scripts/prune-dev-optional.mjs
RUN node scripts/prune-dev-optional.mjs

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PATH=/app/node_modules/.bin:$PATH \
    DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the process: only DATA_DIR (all-in-one's embedded database) is
# written. Files keep their repository paths: the bundles find what they read relative to where
# their source was (scripts/build.ts).
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/prisma/generated prisma/generated
COPY --from=build /app/dist dist
COPY package.json ./
COPY cmd/entrypoint.sh cmd/entrypoint.sh
COPY prisma/migrations prisma/migrations
COPY subgraphs/ledger/sql subgraphs/ledger/sql
COPY schema schema
RUN mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
EXPOSE 4000 4001 4002 4003 4004
ENTRYPOINT ["sh", "/app/cmd/entrypoint.sh"]
CMD ["all-in-one"]
