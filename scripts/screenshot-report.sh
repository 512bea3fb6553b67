#!/usr/bin/env bash
# Screenshot an omnimix HTML report (report.html or compare.html) in headless
# Chromium, to check how it looks:
#   scripts/screenshot-report.sh out/report.html [SHOT.png] [HEIGHT] [SECTION]
# SECTION (summary, plan, countries, channels, service, risk, assumptions; for
# compare.html: summary, differences, charts, assumptions) shows that section alone.
# Needs Debian's chromium (apt-get install -y chromium). The report loads nothing
# from the network; --no-sandbox is for running as root in a container.
set -euo pipefail
html=${1:?usage: $0 REPORT.html [SHOT.png] [HEIGHT] [SECTION]}
png=${2:-${html%.html}.png}
height=${3:-4000}
section=${4:-}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "no chromium found: apt-get install -y chromium" >&2
    exit 1
fi
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
if [ -n "$section" ]; then
    # a copy beside the report that shows the header and one section
    copy=$(dirname "$abs")/.screenshot-$section.html
    sed "s|</head>|<style>section:not(#$section){display:none}</style></head>|" "$abs" >"$copy"
    abs=$copy
fi
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1280,"$height" --screenshot="$png" "file://$abs" >/dev/null 2>&1
if [ -n "$section" ]; then rm -f "$abs"; fi
echo "wrote $png"
