#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, every library instrumented) into
# ${BUILD_DIR:-build-fuzz} and runs each for N seconds (default 60), starting from its checked-in
# seed corpus in tests/fuzz/corpus/<name>/. New inputs go to ${BUILD_DIR}/fuzz-corpus/<target>/;
# crash reproducers to ${BUILD_DIR}/fuzz-artifacts/. Needs the Debian packages clang and
# libclang-rt-14-dev (scripts/setup.sh installs them).
# Usage: scripts/fuzz.sh [seconds-per-target]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
BUILD_DIR=${BUILD_DIR:-build-fuzz}
TARGETS=(soap_parser_fuzz cr_request_fuzz schema_fuzz config_fuzz)

CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPROXIER_FUZZ=ON -DPROXIER_SANITIZE=address,undefined -DPROXIER_BUILD_BENCH=OFF \
  -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target "${TARGETS[@]}"

status=0
for target in "${TARGETS[@]}"; do
  name=${target%%_*}  # soap_parser_fuzz -> soap
  work="$BUILD_DIR/fuzz-corpus/$target"
  artifacts="$BUILD_DIR/fuzz-artifacts/"
  mkdir -p "$work" "$artifacts"
  dict=()
  if [ -f "tests/fuzz/$name.dict" ]; then dict=(-dict="tests/fuzz/$name.dict"); fi
  echo "== $target for ${SECONDS_PER_TARGET}s"
  if ! "$BUILD_DIR/tests/fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 \
      -artifact_prefix="$artifacts" "${dict[@]}" "$work" "tests/fuzz/corpus/$name"; then
    echo "fuzz: $target failed; reproducers in $artifacts" >&2
    status=1
  fi
done
exit $status
