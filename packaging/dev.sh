#!/usr/bin/env bash
# RealSyn Studio developer entry point.
#
#   packaging/dev.sh deps    install missing Debian packages (apt), nothing else
#   packaging/dev.sh build   deps + configure (CMake, Ninja, ccache) + build
#   packaging/dev.sh test    build + CTest (all labels except bench and gpu),
#                            then the fuzz harnesses briefly (build-fuzz, label fuzz)
#   packaging/dev.sh fuzz    the fuzz harnesses for long (FUZZ_SECONDS each, default 600)
#   packaging/dev.sh asan    ASan+UBSan build (build-asan) + the unit tests (label unit)
#   packaging/dev.sh demo    build + demo corpus + project + every stage + GUI or stats
#   packaging/dev.sh bench   build + the benchmarks (label bench), by hand only
#
# Environment: BUILD_DIR (default build), DEMO_DIR (default ~/realsyn-demo),
# JOBS (default: all cores), FUZZ_DIR (default build-fuzz), ASAN_DIR (default
# build-asan), FUZZ_SECONDS (seconds per harness; test: 10, fuzz: 600).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
JOBS=${JOBS:-$(nproc)}
DEMO_DIR=${DEMO_DIR:-$HOME/realsyn-demo}
DEMO_CORPUS=/usr/share/gimp/2.0/help/en
FUZZ_DIR=${FUZZ_DIR:-$ROOT/build-fuzz}
ASAN_DIR=${ASAN_DIR:-$ROOT/build-asan}

# Build and runtime packages, Debian 12 names. Keep in sync with README.md.
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libqt6opengl6-dev libgl-dev
  libsqlite3-dev libssl-dev
  libtorch-dev python3-torch python3-numpy
  libfaiss-dev libopenblas0-pthread libopenblas-dev
  # libopencv-dev is the only package with OpenCV's CMake config, and it
  # depends on every module's -dev package: contrib (img_hash, quality)
  # brings viz and with it VTK, GDAL and ffmpeg. Debian offers no leaner set.
  libopencv-dev opencv-data
  libqcustomplot-dev libqcustomplot2.1-qt6
  libgumbo-dev libicu-dev libarchive-dev
  # PNG and JPEG decode without OpenCV's codec module (core/extract/detail).
  libdeflate-dev libjpeg62-turbo-dev
  clang libclang-rt-14-dev
  libtesseract-dev tesseract-ocr-eng
  thrift-compiler libthrift-dev libboost-dev libsnappy-dev libzstd-dev nodejs
  xvfb xauth
  slurmctld slurmd slurm-client munge bc
  # gimp-help-en needs a www-browser; without one named here apt picks
  # xemacs21 for it (94 MB installed). w3m is 2 MB.
  gimp-help-en w3m
)

# Only for packaging/dev.sh bench: the Python reference of stage 1 (PIL) and
# two more manuals in HTML for its paired benchmark.
BENCH_PACKAGES=(python3-pil debian-handbook kicad-doc-en)

# ccache keys on absolute paths unless told the tree's root: with it, a
# fresh clone elsewhere (CI) reuses what an earlier build compiled.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$ROOT}

