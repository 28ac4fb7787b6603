# One image for the worker and the API (docker-compose.yml runs it twice with different commands).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# No postinstall: containers talk to a Temporal cluster and need no embedded binaries.
RUN npm ci --omit=dev --ignore-scripts
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY api ./api
COPY lib ./lib
COPY storage ./storage
COPY main ./main
COPY tsconfig.json ./
USER node
CMD ["node", "--import", "tsx", "main/api.ts"]
