# syntax=docker/dockerfile:1
# Image for 政策解读与政务舆情回应平台. Used by docker-compose.yml with an external PostgreSQL 16.
#
# Two stages: the build stage has the compilers that nodejieba (built from source when no
# prebuilt binary is available) and argon2 may need, plus the dev dependencies that compile
# TypeScript; the runtime stage gets only the compiled app and the production node_modules.

FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# `npm ci` runs the package's `prepare` script (tsc -p tsconfig.build.json), so the sources
# must be present before it; the dev dependencies (typescript, @types/*) come with it.
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# `postinstall` applies patches/ (patch-package) to the installed dependencies.
COPY patches ./patches
COPY src ./src
RUN npm ci --no-audit --no-fund
# `npm prune` does not run `prepare` again: it only removes the dev dependencies, leaving
# dist/ and the native addons that were built above.
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY views ./views
COPY public ./public
# Read-only resources shipped with the code (jieba dictionaries, lexicons under data/, the
# rest of data/ is excluded by .dockerignore). Not the data dir, which is /data.
COPY data ./data
# The data dir (attachments, session secret; the embedded PostgreSQL when no DATABASE_URL)
# belongs to the unprivileged `node` user that ships with the image.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself handles SIGTERM (graceful stop); run with `init: true` so zombies are reaped.
CMD ["node", "dist/main.js"]
