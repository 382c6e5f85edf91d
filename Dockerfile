# rbac-gate container image. The base image's Node.js major is the one the tests run on (package.json pins
# node 24.21.0 as the development runtime).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# dist/ is plain JavaScript, the same for every platform: it is compiled on the build machine's own platform, so a
# multi-platform build runs the development install and the compiler once and natively, never under emulation.
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies are installed on the target platform: bcrypt's install step picks the prebuilt binary of
# that platform (linux x64 and arm64 ship with the package, so nothing is compiled, also under emulation).
FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="rbac-gate" \
      org.opencontainers.image.description="Kubernetes RBAC and htpasswd users in front of web apps at the ingress" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="0.1.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY examples ./examples
# The .proto files of Envoy's ext_authz service, loaded by the gRPC listener at start.
COPY proto ./proto
# A numeric non-root user, so runAsNonRoot can be verified; nothing is written outside /tmp.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "dist/main.js"]
CMD ["--config", "/etc/rbac-gate/config.yaml"]
