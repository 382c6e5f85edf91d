#!/usr/bin/env bash
# Builds the test tools (kube-apiserver, etcd, helm, kubeconform, actionlint, promtool, oauth2-proxy, caddy) from Go modules
# and caches the binaries outside the repository, keyed by version, so that every clone on this machine reuses them.
# Also gathers the CustomResourceDefinitions of the Gateway API, Envoy Gateway, Istio and Traefik from their Go
# modules into <cache>/crds-<versions>/ (linked as <cache>/crds), for the tests that validate the docs' manifests, and
# the Prometheus Operator's into <cache>/crds-prometheus-operator-<version>/ (linked as <cache>/crds-monitoring), for
# the chart's ServiceMonitor and PrometheusRule.
#
#   tools/build.sh            build what is missing, print the bin folder
#   tools/build.sh --print    print the bin folder only (no build)
#
# Cache: ${RBAC_GATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rbac-gate-tools}/<tool>-<version>/<tool>
# The Go module and build caches are Go's own (GOMODCACHE, GOCACHE), also outside the repository.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
cache=${RBAC_GATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rbac-gate-tools}
bin="$cache/bin"
mkdir -p "$bin"

log() { printf 'tools: %s\n' "$*" >&2; }

# link NAME DIR: makes $bin/NAME point at the versioned binary.
link() { ln -sfn "$2/$1" "$bin/$1"; }

# Work on a private copy of a wrapper module: go.mod/go.sum are generated, never written into the repo.
scratch() {
  local d
  d=$(mktemp -d)
  cp "$here/$1/go.mod" "$d/"
  [ -f "$here/$1/go.sum" ] && cp "$here/$1/go.sum" "$d/"
  echo "$d"
}

