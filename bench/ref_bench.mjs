// ref_bench.mjs: times the reference Cedar implementation (the npm package
// @cedar-policy/cedar-wasm, installed by scripts/bench into the build tree)
// on one workload, the way `ward bench --include-load` times ward, and
// prints one JSON object.
//
// usage: node ref_bench.mjs WORKLOAD_DIR SECONDS [--no-check] [--entities FILE] [--text]
//   CEDAR_WASM_DIR  the installed package directory (else resolved by Node)
//
// What is timed: statefulIsAuthorized with the policy set and the schema
// pre-parsed (preparsePolicySet / preparseSchema) and the entities passed,
// and so parsed and validated, on every call: the reference's per-call API.
// It has no API that keeps entities parsed between calls. By default the
// entities are passed as the JavaScript object JSON.parse made of the file
// once; with --text, every timed call starts from the file's JSON text
// (JSON.parse inside the timed call), as `ward bench --include-load` does.
// --entities FILE: the entities file (default WORKLOAD_DIR/entities.json).
//
// Correctness: unless --no-check, a first pass decides every request of
// test.json and compares decision and reasons; in the timed loop every
// decision is compared with test.json too. A mismatch aborts (exit 1).
// The timed loop cycles through the requests until SECONDS have passed
// (at least 20 decisions), timing each call with process.hrtime.
import fs from 'fs';
import path from 'path';

const args = process.argv.slice(2);
const check = !args.includes('--no-check');
const perCallText = args.includes('--text');
const ei = args.indexOf('--entities');
const entFile = ei >= 0 ? args[ei + 1] : null;
const [dir, secArg] = args.filter((a, i) => !a.startsWith('--') && !(ei >= 0 && i === ei + 1));
if (!dir) {
	console.error('usage: node ref_bench.mjs WORKLOAD_DIR SECONDS [--no-check] [--entities FILE] [--text]');
	process.exit(2);
}
const seconds = Number(secArg || 5);
const modPath = process.env.CEDAR_WASM_DIR
	? 'file://' + path.resolve(process.env.CEDAR_WASM_DIR, 'nodejs', 'cedar_wasm.js')
	: '@cedar-policy/cedar-wasm/nodejs';
const cedar = await import(modPath);

const rd = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
const test = JSON.parse(rd('test.json'));
const entText = entFile ? fs.readFileSync(entFile, 'utf8') : rd('entities.json');
const entities = JSON.parse(entText);
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
		preparsedPolicySetId: 'ps', preparsedSchemaName: 'schema', validateRequest: true,
		entities: perCallText ? JSON.parse(entText) : entities,
	});
	if (a.type !== 'success') throw new Error('authorization failed: ' + JSON.stringify(a.errors));
	return a.response;
}

function verify(q, resp) {
	const reasons = [...resp.diagnostics.reason].sort();
	if (resp.decision !== q.decision || JSON.stringify(reasons) !== JSON.stringify([...q.reason].sort())) {
		console.error(`mismatch on ${q.description}: ${resp.decision} ${reasons}`);
		process.exit(1);
	}
}

if (check)
	for (const q of reqs) verify(q, decide(q));

const lat = [];
const t0 = process.hrtime.bigint();
const deadline = t0 + BigInt(Math.round(seconds * 1e9));
let n = 0;
for (let i = 0; ; i = (i + 1) % reqs.length) {
	const q = reqs[i];
	const s = process.hrtime.bigint();
	const resp = decide(q);
	const e = process.hrtime.bigint();
	lat.push(Number(e - s));
	n++;
	verify(q, resp);
	if (e >= deadline && n >= 20) break;
}
const total = Number(process.hrtime.bigint() - t0);
lat.sort((a, b) => a - b);
const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
console.log(JSON.stringify({
	engine: 'cedar-wasm ' + cedar.getCedarVersion(), mode: perCallText ? 'per_call_entities_text' : 'per_call_entities', requests: reqs.length,
	decisions: n, checked_first_pass: check, decisions_per_s: n / (total / 1e9), median_ns: pct(0.5),
	p90_ns: pct(0.9), p99_ns: pct(0.99), max_ns: lat[lat.length - 1],
}));
