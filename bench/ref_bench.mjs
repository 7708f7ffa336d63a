// ref_bench.mjs: times the reference Cedar implementation (the npm package
// @cedar-policy/cedar-wasm, installed by scripts/bench into the build tree)
// on one workload, the way ward bench times ward, and prints one JSON object.
//
// usage: node ref_bench.mjs WORKLOAD_DIR SECONDS
//
// Two measurements:
//   per_call   - statefulIsAuthorized with the policy set and schema
//                pre-parsed, entities passed (and so parsed) on every call:
//                the reference's per-call API, like ward bench --include-load.
//   (the reference has no API that keeps entities parsed between calls)
// Every decision is checked against test.json; a mismatch aborts.
import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';

const require = createRequire(import.meta.url);
const modPath = process.env.CEDAR_WASM_DIR
	? path.join(process.env.CEDAR_WASM_DIR, 'nodejs', 'cedar_wasm.js')
	: '@cedar-policy/cedar-wasm/nodejs';
const cedar = await import(modPath.startsWith('@') ? modPath : 'file://' + modPath);

const [dir, secArg] = process.argv.slice(2);
const seconds = Number(secArg || 5);
const rd = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
const test = JSON.parse(rd('test.json'));
const entities = JSON.parse(rd('entities.json'));
const schema = rd('schema.cedarschema');
const policies = rd('policies.cedar');

let r = cedar.preparsePolicySet('ps', { staticPolicies: policies });
if (r.type !== 'success') throw new Error('policies: ' + JSON.stringify(r));
r = cedar.preparseSchema('schema', schema);
if (r.type !== 'success') throw new Error('schema: ' + JSON.stringify(r));

const reqs = test.requests;
function decide(q) {
	const a = cedar.statefulIsAuthorized({
		principal: q.principal, action: q.action, resource: q.resource, context: q.context,
		preparsedPolicySetId: 'ps', preparsedSchemaName: 'schema', validateRequest: true, entities,
	});
	if (a.type !== 'success') throw new Error('authorization failed: ' + JSON.stringify(a.errors));
	return a.response;
}

// first pass: correctness against test.json
for (const q of reqs) {
	const resp = decide(q);
	const reasons = [...resp.diagnostics.reason].sort();
	if (resp.decision !== q.decision || JSON.stringify(reasons) !== JSON.stringify([...q.reason].sort()))
		throw new Error(`mismatch on ${q.description}: ${resp.decision} ${reasons}`);
}

const lat = [];
const t0 = process.hrtime.bigint();
const deadline = t0 + BigInt(Math.round(seconds * 1e9));
let n = 0;
for (;;) {
	for (const q of reqs) {
		const s = process.hrtime.bigint();
		decide(q);
		lat.push(Number(process.hrtime.bigint() - s));
		n++;
	}
	if (process.hrtime.bigint() >= deadline) break;
}
const total = Number(process.hrtime.bigint() - t0);
lat.sort((a, b) => a - b);
const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
console.log(JSON.stringify({
	engine: 'cedar-wasm ' + cedar.getCedarVersion(), mode: 'per_call_entities', requests: n,
	decisions_per_s: n / (total / 1e9), median_ns: pct(0.5), p90_ns: pct(0.9), p99_ns: pct(0.99),
	max_ns: lat[lat.length - 1],
}));