build_kube_apiserver() {
  local out="$cache/kube-apiserver-v$KUBE_VERSION"
  if [ -x "$out/kube-apiserver" ]; then link kube-apiserver "$out"; return; fi
  log "building kube-apiserver v$KUBE_VERSION (first time only; several minutes)"
  local d mod staging minor ldf p
  d=$(scratch kube-apiserver)
  mod=$(cd "$d" && go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
  minor=${KUBE_VERSION#1.}; minor=${minor%%.*}
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with local folders;
  # a consumer must replace each with its published v0.<minor>.<patch> tag.
  staging=$(sed -n 's|^\s*\(k8s.io/[a-z0-9-]*\) => \./staging/.*|\1|p' "$mod")
  (
    cd "$d"
    go mod edit -require="k8s.io/kubernetes@v$KUBE_VERSION"
    for p in $staging; do go mod edit -replace="$p=$p@v0.${KUBE_VERSION#1.}"; done
    go mod tidy
    ldf="-s -w"
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldf="$ldf -X $p.gitVersion=v$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    done
    mkdir -p "$out.tmp"
    CGO_ENABLED=0 go build -trimpath -tags selinux,notest -ldflags "$ldf" -o "$out.tmp/kube-apiserver" \
      k8s.io/kubernetes/cmd/kube-apiserver
  )
  rm -rf "$d" "$out"; mv "$out.tmp" "$out"
  link kube-apiserver "$out"
}

build_etcd() {
  local out="$cache/etcd-v$ETCD_VERSION"
  if [ -x "$out/etcd" ]; then link etcd "$out"; return; fi
  log "building etcd v$ETCD_VERSION"
  local d; d=$(scratch etcd)
  (
    cd "$d"
    go mod edit -require="go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
    go mod tidy
    mkdir -p "$out.tmp"
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3
  )
  rm -rf "$d" "$out"; mv "$out.tmp" "$out"
  link etcd "$out"
}

# go install-able tools: NAME VERSION PACKAGE [LDFLAGS] [TAGS]
build_installable() {
  local name=$1 version=$2 pkg=$3 ldf=${4:-} tags=${5:-}
  local out="$cache/$name-v$version"
  if [ -x "$out/$name" ]; then link "$name" "$out"; return; fi
  log "building $name v$version"
  mkdir -p "$out.tmp"
  CGO_ENABLED=0 GOBIN="$out.tmp" go install -trimpath -tags "$tags" -ldflags "-s -w $ldf" "$pkg@v$version"
  rm -rf "$out"; mv "$out.tmp" "$out"
  link "$name" "$out"
}

# The module's folder in Go's module cache (downloads it when missing).
module_dir() {
  local d dir
  d=$(mktemp -d)
  dir=$(cd "$d" && GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
  rm -rf "$d"
  [ -n "$dir" ] || { log "cannot download $1"; exit 1; }
  echo "$dir"
}

fetch_crds() {
  local out="$cache/crds-gw$GATEWAY_API_VERSION-eg$ENVOY_GATEWAY_VERSION-istio$ISTIO_API_VERSION-traefik$TRAEFIK_VERSION"
  if [ ! -f "$out/.complete-2" ]; then
    log "gathering CRDs (Gateway API, Envoy Gateway, Istio, Traefik)"
    local gw eg istio traefik
    gw=$(module_dir "sigs.k8s.io/gateway-api@v$GATEWAY_API_VERSION")
    eg=$(module_dir "github.com/envoyproxy/gateway@v$ENVOY_GATEWAY_VERSION")
    istio=$(module_dir "istio.io/api@v$ISTIO_API_VERSION")
    traefik=$(module_dir "github.com/traefik/traefik/v3@v$TRAEFIK_VERSION")
    rm -rf "$out"; mkdir -p "$out"
    for kind in gatewayclasses gateways httproutes referencegrants; do
      cp "$gw/config/crd/standard/gateway.networking.k8s.io_$kind.yaml" "$out/"
    done
    cp "$eg/charts/gateway-helm/charts/crds/crds/generated/gateway.envoyproxy.io_securitypolicies.yaml" "$out/"
    cp "$istio/kubernetes/customresourcedefinitions.gen.yaml" "$out/istio.io_crds.yaml"
    # meshConfig is no CRD: its extension provider fields are checked against the generated Go type.
    cp "$istio/mesh/v1alpha1/config.pb.go" "$out/istio-mesh-config.pb.go"
    cp "$traefik/docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml" "$out/traefik.io_crds.yaml"
    chmod u+w "$out"/*
    touch "$out/.complete-2"
  fi
  ln -sfn "$out" "$cache/crds"
}

fetch_monitoring_crds() {
  local out="$cache/crds-prometheus-operator-v$PROMETHEUS_OPERATOR_VERSION"
  if [ ! -f "$out/.complete" ]; then
    log "gathering the Prometheus Operator's CRDs"
    local po
    po=$(module_dir "github.com/prometheus-operator/prometheus-operator@v$PROMETHEUS_OPERATOR_VERSION")
    rm -rf "$out"; mkdir -p "$out"
    for kind in servicemonitors prometheusrules; do
      cp "$po/example/prometheus-operator-crd/monitoring.coreos.com_$kind.yaml" "$out/"
    done
    chmod u+w "$out"/*
    touch "$out/.complete"
  fi
  ln -sfn "$out" "$cache/crds-monitoring"
}

if [ "${1:-}" = "--print" ]; then echo "$bin"; exit 0; fi

# One build at a time per cache: two at once (CI's and an end-to-end run's, say) would share each tool's .tmp folder.
# A second run waits here, then finds the first one's binaries.
exec 9>"$cache/.build.lock"
flock 9
command -v go >/dev/null || { log "go is required to build the test tools"; exit 1; }

build_etcd
build_kube_apiserver
# helm v3 defaults its KubeVersion to v1.20 unless these are set at build time.
kminor=${KUBE_VERSION#1.}; kminor=${kminor%%.*}
build_installable helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm \
  "-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$kminor"
build_installable kubeconform "$KUBECONFORM_VERSION" github.com/yannh/kubeconform/cmd/kubeconform \
  "-X main.version=v$KUBECONFORM_VERSION"
build_installable actionlint "$ACTIONLINT_VERSION" github.com/rhysd/actionlint/cmd/actionlint \
  "-X github.com/rhysd/actionlint.version=v$ACTIONLINT_VERSION"
# promtool checks and unit-tests the chart's alerting rules. remove_all_sd leaves out every service discovery
# (cloud SDKs, client-go), which rule tests never use.
build_installable promtool "$PROMETHEUS_VERSION" github.com/prometheus/prometheus/cmd/promtool \
  "-X github.com/prometheus/common/version.Version=$PROMETHEUS_RELEASE" remove_all_sd
# oauth2-proxy: the peer `npm run bench` measures beside rbac-gate (its /oauth2/auth with --htpasswd-file).
build_installable oauth2-proxy "$OAUTH2_PROXY_VERSION" "github.com/oauth2-proxy/oauth2-proxy/v7" \
  "-X github.com/oauth2-proxy/oauth2-proxy/v7/pkg/version.VERSION=v$OAUTH2_PROXY_VERSION"
# Caddy: forward_auth in front of /forward-auth in the end-to-end tests, beside Debian's older package.
build_installable caddy "$CADDY_VERSION" github.com/caddyserver/caddy/v2/cmd/caddy
fetch_crds
fetch_monitoring_crds
echo "$bin"
