#!/bin/sh
# Renders screenshots of realsyn-studio's main views into docs/screenshots/
# (main window, browser, inspector, thresholds, pipeline, cluster balance)
# from a real project, under Xvfb when it is installed, else with Qt's
# offscreen platform (same pixels, no window manager decorations).
#
# usage: packaging/screenshots.sh PROJECT_DIR [BUILD_DIR] [SAMPLE_ID]
# A project: realsyn init P && realsyn ingest P --format html
#            /usr/share/gimp/2.0/help/en && realsyn run P
set -eu
project=${1:?usage: packaging/screenshots.sh PROJECT_DIR [BUILD_DIR] [SAMPLE_ID]}
build=${2:-build}
sample=${3:-}
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/docs/screenshots"
studio="$build/bin/realsyn-studio"
[ -x "$studio" ] || { echo "screenshots.sh: no $studio; build the realsyn-studio target first" >&2; exit 1; }
mkdir -p "$out"
# A throw-away settings home: no window layout or recent projects of the
# user's leak into the pictures.
settings=$(mktemp -d)
trap 'rm -rf "$settings"' EXIT
set -- "$project" --screenshots "$out"
[ -n "$sample" ] && set -- "$@" --select "$sample"
if command -v xvfb-run >/dev/null 2>&1; then
    XDG_CONFIG_HOME="$settings" xvfb-run -a -s "-screen 0 1600x1000x24" "$studio" "$@"
else
    XDG_CONFIG_HOME="$settings" QT_QPA_PLATFORM=offscreen "$studio" "$@"
fi
ls -l "$out"
