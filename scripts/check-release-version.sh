#!/usr/bin/env bash
# Checks that a release tag names the version every shipped artifact carries: package.json's version (the one
# `rbac-gate --version` prints), the chart's version and appVersion (its default image tag) and the image's
# org.opencontainers.image.version label. A tag that differs from any of them would publish an image or a chart
# under a name that is not its own, so the release stops before anything is built.
#
#   scripts/check-release-version.sh TAG [ROOT]    TAG as pushed (v1.2.3); ROOT defaults to this checkout
#
# Prints the version without its "v" and exits 0 when all agree; otherwise prints one line per file that
# disagrees (as GitHub annotations) and exits 1.
set -euo pipefail
tag=${1:?usage: check-release-version.sh TAG [ROOT]}
root=${2:-$(cd "$(dirname "$0")/.." && pwd)}

if ! [[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "::error::tag $tag is not a version tag (vMAJOR.MINOR.PATCH[-PRERELEASE])" >&2
  exit 1
fi
version=${tag#v}

# Chart.yaml fields are top-level scalars, optionally quoted.
chart_field() { sed -n "s/^$1:[[:space:]]*[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}[[:space:]]*\$/\1/p" "$root/charts/rbac-gate/Chart.yaml"; }

status=0
# expect WHAT ACTUAL: one mismatch line per disagreeing file, every one reported before failing.
expect() {
  if [ "$2" != "$version" ]; then
    echo "::error::tag $tag: $1 is '${2}', expected '$version'" >&2
    status=1
  fi
}
expect "package.json version" "$(node -p 'require(process.argv[1]).version' "$root/package.json")"
expect "charts/rbac-gate/Chart.yaml version" "$(chart_field version)"
expect "charts/rbac-gate/Chart.yaml appVersion" "$(chart_field appVersion)"
expect "Dockerfile label org.opencontainers.image.version" \
  "$(sed -n 's/.*org\.opencontainers\.image\.version="\([^"]*\)".*/\1/p' "$root/Dockerfile")"
[ "$status" -eq 0 ] && echo "$version"
exit "$status"
