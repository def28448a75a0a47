# Build: compile TypeScript with the dev dependencies, then drop them so only runtime packages ship.
FROM node:26-bookworm-slim AS build
WORKDIR /app
# Lockfile first, so source edits reuse the cached npm ci layer.
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:26-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    LOG_DIR=/app/logs
WORKDIR /app
# Code stays root-owned (read-only to the app); only the log directory is writable by node.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/logs && chown node:node /app/logs
USER node
# 9464: the metrics listener, reachable from outside once METRICS_HOST=0.0.0.0 (docker-compose.yml sets it).
EXPOSE 3000 9464
# Slim images have no curl; Node has fetch. Start period covers database creation and migrations.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node directly, not npm start: npm start rebuilds, and node receives SIGTERM for graceful shutdown.
# The same heap cap as `npm start` (docs/performance.md: memory).
CMD ["node", "--max-old-space-size=192", "dist/src/main.js"]
