# claim_race.sh - the claim race (claim_race.inc) with every claimer here.
. "$TOP/tests/e2e/lib.sh"
SP=$SLUICE_SPOOL SPOOL_LOCAL=$SLUICE_SPOOL
. "$TOP/tests/e2e/claim_race.inc"
claim_race
finish
