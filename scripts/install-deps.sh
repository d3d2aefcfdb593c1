#!/usr/bin/env bash
# Installs every Debian bookworm package pxc needs to build and test.
# Idempotent: packages already present are skipped, apt-get update runs only
# when something is missing. Usage: scripts/install-deps.sh [build|test|bench|all]
# (bench: the Go tool chain and Go packages bench/gonoop is built from, for
# bench/run's comparison with a Go provider; not needed by the tests nor by
# `bench/run --short`, so `all` (build + test, what scripts/test.sh installs)
# leaves it out.)
set -euo pipefail

what="${1:-all}"

build_pkgs=(
  cmake g++ make pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libssl-dev openssl nlohmann-json3-dev libssh-dev libmariadb-dev
  libgtest-dev libgmock-dev
  clang libclang-rt-14-dev
)
test_pkgs=(
  mariadb-server mariadb-client galera-4 haproxy openssh-server openssh-client
  stunnel4 rsync iproute2 procps psmisc python3-mysqldb lsof socat sudo
  openssl util-linux galera-arbitrator-3
)

# Terraform's own Go plugin stack as Debian packages it: go-plugin (AutoMTLS,
# GRPCController), gRPC-Go, both protobuf APIs, the protoc plugins that
# generate Go code from provider/proto/tfplugin6.proto, and go-cty's msgpack.
bench_pkgs=(
  golang-go golang-github-hashicorp-go-plugin-dev golang-google-grpc-dev
  golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev
  protoc-gen-go protoc-gen-go-grpc golang-github-zclconf-go-cty-dev protobuf-compiler
)

pkgs=("${build_pkgs[@]}")
if [[ "$what" == test || "$what" == all ]]; then
  pkgs+=("${test_pkgs[@]}")
fi
if [[ "$what" == bench ]]; then
  pkgs+=("${bench_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Services must not start on install: the test bed starts its own instances.
policy_rc=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy_rc ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy_rc >/dev/null
  $SUDO chmod 755 $policy_rc
  created_policy=1
fi
trap '[[ $created_policy == 1 ]] && $SUDO rm -f $policy_rc' EXIT
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