log() { printf '[dev.sh] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

deps() {
  install_missing "${PACKAGES[@]}"
}

install_missing() {
  local missing=()
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "all $# packages present"
    return
  fi
  log "installing: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

configure() {
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
  fi
}

build() {
  deps
  configure
  cmake --build "$BUILD_DIR" -j "$JOBS"
  parquet_readers
}

# The independent parquet reader the tests use (hyparquet, pure JavaScript),
# installed with npm ci from tests/parquet/package-lock.json into
# $BUILD_DIR/parquet-readers (where CMake copied the package files), again
# only when the lock file changed. Without npm the test skips, except
# under CI=true, where this step fails.
parquet_readers() {
  local dir="$BUILD_DIR/parquet-readers"
  local stamp="$dir/node_modules/.realsyn-lock"
  if [ -f "$stamp" ] && cmp -s "$ROOT/tests/parquet/package-lock.json" "$stamp"; then
    return
  fi
  if ! command -v npm >/dev/null; then
    if [ "${CI:-}" = true ]; then
      log "npm is missing: cannot install the parquet reader the tests need"
      return 1
    fi
    log "npm is missing: the parquet read-back test will skip"
    return
  fi
  mkdir -p "$dir"
  cp "$ROOT/tests/parquet/package.json" "$ROOT/tests/parquet/package-lock.json" "$ROOT/tests/parquet/dump.mjs" "$dir/"
  if (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund); then
    cp "$ROOT/tests/parquet/package-lock.json" "$stamp"
  elif [ "${CI:-}" = true ]; then
    log "npm ci failed: cannot install the parquet reader the tests need"
    return 1
  else
    log "npm ci failed: the parquet read-back test will skip"
  fi
}

run_tests() {
  build
  # Both cores: the suites are independent processes.
  (cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS" -LE 'bench|gpu')
  # A fixed seed makes the gate reproducible; `dev.sh fuzz` explores afresh.
  FUZZ_SEED=${FUZZ_SEED:-1} FUZZ_SECONDS=${FUZZ_SECONDS:-10} run_fuzz
}

# The libFuzzer harnesses (tests/fuzz) need clang and their own build: only
# the core sources they reach, with -fsanitize=fuzzer,address,undefined.
fuzz_build() {
  deps
  if [ ! -f "$FUZZ_DIR/build.ninja" ]; then
    CC=clang CXX=clang++ cmake -S "$ROOT" -B "$FUZZ_DIR" -G Ninja \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREALSYN_FUZZ=ON
  fi
  cmake --build "$FUZZ_DIR" -j "$JOBS"
}

run_fuzz() {
  fuzz_build
  # FUZZ_SECONDS reaches each harness through tests/fuzz/run_fuzzer.sh.
  (cd "$FUZZ_DIR" && FUZZ_SECONDS=${FUZZ_SECONDS:-600} ctest --output-on-failure -j "$JOBS" -L fuzz)
}

# The unit tests under ASan+UBSan. No GUI, no libtorch: the sanitizers
# watch our code, and uninstrumented libtorch only slows the build down.
run_asan() {
  deps
  if [ ! -f "$ASAN_DIR/build.ninja" ]; then
    local san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    cmake -S "$ROOT" -B "$ASAN_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DREALSYN_BUILD_GUI=OFF -DREALSYN_WITH_TORCH=OFF \
      "-DCMAKE_CXX_FLAGS=$san" "-DCMAKE_EXE_LINKER_FLAGS=$san" "-DCMAKE_SHARED_LINKER_FLAGS=$san" \
      "-DCMAKE_MODULE_LINKER_FLAGS=$san"
  fi
  cmake --build "$ASAN_DIR" -j "$JOBS"
  # Leaks are reported but not fatal: Qt and OpenBLAS keep process-lifetime
  # allocations that LeakSanitizer counts; memory errors and UB still fail.
  (cd "$ASAN_DIR" && ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest --output-on-failure -j "$JOBS" -L unit)
}

run_bench() {
  build
  install_missing "${BENCH_PACKAGES[@]}"
  (cd "$BUILD_DIR" && ctest --output-on-failure -L bench -V)
}

demo() {
  build
  local cli="$BUILD_DIR/bin/realsyn"
  if [ ! -d "$DEMO_DIR" ]; then
    "$cli" init "$DEMO_DIR"
  fi
  "$cli" ingest "$DEMO_DIR" --format html "$DEMO_CORPUS"
  "$cli" run "$DEMO_DIR"
  if [ -x "$BUILD_DIR/bin/realsyn-studio" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec "$BUILD_DIR/bin/realsyn-studio" "$DEMO_DIR"
  fi
  "$cli" stats "$DEMO_DIR"
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  test) run_tests ;;
  demo) demo ;;
  bench) run_bench ;;
  fuzz) run_fuzz ;;
  asan) run_asan ;;
  *) echo "usage: $0 deps|build|test|demo|bench|fuzz|asan" >&2; exit 2 ;;
esac
