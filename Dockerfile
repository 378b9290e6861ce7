# One image for every service (orchestrator, inventory, payment, shipping) and the init job;
# docker-compose.yml picks the entry point with `command`. TypeScript runs through tsx.
FROM node:22-slim

ENV NODE_ENV=production
WORKDIR /app

# dependencies first, for the layer cache (tsx is a runtime dependency)
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .

USER node
EXPOSE 3000 3001 3002 3003
# the orchestrator's node flags (scripts/support/service-processes.ts, serviceNodeFlags)
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "orchestrator/main.ts"]
