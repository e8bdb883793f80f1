# The ppgov controller as a container image: `ppgov` is the entrypoint and `controller` the default
# command, following the policy repository mounted at /repo (read-only is enough) and serving /healthz
# and /metrics on port 9464. Give other arguments to run another command or follow a URL, e.g.
#   docker run --rm -v "$PWD:/repo:ro" -p 9464:9464 -e AZURE_CLIENT_ID -e AZURE_TENANT_ID -e AZURE_CLIENT_SECRET ppgov
#   docker run --rm ppgov controller --repo https://github.com/acme/gov.git --listen 0.0.0.0:9464 --work-dir /var/lib/ppgov
# examples/kubernetes/ runs it as a Deployment. test/build/container.test.ts checks this file and runs
# its entrypoint and command against the emulator. For a release build, pin NODE_IMAGE by digest
# (node:24-slim@sha256:…).
ARG NODE_IMAGE=node:24-slim

# Build: the package as `npm pack` makes it (what `npm install -g ppgov` installs), then its production
# dependencies at the versions of package-lock.json.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json CHANGELOG.md LICENSE README.md ./
COPY bin bin
COPY src src
COPY schemas schemas
COPY scripts scripts
COPY fixtures/seeds fixtures/seeds
COPY policies policies
COPY .github/workflows .github/workflows
RUN npm run build \
  && npm pack --silent \
  && mkdir /opt/ppgov \
  && tar -xzf ppgov-*.tgz -C /opt/ppgov --strip-components=1 \
  && cp package-lock.json /opt/ppgov/ \
  && cd /opt/ppgov \
  && npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
  && rm package-lock.json

FROM ${NODE_IMAGE}
# git: the controller clones and fetches the policy repository; ca-certificates: for HTTPS remotes.
# safe.directory: a repository mounted at /repo belongs to another user than the controller's.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates \
  && rm -rf /var/lib/apt/lists/* \
  && git config --system --add safe.directory /repo \
  && mkdir -p /var/lib/ppgov \
  && chown node:node /var/lib/ppgov
COPY --from=build /opt/ppgov /opt/ppgov
RUN ln -s /opt/ppgov/bin/ppgov.js /usr/local/bin/ppgov
ENV NODE_ENV=production
# The node image's unprivileged user (uid 1000); the controller's clone, journal and cache live in /var/lib/ppgov.
USER node
WORKDIR /var/lib/ppgov
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["ppgov"]
CMD ["controller", "--repo", "/repo", "--listen", "0.0.0.0:9464", "--work-dir", "/var/lib/ppgov"]
