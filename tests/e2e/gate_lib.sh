# gate_lib.sh: helpers of the merge-gate tests (t8xxx), sourced after lib.sh.
#
# gate_repo DIR: a policy repository from `ward init` in a fresh git
# repository (branch main, committed by alice@example.com), with reviewer keys
# in $KEYS (alice: platform + security, carol: platform, erin: security, olga:
# platform with a key that expired in 2020) added
# to ward.yaml, then a branch `change` checked out for the change under test.

KEYS=$TMP/keys

# gate_require_commands: the gate commands must be in the command
# table; a binary without one of them fails the test (it is not skipped).
gate_require_commands() {
	for c in check approve keygen ledger init draft; do
		if ! "$WARD" "$c" --help >/dev/null 2>&1; then
			echo "FAIL: 'ward $c' is not in the command table of this binary" >&2
			exit 1
		fi
	done
}

# git_as NAME EMAIL ARGS...: git with the given author and committer.
git_as() {
	n=$1 e=$2
	shift 2
	GIT_AUTHOR_NAME=$n GIT_AUTHOR_EMAIL=$e GIT_COMMITTER_NAME=$n GIT_COMMITTER_EMAIL=$e git "$@"
}

pubkey() { sed -n 's/.*"public_key": "\([^"]*\)".*/\1/p' "$KEYS/$1.key"; }

gate_repo() {
	R=$1
	"$WARD" init "$R" >/dev/null || { echo "ward init failed"; exit 1; }
	mkdir -p "$KEYS"
	for n in alice@example.com carol@example.com erin@example.com olga@example.com; do
		[ -f "$KEYS/$n.key" ] || "$WARD" keygen --name "$n" --out "$KEYS" >/dev/null || { echo "keygen failed"; exit 1; }
	done
	cat >>"$R/ward.yaml" <<EOF

reviewers:
  alice@example.com:
    roles: [platform, security]
    public_key: $(pubkey alice@example.com)
  carol@example.com:
    roles: [platform]
    public_key: $(pubkey carol@example.com)
  erin@example.com:
    roles: [security]
    public_key: $(pubkey erin@example.com)
  olga@example.com:
    roles: [platform]
    public_key: $(pubkey olga@example.com)
    expires: 2020-01-01
EOF
	printf '.ward/\n' >"$R/.gitignore"
	(cd "$R" && git init -q -b main && git add -A && git_as "Alice Admin" alice@example.com commit -qm base &&
		git checkout -qb change) || { echo "git setup failed"; exit 1; }
}

# req_1050 DIR: a production requirement requested by alice.
req_1050() {
	cat >"$1/requests/REQ-1050.yaml" <<'EOF'
id: REQ-1050
ticket: PLAT-1050
justification: Index the production knowledge base for the search service.
requested_by: alice@example.com
owner: platform
subject:
  entity: ServiceAccount::"metrics-collector"
actions: [read, list]
resource:
  in: Bucket::"kb-prod"
environment: prod
constraints:
  source_networks: [10.30.0.0/16]
EOF
}
