# pool_race.sh - the pool race (pool_race.inc) with every worker on this host.
. "$TOP/tests/e2e/lib.sh"
SP=$SLUICE_SPOOL SPOOL_LOCAL=$SLUICE_SPOOL
. "$TOP/tests/e2e/pool_race.inc"
race_all
finish
