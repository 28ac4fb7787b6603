# One image for the worker and the API (docker-compose.yml runs it twice with different commands).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# The filings' PDFs embed IPA Gothic (IPA Font License: embedding allowed), from Debian, never downloaded at run time.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-ipafont-gothic && rm -rf /var/lib/apt/lists/*
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
