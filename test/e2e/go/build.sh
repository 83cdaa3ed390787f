#!/usr/bin/env bash
# Builds the upstream programs of one wrapper module under test/e2e/go/ (kubernetes, velero, ...) from
# the Go module proxy, at the versions its go.mod pins, into a cache outside the repository:
#   ${RESTORABLE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/restorable-e2e}/<module>-<key>/bin/
# The key hashes the Go version, go.mod, go.sum, the programs list, the ldflags and our own helper
# sources, so any change rebuilds and an unchanged tree is reused. Prints the bin directory last.
# Usage: test/e2e/go/build.sh MODULE
set -euo pipefail
module=${1:?usage: build.sh MODULE}
here=$(cd "$(dirname "$0")" && pwd)
dir="$here/$module"
[ -f "$dir/go.mod" ] || { echo "build.sh: no wrapper module at test/e2e/go/$module" >&2; exit 2; }
command -v go >/dev/null || { echo "build.sh: Go is not installed; the real-systems tests need Go 1.24 or newer" >&2; exit 2; }

cache_root=${RESTORABLE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/restorable-e2e}
key=$( { go env GOVERSION GOOS GOARCH; cd "$dir" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum -o -name programs -o -name ldflags \) | LC_ALL=C sort | xargs cat; } | sha256sum | cut -c1-16)
out="$cache_root/$module-$key"
if [ -f "$out/.complete" ]; then echo "$out/bin"; exit 0; fi

mkdir -p "$out/bin"
ldflags=$(grep -v '^#' "$dir/ldflags" 2>/dev/null | tr '\n' ' ' || true)
started=$(date +%s)
cd "$dir"
grep -v '^#' programs | while read -r name pkg; do
  [ -n "$name" ] || continue
  echo "build.sh: building $name ($pkg)" >&2
  t0=$(date +%s)
  CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out/bin/$name.tmp" "$pkg"
  mv "$out/bin/$name.tmp" "$out/bin/$name"
  echo "build.sh: $name built in $(( $(date +%s) - t0 ))s" >&2
done
echo "build.sh: $module built in $(( $(date +%s) - started ))s" >&2
touch "$out/.complete"
echo "$out/bin"
