#!/usr/bin/env bash
# One case from report to closed against `npm start` (the embedded default), with curl. The README shows these
# same commands; run the file from the repository's top folder: bash examples/walkthrough.sh
set -euo pipefail
API=${API:-http://127.0.0.1:3000}
KEYS=${PRINCIPALS_FILE:-${DATA_DIR:-.data}/principals.json}
key() { node -e "console.log(require(require('path').resolve('$KEYS')).find(p => p.name === '$1').key)"; }
field() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s);console.log($1)})"; }
ADMIN=$(key admin); INSURED=$(key insured-ins-001); HANDLER=$(key handler); SUPERVISOR=$(key supervisor)
json=(-H 'Content-Type: application/json')

# 1. The insurer registers the policy (admin).
curl -sf -X PUT "$API/v1/policies/PL-2026-000123" -H "Authorization: Bearer $ADMIN" "${json[@]}" \
  -d @examples/policy.json >/dev/null

# 2. The insured files the incident; the same Idempotency-Key and body give the same case back.
CASE=$(curl -sf -X POST "$API/v1/cases" -H "Authorization: Bearer $INSURED" "${json[@]}" \
  -H "Idempotency-Key: walkthrough-$(date +%s)" -d @examples/incident.json | field v.caseId)
echo "case $CASE"
curl -sf "$API/v1/cases/$CASE" -H "Authorization: Bearer $INSURED" \
  | field '`${v.status}, coverage ${v.coverage.decision}, severity ${v.severity}, next deadline ${v.nextDeadline}`'

# 3. A handler takes it; the insured uploads the affected persons (CSV, streamed, stored encrypted).
act() { curl -sf -X POST "$API/v1/cases/$CASE/actions/$2" -H "Authorization: Bearer $1" "${json[@]}" -d "$3"; }
act "$HANDLER" assign '{"assignee":"handler"}' >/dev/null
curl -sf -X PUT "$API/v1/cases/$CASE/affected-persons" -H "Authorization: Bearer $INSURED" \
  -H 'Content-Type: text/csv' --data-binary @examples/persons.csv | field '`${v.ref.accepted} persons, ${v.ref.duplicates} duplicate(s)`'

# 4. Consent to apology vouchers. Counsel approves a version of the notice draft (here the handler records it on
#    counsel's behalf; counsel's own webhook `notice_approved` does the same), then the notice: the campaign starts
#    and sends exactly that version. (A vendor's findings may move the draft on in between: read it again.)
act "$HANDLER" consent '{"category":"apology_payment"}' >/dev/null
until curl -sf "$API/v1/cases/$CASE/notice-preview?lang=ja" -H "Authorization: Bearer $HANDLER" >/dev/null; do sleep 1; done
for try in 1 2 3 4 5; do
  VERSION=$(curl -sf "$API/v1/cases/$CASE/notice-preview?lang=ja" -H "Authorization: Bearer $HANDLER" | field 'v.version')
  act "$HANDLER" approve-notice-draft "{\"language\":\"ja\",\"version\":$VERSION,\"onBehalfOf\":\"Law Office\"}" >/dev/null || true
  act "$HANDLER" approve-notice '{"language":"ja"}' >/dev/null 2>&1 && break
  [ "$try" = 5 ] && { echo "notice not approved" >&2; exit 1; }
  sleep 1
done
until curl -sf "$API/v1/cases/$CASE" -H "Authorization: Bearer $HANDLER" | field 'v.notifications.status' | grep -q done; do sleep 1; done
curl -sf "$API/v1/cases/$CASE" -H "Authorization: Bearer $HANDLER" \
  | field '`notices: ${v.notifications.sent} e-mails, ${v.notifications.letters} letter(s)`'

# (Given API2, the rest goes through a second API instance: scripts/cluster-check.mjs on a cluster with two.)
API=${API2:-$API}

# 5. The insured records its reports to the regulator (the PPC's preliminary and final reports).
for kind in preliminary final; do
  act "$INSURED" record-filing "{\"regime\":\"JP-APPI\",\"kind\":\"$kind\",\"filedAt\":\"$(date -u +%FT%TZ)\",\"reference\":\"PPC-$kind\"}" >/dev/null
done

# 6. Costs: panel vendors' invoices arrive by webhook; the insured adds postage. A handler approves the payout;
#    above the handler's authority it waits for a supervisor.
act "$INSURED" submit-costs '{"items":[{"category":"notification","amountJpy":300,"evidenceRef":"postage-receipt-001"}]}' >/dev/null
sleep 5
STATUS=$(act "$HANDLER" approve-payout '{}' | field 'v.payouts.at(-1).status')
[ "$STATUS" = awaiting_supervisor ] && act "$SUPERVISOR" approve-payout '{}' >/dev/null
until curl -sf "$API/v1/cases/$CASE" -H "Authorization: Bearer $HANDLER" | field 'v.payouts.every(p => p.status === "paid")' | grep -q true; do sleep 1; done
curl -sf "$API/v1/cases/$CASE" -H "Authorization: Bearer $HANDLER" | field '`paid ${v.settlement.paidJpy} JPY`'

# 7. Close, and read the timeline.
act "$HANDLER" close '{"reason":"notices sent, reports filed, covered costs paid"}' | field '`status ${v.status}`'
curl -sf "$API/v1/cases/$CASE/timeline" -H "Authorization: Bearer $HANDLER" | field 'v.length + " timeline entries"'
