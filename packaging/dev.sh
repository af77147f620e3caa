#!/usr/bin/env bash
# RealSyn Studio developer entry point.
#
#   packaging/dev.sh deps    install missing Debian packages (apt), nothing else
#   packaging/dev.sh build   deps + configure (CMake, Ninja, ccache) + build
#   packaging/dev.sh test    build + CTest (all labels except bench and gpu)
#   packaging/dev.sh demo    build + demo corpus + project + every stage + GUI or stats
#   packaging/dev.sh bench   build + the benchmarks (label bench), by hand only
#
# Environment: BUILD_DIR (default build), DEMO_DIR (default ~/realsyn-demo),
# JOBS (default: all cores).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
JOBS=${JOBS:-$(nproc)}
DEMO_DIR=${DEMO_DIR:-$HOME/realsyn-demo}
DEMO_CORPUS=/usr/share/gimp/2.0/help/en

# Build and runtime packages, Debian 12 names. Keep in sync with README.md.
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libqt6opengl6-dev libgl-dev
  libsqlite3-dev
  libtorch-dev python3-torch python3-numpy
  libfaiss-dev libopenblas0-pthread libopenblas-dev
  libopencv-dev libopencv-contrib-dev opencv-data
  libqcustomplot-dev libqcustomplot2.1-qt6
  libgumbo-dev libicu-dev libarchive-dev
  libtesseract-dev tesseract-ocr-eng
  xvfb xauth
  gimp-help-en
)

# ccache keys on absolute paths unless told the tree's root: with it, a
# fresh clone elsewhere (CI) reuses what an earlier build compiled.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$ROOT}

log() { printf '[dev.sh] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "all ${#PACKAGES[@]} packages present"
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
}

run_tests() {
  build
  # Both cores: the suites are independent processes.
  (cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS" -LE 'bench|gpu')
}

run_bench() {
  build
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
  *) echo "usage: $0 deps|build|test|demo|bench" >&2; exit 2 ;;
esac
