#!/usr/bin/env bash
# Compiles the tc program into OUT (a resource of the dataplane jar). Called by the Maven build
# (exec-maven-plugin, phase generate-resources); fails, never skips, without clang or the headers.
# Reproducible: the source directory is mapped to "." in the debug info, no timestamps.
set -euo pipefail
src_dir="$(cd "$(dirname "$0")" && pwd)"
out="$1"
hint="install clang, libbpf-dev and bpftool (Debian: apt-get install clang libbpf-dev bpftool; .ci/setup does)"
if ! command -v clang >/dev/null; then
  echo "build-bpf: clang is missing: the eBPF program cannot be compiled; $hint" >&2
  exit 1
fi
if ! clang -print-targets 2>/dev/null | grep -qw bpf; then
  echo "build-bpf: this clang has no bpf target; $hint" >&2
  exit 1
fi
if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
  echo "build-bpf: /usr/include/bpf/bpf_helpers.h is missing; $hint" >&2
  exit 1
fi
# <asm/types.h> lives in the multiarch include directory, which clang -target bpf does not search.
multiarch="$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || true)"
includes=()
if [ -n "$multiarch" ] && [ -d "/usr/include/$multiarch" ]; then
  includes+=("-I/usr/include/$multiarch")
fi
mkdir -p "$(dirname "$out")"
cd "$src_dir"
clang -O2 -g -target bpf -Wall -Werror "${includes[@]}" \
  -fdebug-prefix-map="$src_dir"=. -fdebug-compilation-dir=. \
  -c palisade_tc.bpf.c -o "$out"
