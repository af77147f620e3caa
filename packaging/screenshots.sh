#!/bin/sh
# Renders screenshots of realsyn-studio's main views into docs/screenshots/
# (main window, browser, inspector, thresholds, pipeline, cluster balance,
# duplicate review, and the main window at 1280×720 and 1920×1080 in light and
# dark colours, alone and with the tool docks raised: the duplicate review,
# Map and Search, Provenance and Snapshots)
# from a real project, under Xvfb when it is installed, else with Qt's
# offscreen platform (same pixels, no window manager decorations).
#
# usage: packaging/screenshots.sh PROJECT_DIR [BUILD_DIR] [SAMPLE_ID] [QUERY]
# QUERY (default "layer"): what the Search dock searches for in the shots.
# A project: realsyn init P && realsyn ingest P --format html
#            /usr/share/gimp/2.0/help/en && realsyn run P
set -eu
project=${1:?usage: packaging/screenshots.sh PROJECT_DIR [BUILD_DIR] [SAMPLE_ID]}
build=${2:-build}
sample=${3:-}
query=${4:-layer}
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/docs/screenshots"
studio="$build/bin/realsyn-studio"
[ -x "$studio" ] || { echo "screenshots.sh: no $studio; build the realsyn-studio target first" >&2; exit 1; }
mkdir -p "$out"
# A throw-away settings home: no window layout or recent projects of the
# user's leak into the pictures.
settings=$(mktemp -d)
trap 'rm -rf "$settings"' EXIT
# shoot SIZE SCHEME DIR: the whole window at SIZE (WxH) in SCHEME (light|dark).
shoot() {
    set -- "$project" --screenshots "$3" --size "$1" "--$2" --search "$query"
    [ -n "$sample" ] && set -- "$@" --select "$sample"
    if command -v xvfb-run >/dev/null 2>&1; then
        XDG_CONFIG_HOME="$settings" xvfb-run -a -s "-screen 0 1920x1080x24" "$studio" "$@"
    else
        XDG_CONFIG_HOME="$settings" QT_QPA_PLATFORM=offscreen "$studio" "$@"
    fi
}
# The views one by one (browser.png, inspector.png, ...) at 1920×1080 light,
# and the whole window at two common sizes in both schemes.
shoot 1920x1080 light "$out"
rm -f "$out/main-duplicates.png" # kept per size and scheme below
for size in 1280x720 1920x1080; do
    for scheme in light dark; do
        tmp="$settings/shots-$size-$scheme"
        shoot "$size" "$scheme" "$tmp"
        cp "$tmp/main.png" "$out/main-$size-$scheme.png"
        cp "$tmp/main-duplicates.png" "$out/duplicates-$size-$scheme.png"
        cp "$tmp/map-search.png" "$out/map-search-$size-$scheme.png"
        cp "$tmp/provenance-snapshots.png" "$out/provenance-snapshots-$size-$scheme.png"
    done
done
ls -l "$out"
