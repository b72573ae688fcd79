#!/usr/bin/env bash
# Install a font with Chinese glyphs (Debian fonts-wqy-microhei, ~5 MB) so the PNG/PDF charts can print
# Chinese titles and buyer names (xl_cashrisk/reports/fonts.py finds it). Idempotent and quiet: prints
# nothing when a CJK font is already there. Needs root for apt-get; without it (or without apt-get) it
# says so in one line and exits 0 — the charts then fall back to English titles with one warning line.
set -euo pipefail

has_cjk() { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family 2>/dev/null | grep -q .; }

has_cjk && exit 0
for f in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc; do
    [ -f "$f" ] && exit 0
done
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-cjk-fonts: no CJK font and no root/apt-get: charts keep English titles" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-wqy-microhei fontconfig; } \
        >"$log" 2>&1; then
    cat "$log" >&2  # apt's own words only when it failed
    exit 1
fi
echo "install-cjk-fonts: installed $(fc-list :lang=zh family | head -1)"
