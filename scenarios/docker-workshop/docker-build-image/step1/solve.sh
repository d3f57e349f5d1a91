#!/bin/bash
cat > /root/app/Dockerfile <<'DOCKERFILE'
FROM node:18
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
EXPOSE 3000
CMD ["node", "server.js"]
DOCKERFILE
