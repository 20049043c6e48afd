# syntax=docker/dockerfile:1
# One image for the Temporal worker (default command), the AWS Batch scraper child
# (`node dist/workers/child.bundle.js`), the fetch-and-run entrypoint every catalog job step
# runs as (`node dist/runner/fetch-and-run.js`, its job definition's command), and locally the
# trigger poller and the Batch executor.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.json \
 && node scripts/bundle-workflows.mjs \
 && node scripts/bundle-child.mjs

FROM node:20-slim
# Steps run Python scripts, and their modules go into virtualenvs the runner makes (python3 -m venv).
# Debian's pip trusts the system's certificates, which the slim image does not carry.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    DROVER_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Run data (DROVER_HOME) lives in a directory the unprivileged user owns.
RUN mkdir -p /app/.drover && chown node:node /app/.drover
USER node
CMD ["node", "--max-old-space-size=192", "dist/workers/worker.js"]
