// gen_entities.mjs: a large entity store in the shape of the github
// workload, for measuring entity loading (entities/s, memory per entity).
//
// usage: node gen_entities.mjs N > entities.json
//
// Keeps the workload's proportions (per 12 entities: 1 Organization with its
// 3 OrgPermission groups, 1 Repository with its 5 RepoPermission groups,
// 1 Team, 1 User), its attributes (entity references) and its parent edges
// (users in teams and permission groups, teams in teams and repository
// groups, organizations in organization groups), ids numbered as in the
// workload (user_0, repo_0, org_0_readers, ...), compact JSON, with the
// github schema's five actions at the end. Fixed PRNG seed.
const N = Number(process.argv[2]);
if (!(N >= 12)) {
	console.error('usage: node gen_entities.mjs N   (N >= 12)');
	process.exit(2);
}
let seed = 7;
const rnd = (n) => {
	seed = (seed * 1103515245 + 12345) % 2147483648;
	return seed % n;
};
const K = Math.floor(N / 12);
const ref = (type, id) => ({ __entity: { type, id } });
const out = process.stdout;
let first = true;
let buf = '';
const emit = (e) => {
	buf += (first ? '[\n' : ',\n') + JSON.stringify(e);
	first = false;
	if (buf.length > 1 << 20) {
		out.write(buf);
		buf = '';
	}
};
const orgPerms = ['readers', 'writers', 'admins'];
const repoPerms = ['readers', 'triagers', 'writers', 'maintainers', 'admins'];
for (let i = 0; i < K; i++) {
	const org = `org_${i}`;
	emit({ uid: ref('Organization', org), attrs: Object.fromEntries(orgPerms.map((p) => [p, ref('OrgPermission', `${org}_${p}`)])),
		parents: [ref('OrgPermission', `org_${rnd(K)}_${orgPerms[rnd(3)]}`)] });
	for (const p of orgPerms) emit({ uid: ref('OrgPermission', `${org}_${p}`), attrs: {}, parents: [] });
	const repo = `repo_${i}`;
	emit({ uid: ref('Repository', repo), attrs: { ...Object.fromEntries(repoPerms.map((p) => [p, ref('RepoPermission', `${repo}_${p}`)])),
		owner: ref('Organization', `org_${rnd(K)}`) }, parents: [] });
	for (const p of repoPerms) emit({ uid: ref('RepoPermission', `${repo}_${p}`), attrs: {}, parents: [] });
	emit({ uid: ref('Team', `team_${i}`), attrs: {},
		parents: [ref('RepoPermission', `repo_${rnd(K)}_${repoPerms[rnd(5)]}`), ...(i > 0 ? [ref('Team', `team_${rnd(i)}`)] : [])] });
	emit({ uid: ref('User', `user_${i}`), attrs: {},
		parents: [ref('Team', `team_${rnd(K)}`), ref('RepoPermission', `repo_${rnd(K)}_${repoPerms[rnd(5)]}`),
			ref('OrgPermission', `org_${rnd(K)}_${orgPerms[rnd(3)]}`)] });
}
const actions = { read: ['triage'], triage: ['write'], write: ['maintain'], maintain: ['admin'], admin: [] };
for (const [a, ps] of Object.entries(actions))
	emit({ uid: ref('Action', a), attrs: {}, parents: ps.map((p) => ref('Action', p)) });
out.write(buf + '\n]\n');
