// report.mjs: turns the raw results of scripts/bench into the ward-vs-
// reference table. Reads RAW_DIR/<workload>.<mode>.<run>.json (one JSON
// object each: `ward bench --format json` or ref_bench.mjs output), takes
// the median over runs of every figure, prints the table and writes it with
// the machine description to OUT_MD.
//
// usage: node report.mjs RAW_DIR OUT_MD
// modes: ward (pre-loaded), ward2t (pre-loaded, 2 threads), wardload
// (--include-load, the file's text), ref (cedar-wasm per-call API, the
// object parsed from the file once), wardtext and reftext (both parse the
// same compact JSON text on every call).
import fs from 'fs';
import os from 'os';
import path from 'path';

const [rawDir, outMd] = process.argv.slice(2);
const res = {};
for (const f of fs.readdirSync(rawDir)) {
	const m = f.match(/^(\w+)\.(\w+)\.(\d+)\.json$/);
	if (!m) continue;
	const [, w, mode] = m;
	((res[w] ??= {})[mode] ??= []).push(JSON.parse(fs.readFileSync(path.join(rawDir, f), 'utf8')));
}
const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const med = (w, mode, key) => (res[w]?.[mode] ? median(res[w][mode].map((r) => r[key])) : NaN);
const fmtNs = (ns) => (isNaN(ns) ? 'n/a' : ns >= 1e6 ? (ns / 1e6).toFixed(2) + ' ms' : ns >= 1e4 ? (ns / 1e3).toFixed(1) + ' µs' : Math.round(ns) + ' ns');
const fmtRate = (r) => (isNaN(r) ? 'n/a' : r >= 1e6 ? (r / 1e6).toFixed(2) + 'M' : r >= 1e3 ? (r / 1e3).toFixed(1) + 'k' : r.toFixed(1));
const fmtX = (x) => (isNaN(x) ? 'n/a' : x >= 100 ? Math.round(x) + '×' : x.toFixed(1) + '×');

const rows = [];
for (const w of Object.keys(res).sort().filter((k) => res[k].ward || res[k].ref)) {
	const runs = Math.max(...Object.values(res[w]).map((a) => a.length));
	rows.push({
		w, runs,
		pre_med: med(w, 'ward', 'median_ns'), pre_p99: med(w, 'ward', 'p99_ns'), pre_rate: med(w, 'ward', 'decisions_per_s'),
		t2_rate: med(w, 'ward2t', 'decisions_per_s'),
		load_med: med(w, 'wardload', 'median_ns'), load_rate: med(w, 'wardload', 'decisions_per_s'),
		ref_med: med(w, 'ref', 'median_ns'), ref_rate: med(w, 'ref', 'decisions_per_s'),
		wt_med: med(w, 'wardtext', 'median_ns'), wt_rate: med(w, 'wardtext', 'decisions_per_s'),
		rt_med: med(w, 'reftext', 'median_ns'), rt_rate: med(w, 'reftext', 'decisions_per_s'),
	});
}

const cpu = (() => {
	try {
		const t = fs.readFileSync('/proc/cpuinfo', 'utf8');
		const model = (t.match(/model name\s*:\s*(.*)/) || [])[1] || 'unknown CPU';
		const mhz = (t.match(/cpu MHz\s*:\s*([\d.]+)/) || [])[1];
		return `${model}${mhz ? ` (${Math.round(mhz)} MHz reported)` : ''}`;
	} catch { return os.cpus()[0]?.model || 'unknown CPU'; }
})();
const machine = `${cpu}, ${os.cpus().length} CPUs online, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
	`${os.type()} ${os.release()}, Node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`;
const ref = Object.values(res).flatMap((m) => m.ref || [])[0]?.engine || 'cedar-wasm';

const head = '| workload | ward pre-loaded median | p99 | decisions/s (1 thread) | decisions/s (2 threads) | ward entities parsed per call: median | decisions/s | ' +
	`${ref} per call: median | decisions/s | like-for-like ratio: throughput | per-call median |`;
const sep = '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
const lines = rows.map((r) => `| ${r.w} | ${fmtNs(r.pre_med)} | ${fmtNs(r.pre_p99)} | ${fmtRate(r.pre_rate)} | ${fmtRate(r.t2_rate)} | ` +
	`${fmtNs(r.load_med)} | ${fmtRate(r.load_rate)} | ${fmtNs(r.ref_med)} | ${fmtRate(r.ref_rate)} | ${fmtX(r.load_rate / r.ref_rate)} | ${fmtX(r.ref_med / r.load_med)} |`);
const textHead = '| workload | ward, compact entities text parsed per call: median | decisions/s | ' +
	`${ref}, the same text parsed per call: median | decisions/s | ratio: throughput | per-call median |`;
const textSep = '|---|---:|---:|---:|---:|---:|---:|';
const textLines = rows.filter((r) => !isNaN(r.wt_rate) && !isNaN(r.rt_rate)).map((r) => `| ${r.w} | ${fmtNs(r.wt_med)} | ` +
	`${fmtRate(r.wt_rate)} | ${fmtNs(r.rt_med)} | ${fmtRate(r.rt_rate)} | ${fmtX(r.wt_rate / r.rt_rate)} | ${fmtX(r.rt_med / r.wt_med)} |`);
const textMd = textLines.length ? ['Like for like with the entities as JSON text on every call: both sides get the ' +
	'same compact JSON text (JSON.stringify of the workload\'s entities) and parse it in every timed call:', '',
	textHead, textSep, ...textLines, ''] : [];
// scaling: <w>.scale<N>.<run>.json
const scale = [];
for (const w of Object.keys(res).sort()) {
	const ns = Object.keys(res[w]).filter((m) => m.startsWith('scale')).map((m) => Number(m.slice(5))).sort((a, b) => a - b);
	if (!ns.length) continue;
	scale.push(`| ${w} | ` + ns.map((n) => `${fmtNs(med(w, 'scale' + n, 'median_ns'))} / ${fmtNs(med(w, 'scale' + n, 'p99_ns'))}`).join(' | ') + ' |');
	scale.ns = ns;
}
const scaleMd = scale.length ? ['Decision latency (median / p99, pre-loaded, 1 thread) by number of policies:', '',
	'| workload | ' + scale.ns.map((n) => `${n} ${n === 1 ? 'policy' : 'policies'}`).join(' | ') + ' |',
	'|---|' + scale.ns.map(() => '---:|').join(''), ...scale, ''] : [];
// loading: load1m.load.<run>.json
const loadMd = res.load1m ? ['Loading a generated store of ' + res.load1m.load[0].entities.toLocaleString('en') + ' entities (median of ' +
	res.load1m.load.length + ' runs): ' + fmtRate(med('load1m', 'load', 'entities_per_s')) + ' entities/s wall clock, ' +
	fmtRate(med('load1m', 'load', 'entities_per_cpu_s')) + ' per CPU second, ' +
	Math.round(med('load1m', 'load', 'rss_bytes_per_entity')) + ' bytes resident per entity.', ''] : [];
const md = [
	`Date: ${new Date().toISOString()}`, '', `Machine: ${machine}`, '',
	`Medians over ${rows[0]?.runs ?? 0} run(s) of each measurement (scripts/bench).`, '',
	head, sep, ...lines, '', ...textMd, ...scaleMd, ...loadMd,
].join('\n');
fs.writeFileSync(outMd, md);
console.log(md);
