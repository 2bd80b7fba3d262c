#!/usr/bin/env bash
# Remakes assets/demo.png, the README's picture: `costtop demo` in a detached tmux of a fixed
# size, captured with its colours (tmux capture-pane -e), turned into HTML (ansi2html from
# Debian's colorized-logs) and photographed by headless Chromium.
#
#   scripts/screenshot.sh [--cols 160] [--rows 45] [--wait 35] [--out assets/demo.png]
#
# --wait is seconds after the demo starts: at the default speed the cache break comes at ~8 s,
# the budget warning at ~18 s, the batch job at ~20 s and the spend spike at ~32 s, and the
# savings pane shows every lever from the start. Tools missing here (tmux, colorized-logs,
# chromium, fonts-dejavu-core) are installed with apt, and the script says so.
#
# Why colorized-logs' ansi2html and not aha or PyPI's ansi2html: the dark theme's title bars are
# reverse video over 24-bit colours, and both of those drop the colour when they reverse it.
set -euo pipefail
cd "$(dirname "$0")/.."

cols=160 rows=45 wait=35 out=assets/demo.png font_px=14 line=1.15
while (($#)); do
    case "$1" in
        --cols) cols=$2; shift 2 ;;
        --rows) rows=$2; shift 2 ;;
        --wait) wait=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "usage: $0 [--cols N] [--rows N] [--wait SECONDS] [--out FILE]" >&2; exit 2 ;;
    esac
done

need=()
command -v tmux >/dev/null || need+=(tmux)
[[ -x /usr/bin/ansi2html ]] || need+=(colorized-logs)
command -v chromium >/dev/null || need+=(chromium)
fc-list 2>/dev/null | grep -q 'DejaVu Sans Mono' || need+=(fonts-dejavu-core)
if ((${#need[@]})); then
    echo "screenshot: installing with apt: ${need[*]}" >&2
    sudo=()
    ((EUID == 0)) || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${need[@]}" >/dev/null
fi

cargo build --release --quiet
bin="$PWD/target/release/costtop"

work=$(mktemp -d)
sock="$work/tmux.sock"
cleanup() {
    tmux -S "$sock" kill-server 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A clean home: no user config, stored price table or theme overrides; the default dark theme.
mkdir -p "$work/config" "$work/data" "$work/cache"
touch "$work/config/none.toml"
tmux -S "$sock" -f /dev/null new-session -d -x "$cols" -y "$rows" \
    env -u NO_COLOR TERM=xterm-256color COLORTERM=truecolor \
    XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache" \
    COSTTOP_CONFIG="$work/config/none.toml" \
    "$bin" demo --seed 7 --theme dark --no-bell
sleep "$wait"
tmux -S "$sock" capture-pane -e -p -t 0 >"$work/screen.ans"
tmux -S "$sock" send-keys -t 0 q

# HTML: the terminal's cells on a dark background, one monospace font with box-drawing glyphs,
# lines exactly one cell tall so borders join.
pad=12
{
    cat <<EOF
<!DOCTYPE html><html><head><meta charset="utf-8"><title>costtop demo</title><style>
html, body { margin: 0; background: #1d2129; }
pre { margin: 0; padding: ${pad}px; color: #d8dee9; background: #1d2129;
      font-family: 'DejaVu Sans Mono', monospace; font-size: ${font_px}px; line-height: ${line};
      font-variant-ligatures: none; }
pre b { font-weight: inherit; }
.BLK, .HIK { color: #1d2129 !important; }
</style></head><body>
EOF
    /usr/bin/ansi2html -n <"$work/screen.ans"
    echo '</body></html>'
} >"$work/screen.html"

# The window is the terminal's size: DejaVu Sans Mono's advance is 0.602 em.
width=$(awk -v c="$cols" -v f="$font_px" -v p="$pad" 'BEGIN { printf "%d", c * f * 0.60205 + 2 * p + 1 }')
height=$(awk -v r="$rows" -v f="$font_px" -v l="$line" -v p="$pad" 'BEGIN { printf "%d", r * f * l + 2 * p + 1 }')
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$work/chromium" --window-size="$width,$height" \
    --screenshot="$out" "file://$work/screen.html" 2>/dev/null
echo "screenshot: $out (${cols}x${rows} after ${wait}s, $(du -k "$out" | cut -f1) KB)"
