// gen_scaling.mjs: a policy set of N policies in the shape of a workload,
// for measuring how decision latency grows with the number of policies.
//
// usage: node gen_scaling.mjs WORKLOAD_DIR N > policies.cedar
//
// The first policies are the workload's own (as many as fit in N); the rest
// are copies of them with the scope narrowed to particular entities, the
// way per-user and per-resource grants multiply in a real deployment: a
// third name a principal (`principal == P`), a third a resource
// (`resource == R`), a third both (only a scope written unconstrained is
// narrowed). Conditions are kept as written, so a copy still has to be
// evaluated whenever it is a candidate.
//
// P and R are drawn (fixed PRNG seed) from a universe that grows with the
// policy count as it does in a deployment with that many grants: the
// principals and resources of the workload's requests plus, past those,
// more ids of the same types and naming pattern (`user_0` .. `user_2499`
// for N = 10,000: max(existing, N/4) per type). Policies about the extra
// ids exist in the set but never apply to the workload's requests.
import fs from 'fs';
import path from 'path';

const [dir, nArg] = process.argv.slice(2);
const N = Number(nArg);
if (!dir || !(N >= 1)) {
	console.error('usage: node gen_scaling.mjs WORKLOAD_DIR N');
	process.exit(2);
}
const text = fs.readFileSync(path.join(dir, 'policies.cedar'), 'utf8');
// the policies: strip line comments, split after each top-level ';'
const body = text.split('\n').map((l) => l.replace(/\/\/.*$/, '')).join('\n');
const orig = body.split(';').map((s) => s.trim()).filter((s) => /^(permit|forbid)/.test(s)).map((s) => s + ';');
const reqs = JSON.parse(fs.readFileSync(path.join(dir, 'requests.json'), 'utf8'));
const uid = (u) => `${u.type}::${JSON.stringify(u.id)}`;
// the universe of one request position: existing uids, then more of each type
function universe(uids) {
	const out = [...new Set(uids.map(uid))].sort();
	const byType = {};
	for (const u of uids) (byType[u.type] ??= new Set()).add(u.id);
	for (const [type, ids] of Object.entries(byType)) {
		const m = [...ids][0].match(/^(.*?)(\d+)$/);
		if (!m) continue;
		for (let k = ids.size; k < Math.floor(N / 4); k++) {
			const id = m[1] + k;
			if (!ids.has(id)) out.push(`${type}::${JSON.stringify(id)}`);
		}
	}
	return out;
}
const principals = universe(reqs.map((r) => r.principal));
const resources = universe(reqs.map((r) => r.resource));

let seed = 12345;
const rnd = (n) => {
	seed = (seed * 1103515245 + 12345) % 2147483648;
	return seed % n;
};
const out = [];
for (let i = 0; i < N; i++) {
	let p = orig[i % orig.length];
	if (i >= orig.length) {
		const canP = /\(\s*principal\s*,/.test(p), canR = /,\s*resource\s*\)/.test(p);
		let k = rnd(3); // 0: principal, 1: resource, 2: both
		if (!canP) k = 1;
		if (!canR) k = canP ? 0 : -1;
		if (k === 0 || k === 2) p = p.replace(/\(\s*principal\s*,/, `(principal == ${principals[rnd(principals.length)]},`);
		if (k === 1 || k === 2) p = p.replace(/,\s*resource\s*\)/, `, resource == ${resources[rnd(resources.length)]})`);
	}
	out.push(p);
}
process.stdout.write(out.join('\n') + '\n');
