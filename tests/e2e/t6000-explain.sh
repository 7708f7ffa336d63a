#!/usr/bin/env bash
# t6000-explain: `ward explain`, policies and decision paths in plain language.
. "$(dirname "$0")/lib.sh"


in=(-p "$EX/policies.cedar" -s "$EX/schema.cedarschema")

tcase "each policy, in the schema's terms"
ward explain "${in[@]}"
expect_status 0
expect_err_empty
expect_out_has 'permit ci-dev-buckets: CI jobs may read and write buckets in dev
  allows any CiJob
  to read or write
  on any Bucket in Environment::"dev"
  with no conditions'
expect_out_has 'forbid guardrail-prod-from-corp-network: production is reachable from the corporate network only
  forbids any principal
  to perform any action (readOnly, read, write, delete, readSecret)
  on Environment::"prod" or any member of it (Bucket, Database or Secret)
  except when the request comes from 10.0.0.0/8'
expect_out_has '  to any action in readOnly (read)'
expect_out_has '  only when the principal'"'"'s repository matches "github.com/acme/*"'

tcase "risky shapes are called out"
ward explain "${in[@]}" --id service-accounts-own-data
expect_status 0
expect_out "permit service-accounts-own-data: a service account reads and writes the data its team owns
  allows any ServiceAccount
  to read or write
  on any resource
  only when the resource's owner is the principal's owner
  note: wildcard: any resource
  may be overridden by: guardrail-prod-from-corp-network, guardrail-restricted-needs-ticket"

tcase "with entities, forbids that cannot overlap are left out"
ward explain "${in[@]}" --entities "$EX/entities.json" --id ci-dev-buckets
expect_status 0
expect_out_has "  no forbid can override it"

tcase "a directory of policies (every .cedar file under it)"
ward explain -p "$DATA/t6/repo/policies" -s "$DATA/t6/repo/schema.cedarschema"
expect_status 0
expect_out "permit REQ-7: the exporter reads invoices from the payments network until March 2027
  allows Svc::\"exporter\"
  to read
  on Bucket::\"inv-prod\"
  only when the resource's environment is \"prod\"
  only when the request comes from 10.20.0.0/16
  until 2027-03-01
  no forbid can override it

forbid prod-writes-need-mfa
  forbids any principal
  to write or delete
  on any resource
  only when the resource's environment is \"prod\"
  except when the request's mfa is true"

tcase "unknown policy id is an error"
ward explain "${in[@]}" --id nope
expect_status 1
expect_out_empty
expect_err_has "no policy with id 'nope'"

tcase "decision: forbidden, with the permit it overrides"
ward explain "${in[@]}" --entities "$EX/entities.json" --request-json "$EX/requests/billing-from-outside.json"
expect_status 0
expect_out_has 'decision: DENY
verdict: forbidden by guardrail-prod-from-corp-network, which overrides the permit service-accounts-own-data
forbid guardrail-prod-from-corp-network: applies: its scope matches and every condition holds
  except when the request comes from 10.0.0.0/8: did not hold
permit service-accounts-own-data: applies, but a forbid overrides it'

tcase "decision: not permitted, with the first false condition and its value"
ward explain "${in[@]}" --entities "$EX/entities.json" --request-json "$EX/requests/ci-preview-writes-prod.json"
expect_status 0
expect_out_has 'verdict: not permitted: no permit applies
permit ci-main-deploys-prod: does not apply: it requires that the principal'"'"'s branch is "main", which is false
  only when the principal'"'"'s branch is "main": did not hold
    principal.branch = "feature/new-checkout"'
expect_out_has "9 other policies: scope does not match the request"

tcase "decision: --all lists every scope miss"
ward explain "${in[@]}" --entities "$EX/entities.json" --request-json "$EX/requests/ci-preview-writes-prod.json" --all
expect_status 0
expect_out_has 'permit ci-dev-buckets: does not apply: the resource Bucket::"web-assets-prod" is not in Environment::"dev"'
expect_out_has 'forbid guardrail-agents-no-secrets: does not apply: the principal CiJob::"web-preview-pr-1234" is not an Agent'

tcase "decision: allowed, from -l/-a/-r/-c"
ward explain "${in[@]}" --entities "$EX/entities.json" -l 'Agent::"support-copilot"' -a 'Action::"read"' \
	-r 'Database::"orders-dev"' -c "$EX/context/corp-network.json"
expect_status 0
expect_out_has "verdict: allowed by agents-read-dev"

tcase "decision as JSON"
ward explain "${in[@]}" --entities "$EX/entities.json" --request-json "$EX/requests/agent-reads-secret.json" --format json
expect_status 0
expect_out_has '"decision":"deny","verdict":"forbidden by guardrail-agents-no-secrets","determining":["guardrail-agents-no-secrets"]'
expect_out_has '{"id":"guardrail-agents-no-secrets","effect":"forbid","status":"applies"'

tcase "policies as JSON"
ward explain "${in[@]}" --id guardrail-prod-from-corp-network --format json
expect_status 0
expect_out_has '"conditions":[{"kind":"unless","cedar":"context.sourceIp.isInRange(ip(\"10.0.0.0/8\"))","sentence":"except when the request comes from 10.0.0.0/8"}]'

tcase "--id with a request is a usage error"
ward explain "${in[@]}" --entities "$EX/entities.json" --request-json "$EX/requests/agent-reads-secret.json" --id x
expect_status 1
expect_err_has "cannot be combined with a request"

tcase "policies from standard input"
STDIN=$EX/policies.cedar ward explain --id agents-read-dev
expect_status 0
expect_out_has "permit agents-read-dev: AI agents may read anything in dev"
STDIN=$EX/policies.cedar ward explain --id nope
expect_status 1
expect_err_has "no policy with id 'nope' in '<stdin>'"

tcase "a policy syntax error is located"
ward explain -p "$DATA/bad-syntax.cedar"
expect_status 1
expect_out_empty
expect_caret

finish
