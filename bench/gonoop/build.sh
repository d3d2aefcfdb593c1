#!/usr/bin/env bash
# Builds terraform-provider-gonoop (bench/gonoop/main.go) from Debian's Go
# packages only, with no network: GOPATH mode over /usr/share/gocode
# (GO111MODULE=off, GOPROXY=off, GOFLAGS empty), the tfplugin6 Go code
# generated here from pxc's own provider/proto/tfplugin6.proto with
# protoc-gen-go and protoc-gen-go-grpc.
#   bench/gonoop/build.sh OUTPUT_BINARY
# Packages: scripts/install-deps.sh bench.
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
for tool in go protoc protoc-gen-go protoc-gen-go-grpc; do
  command -v "$tool" >/dev/null || { echo "gonoop: $tool missing (scripts/install-deps.sh bench)" >&2; exit 1; }
done
gp=$(mktemp -d "${TMPDIR:-/tmp}/gonoop-gopath.XXXXXX")
trap 'rm -rf "$gp"' EXIT
mkdir -p "$gp/src/gonoop"
protoc --proto_path="$root/provider/proto" --go_out="$gp/src" --go-grpc_out="$gp/src" \
  "$root/provider/proto/tfplugin6.proto"
cp "$here/main.go" "$gp/src/gonoop/main.go"
cd "$gp/src/gonoop"
GOPATH="$gp:/usr/share/gocode" GO111MODULE=off GOPROXY=off GOFLAGS= GOCACHE="$gp/cache" \
  CGO_ENABLED=0 go build -trimpath -o "$out" .
