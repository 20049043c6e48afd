# syntax=docker/dockerfile:1
# One image for the Temporal worker (default command), the AWS Batch scraper child
# (`node dist/workers/child.bundle.js`), and locally the trigger poller and the Batch executor.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.json \
 && node scripts/bundle-workflows.mjs \
 && node scripts/bundle-child.mjs

FROM node:20-slim
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
