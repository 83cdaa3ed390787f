#!/bin/sh
# The protection gate: fails when the change reduces protection (a `risk` in `restorable diff`),
# unless the change also edits the accepted-risks file. CODEOWNERS gives that file to the people
# who own backups, and branch protection requires code-owner review, so a risk merges only when
# someone other than its author approves it (GitHub and GitLab never count an author's own
# approval; a label or a commit message the author can set would be self-approval).
#
# Usage: restorable-gate.sh BASE_COMMIT
#   RESTORABLE_ACCEPTED_RISKS  the accepted-risks file (default policies/ACCEPTED-RISKS.md)
#   RESTORABLE                 how to run restorable (default npx restorable)
set -eu

base="${1:?usage: restorable-gate.sh BASE_COMMIT}"
accepted="${RESTORABLE_ACCEPTED_RISKS:-policies/ACCEPTED-RISKS.md}"
restorable="${RESTORABLE:-npx restorable}"

status=0
$restorable diff --base "$base" --format json > restorable-gate.json || status=$?
if [ "$status" -ne 0 ]; then
  echo "restorable gate: the diff itself failed (exit $status): the policies of one side do not load; fix them first" >&2
  exit "$status"
fi
risks=$(node -e 'const r = JSON.parse(require("fs").readFileSync("restorable-gate.json", "utf8")); process.stdout.write(String(r.summary.risk))')
if [ "$risks" -eq 0 ]; then
  echo "restorable gate: no change reduces protection"
  exit 0
fi
if [ -n "$(git diff --name-only "$base" HEAD -- "$accepted")" ]; then
  echo "restorable gate: $risks risk(s) accepted in $accepted; merging needs a code owner's approval of that file"
  exit 0
fi
echo "restorable gate: $risks change(s) reduce protection (see the protection diff). To merge anyway, record why in $accepted in this change: its code owners must approve it." >&2
exit 1
