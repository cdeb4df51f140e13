#!/usr/bin/env bash
# Renders a manager's workbook in LibreOffice Calc (under Xvfb) and saves what a manager sees as
# docs/manager-workbook.png. Needs: apt-get install -y libreoffice-calc xvfb imagemagick xdotool.
#
#   bench/screenshot.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product goody-batch >&2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; kill $XVFB 2>/dev/null || true' EXIT
cat > "$WORK/team.csv" <<'CSV'
Employee Number,First Name,Last Name,Work Email,Home Address,City,State,ZIP,Personal Phone,Bonus,Reports To
00041,Ana,Lee,ana.lee@acme.example,1 Main St,Boston,MA,02134,617-555-0100,5000,Renée Côté
00042,Ben,Okafor,ben.okafor@acme.example,2 Elm St,Newark,NJ,07102,973-555-0101,4000,Renee Cote
00043,Cy,Wu,cy.wu@acme.example,3 Oak St,Boston,MA,02135,617-555-0102,3000,Renée Côté
00044,Dana,Ng,dana.ng@acme.example,,Boston,MA,02136,617-555-0103,2000,Renée Côté
12345678901234567890,Eli,Roe,eli.roe@acme.example,5 Pine St,Austin,TX,73301,512-555-0104,1000,Renée Côté
CSV
(cd "$WORK" && GOODY_API_KEY= XDG_STATE_HOME="$WORK/state" "$OLDPWD/.build/debug/goody-batch" send team.csv \
    --send-method direct_send --product "Succulent Trio" --from-name "People Team" --expires 2027-01-31 \
    --split-by "Reports To" --yes) || true
export DISPLAY=:99
Xvfb :99 -screen 0 1400x500x24 >/dev/null 2>&1 &
XVFB=$!
sleep 2
soffice --nologo --norestore --view "$WORK/team.results.renee-cote.xlsx" >/dev/null 2>&1 &
sleep 25
for window in $(xdotool search --name "renee"); do xdotool windowmove "$window" 0 0 windowsize "$window" 1400 330; done
sleep 4
import -window root -crop 1400x330+0+0 docs/manager-workbook.png
pkill -f "soffice.*renee-cote" || true
echo "wrote docs/manager-workbook.png"
