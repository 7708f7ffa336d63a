// check_expected.mjs: compares `ward authorize --requests` output (JSON Lines
// on standard input, one {"decision","reasons","errors"} per request) with
// the expected answers of a workload's test.json. Exit 0 when every
// decision, reason set and error set agrees, else 1 with the differences.
//
// usage: ward authorize ... --requests W/requests.json --format json | node check_expected.mjs W/test.json
import fs from 'fs';

const test = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const lines = fs.readFileSync(0, 'utf8').split('\n').filter((l) => l.trim() !== '');
const want = test.requests;
let bad = 0;
if (lines.length !== want.length) {
	console.error(`expected ${want.length} answers, got ${lines.length}`);
	process.exit(1);
}
const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
want.forEach((q, i) => {
	const got = JSON.parse(lines[i]);
	const errs = (got.errors || []).map((e) => e.policy);
	const xerrs = (q.errors || []).map((e) => (typeof e === 'string' ? e : e.policyId));
	if (got.decision !== q.decision || !same(got.reasons, q.reason) || !same(errs, xerrs)) {
		if (bad++ < 10)
			console.error(`${q.description}: expected ${q.decision} ${JSON.stringify(q.reason)}, ` +
				`got ${got.decision} ${JSON.stringify(got.reasons)} errors ${JSON.stringify(errs)}`);
	}
});
if (bad) {
	console.error(`${bad} of ${want.length} answers differ from ${process.argv[2]}`);
	process.exit(1);
}
console.log(`${want.length} decisions equal to ${process.argv[2]}`);
