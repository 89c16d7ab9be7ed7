#!/usr/bin/env bash
# Copies the manual's screenshots from the browser tests' output
# (target/screenshots, written by `LOKET_TEST_BROWSER=1 cargo test`, which
# scripts/test.sh runs) into docs/img, so the manual shows the pages as the
# tests last saw them. Run it after a green scripts/test.sh and commit
# docs/img.
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:-target/screenshots}"
# (screenshot, the page of the manual that shows it)
shots=(
  catalogue cases
  apply-move cases
  case-resident-permit cases
  case-staff cases
  appointment-slots appointments
  appointments-day appointments
  queue-kiosk queue
  queue-desk-serving queue
  queue-display-room queue
  contact-new-live-results contact
  forwards contact
  telework-calendar telework
  telework-team telework
  bikes-reserve bikes
  bikes-dashboard bikes
  assets-list assets
  vac-check-in-found vaccination
  vac-dashboard vaccination
  shifts-coverage shifts
  staff-home-team-lead people
  privacy-nl privacy
)
mkdir -p docs/img
missing=0
for ((i = 0; i < ${#shots[@]}; i += 2)); do
  name="${shots[i]}"
  if [ -f "$src/$name.png" ]; then
    cp "$src/$name.png" "docs/img/$name.png"
  else
    echo "missing: $src/$name.png (run the browser tests first)" >&2
    missing=1
  fi
done
exit "$missing"
