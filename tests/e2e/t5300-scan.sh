#!/usr/bin/env bash
# t5300-scan: `ward scan` finds credentials by location, never prints them
# in full, honours ward.yaml's allowlist, and passes look-alikes.
. "$(dirname "$0")/lib.sh"

# Credentials are assembled here so this file holds none itself.
AWS="AKIA""R4T7WQ2ZK9LM3XNP"
GH="ghp_""aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
PEM_HEAD="-----BEGIN RSA ""PRIVATE KEY-----"
mkdir -p "$TMP/src/sub" "$TMP/src/.git"
cat >"$TMP/src/app.env" <<EOF
# service configuration
AWS_ACCESS_KEY_ID=$AWS
DATABASE_URL=postgres://app:Tr0ub4dor-xK9q@db.internal:5432/app
EOF
cat >"$TMP/src/sub/key.pem" <<EOF
$PEM_HEAD
MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun
-----END RSA PRIVATE KEY-----
EOF
cat >"$TMP/src/sub/ci.yaml" <<EOF
token: $GH
EOF
cat >"$TMP/src/.git/config" <<EOF
hidden: $GH
EOF
cat >"$TMP/clean.txt" <<'EOF'
commit 3f786850e387550fdab836ed7e6dc881de23001b
id: 123e4567-e89b-12d3-a456-426614174000
sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
password: ${DB_PASSWORD}
url: postgres://app:****@db:5432/app
path: /usr/local/share/ward/templates/object-read.cedar
EOF

tcase "findings are located and redacted"
ward scan "$TMP/src"
expect_status 1
expect_out_has "$TMP/src/app.env:2:19: error: AWS access key id (AKIAR...(20 chars))"
expect_out_has "$TMP/src/app.env:3:29: error: password in a connection string (Tr0...(14 chars))"
expect_out_has "$TMP/src/sub/ci.yaml:1:8: error: GitHub token (ghp_aB...(40 chars))"
expect_out_has "$TMP/src/sub/key.pem:1:1: error: private key block"
case $out in *"$AWS"* | *"$GH"* | *Tr0ub4dor-xK9q*) fail "a secret was printed in full" ;; esac
expect_err_has "3 files scanned, 4 secrets found"

tcase "hidden directories are skipped"
case $out in *".git"*) fail "scanned .git" ;; esac

tcase "look-alikes pass"
ward scan "$TMP/clean.txt"
expect_status 0
expect_out_empty
expect_err_has "1 file scanned, 0 secrets found"

tcase "JSON output"
ward scan --format json "$TMP/src/sub/ci.yaml"
expect_status 1
expect_out_has '"rule": "github-token"'
expect_out_has '"line": 1, "column": 8'
case $out in *"$GH"*) fail "secret in JSON output" ;; esac

tcase "the repository allowlist applies"
R=$TMP/repo
"$WARD" init "$R" >/dev/null
printf 'key: %s\n' "$AWS" >"$R/notes.txt"
ward scan --repo "$R" "$R/notes.txt"
expect_status 1
sed -i "s/- 'AKIAIOSFODNN7EXAMPLE'/- 'AKIAIOSFODNN7EXAMPLE'\n    - '^AKIAR4T7'/" "$R/ward.yaml"
ward scan --repo "$R" "$R/notes.txt"
expect_status 0

tcase "a bad allowlist pattern is an error"
sed -i "s/- '^AKIAR4T7'/- '(unclosed'/" "$R/ward.yaml"
ward scan --repo "$R" "$R/notes.txt"
expect_failure
expect_err_has "secrets allowlist pattern '(unclosed' does not compile"

tcase "a missing path"
ward scan "$TMP/nope"
expect_failure
expect_err_has "cannot read '$TMP/nope'"

finish
