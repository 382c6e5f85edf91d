#!/usr/bin/env bash
# Refreshes proto/, the .proto files of Envoy's gRPC ext_authz service (envoy.service.auth.v3.Authorization) and
# their imports, from Go modules through the Go module proxy (needs Go; downloads into Go's module cache):
#
#   github.com/envoyproxy/envoy              api/envoy/...          the service, its messages and their imports
#   github.com/envoyproxy/protoc-gen-validate validate/validate.proto (field-rule annotations)
#   istio.io/api                             common-protos/google/rpc/status.proto (googleapis' copy)
#
# github.com/cncf/xds (udpa/annotations, xds/core/v3) is not served as a module with its .proto files (its Go code
# is the module github.com/cncf/xds/go), so those four imports are written here as stubs: the udpa annotations
# declare options rbac-gate never reads (protobufjs keeps unknown options as names), and ContextParams is the one
# message Envoy's Node needs, field for field as the descriptor compiled into github.com/cncf/xds/go has it.
#
#   scripts/refresh-envoy-protos.sh     then review `git diff proto/`
set -euo pipefail
ENVOY_VERSION=1.39.0
VALIDATE_VERSION=1.3.0
ISTIO_API_VERSION=1.32.0
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/proto"

module_dir() {
  local d dir
  d=$(mktemp -d)
  dir=$(cd "$d" && GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
  rm -rf "$d"
  [ -n "$dir" ] || { echo "cannot download $1" >&2; exit 1; }
  echo "$dir"
}

envoy=$(module_dir "github.com/envoyproxy/envoy@v$ENVOY_VERSION")/api
validate=$(module_dir "github.com/envoyproxy/protoc-gen-validate@v$VALIDATE_VERSION")
istio=$(module_dir "istio.io/api@v$ISTIO_API_VERSION")/common-protos

rm -rf "$out/envoy" "$out/validate" "$out/google" "$out/udpa" "$out/xds"
# The import closure of external_auth.proto within Envoy's api/ folder; everything else is listed by hand above.
todo=(envoy/service/auth/v3/external_auth.proto)
while [ ${#todo[@]} -gt 0 ]; do
  file=${todo[0]}
  todo=("${todo[@]:1}")
  [ -f "$out/$file" ] && continue
  mkdir -p "$out/$(dirname "$file")"
  cp "$envoy/$file" "$out/$file"
  chmod 644 "$out/$file"
  while read -r import; do
    case $import in envoy/*) todo+=("$import") ;; esac
  done < <(sed -n 's/^import \(public \)\{0,1\}"\([^"]*\)";/\2/p' "$envoy/$file")
done
install -D -m 644 "$validate/validate/validate.proto" "$out/validate/validate.proto"
install -D -m 644 "$istio/google/rpc/status.proto" "$out/google/rpc/status.proto"

stub() {
  mkdir -p "$out/$(dirname "$1")"
  printf '// Stub of github.com/cncf/xds %s, written by scripts/refresh-envoy-protos.sh (see there why).\nsyntax = "proto3";\n\n%s\n' "$1" "$2" >"$out/$1"
}
for f in migrate status versioning; do stub "udpa/annotations/$f.proto" "package udpa.annotations;"; done
stub xds/core/v3/context_params.proto "package xds.core.v3;

message ContextParams {
  map<string, string> params = 1;
}"
printf 'Envoy v%s api/, protoc-gen-validate v%s, istio.io/api v%s common-protos, stubs for cncf/xds\n' \
  "$ENVOY_VERSION" "$VALIDATE_VERSION" "$ISTIO_API_VERSION" >"$out/VERSIONS"
find "$out" -name '*.proto' | sed "s|^$out/||" | sort
