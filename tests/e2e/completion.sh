# completion.sh - etc/sluice.bash-completion: groups, commands and options
# (read from the programs' --help), pool, queue, deployment and run names
# from the spool, state words; and every option of every command's
# synopsis completes.
. "$TOP/tests/e2e/lib.sh"
command -v bash >/dev/null 2>&1 || { echo "no bash" >&2; exit 77; }
PATH=$TOP/bin:$PATH
export PATH
S work-pool create alpha >/dev/null
S work-pool create beta >/dev/null
S work-queue create critical -p alpha >/dev/null
S work-queue create low -p beta >/dev/null
S deployment create nightly -p alpha --cron '0 2 * * *' -- true >/dev/null
id=$(S submit -p alpha --name r1 -- true)

# comp LINE: what completing the last word of LINE offers, sorted, one line
comp() {
	bash --norc --noprofile -c '
. "$1"
read -ra COMP_WORDS <<<"$2"
case $2 in *" ") COMP_WORDS+=("") ;; esac
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$2 COMP_POINT=${#2}
_sluice
[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
' sh "$TOP/etc/sluice.bash-completion" "$1"
}
got=$(comp "sluice ")
for w in work-pool work-queue submit flow-run deployment agent config status metrics; do
	case " $got" in *" $w "*) ;; *) fail "'sluice ' does not offer $w: $got" ;; esac
done
ok "sluice <TAB>: the groups"
equals "$(comp "sluice work-pool cr")" "create " "sluice work-pool cr<TAB>: create"
equals "$(comp "sluice work-queue ls -p ")" "alpha beta " "-p <TAB>: the pools"
equals "$(comp "sluice work-queue inspect -p alpha ")" "critical default " "work-queue inspect -p alpha <TAB>: its queues"
equals "$(comp "sluice submit -p beta -q ")" "default low " "submit -p beta -q <TAB>: beta's queues"
equals "$(comp "sluice deployment inspect ")" "nightly " "deployment inspect <TAB>: the deployments"
equals "$(comp "sluice flow-run inspect ${id%${id#??}}")" "$id " "flow-run inspect XX<TAB>: the run, by the id index"
equals "$(comp "sluice flow-run inspect ")" "" "flow-run inspect <TAB>: no run listing before two characters"
equals "$(comp "sluice flow-run ls --state Ca")" "Cancelled Cancelling " "--state Ca<TAB>: state words"
equals "$(comp "sluice work-pool create -t ")" "prefect-agent " "-t <TAB>: the one pool type"
case $(comp "sluice-agent --") in *--prefetch-seconds*--run-once*) ok "sluice-agent --<TAB>: its options" ;;
*) fail "sluice-agent --: $(comp "sluice-agent --")" ;; esac
equals "$(comp "sluice submit -p alpha -- ec")" "" "after --: nothing (the command's own words)"
# every option of every command's synopsis completes
for g in work-pool work-queue flow-run deployment; do
	for c in $(S $g --help | sed -n "s/^  sluice $g \([a-z-]*\).*/\1/p"); do
		offered=$(comp "sluice $g $c --")
		for o in $(S $g $c --help | head -n 1 | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			case " $offered" in *" $o "*) ;; *) fail "sluice $g $c --<TAB> lacks $o" ;; esac
		done
	done
done
ok "every command's options complete"
finish
