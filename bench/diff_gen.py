#!/usr/bin/env python3
"""diff_gen: a synthetic policy repository for benchmarking `ward diff`.

Writes into OUT (default: ./diff-bench):
  schema.cedarschema   teams, people, service accounts, folders (two levels), invoices, documents
  entities.json        ENTITIES entities (default 100,000)
  base/policies/*.cedar  POLICIES policies (default 1,000), permits with context conditions and forbids
  head/policies/*.cedar  the same set with exactly one policy changed (its resource scope widened from a
                         sub-folder to the top-level folder above it, and its condition relaxed)

Deterministic (fixed seed). Usage: diff_gen.py [OUT] [--entities N] [--policies N]
"""
import argparse
import json
import os
import random

SCHEMA = """entity Team;
entity User in [Team] { level: Long };
entity ServiceAccount in [Team] { owner: String };
entity Folder in [Folder] { environment: String };
entity Invoice in [Folder] { amount: Long, environment: String };
entity Document in [Folder] { environment: String };
type Ctx = { source_ip: ipaddr, mfa: Bool, hour: Long };
action read, list, write, delete appliesTo {
  principal: [User, ServiceAccount],
  resource: [Folder, Invoice, Document],
  context: Ctx,
};
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default="diff-bench")
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--policies", type=int, default=1_000)
    ap.add_argument("--change", choices=["team", "user"], default="team",
                    help="which policy changes: a team grant (default) or a single user's grant")
    a = ap.parse_args()
    rnd = random.Random(42)
    n = a.entities
    n_team = max(1, n // 200)
    n_user = n // 5
    n_sa = n // 100
    n_top = max(1, n // 2000)
    n_sub = n_top * 10
    n_res = n - n_team - n_user - n_sa - n_top - n_sub
    ents = []

    def uid(t, i):
        return {"type": t, "id": i}

    teams = [f"team-{i}" for i in range(n_team)]
    for t in teams:
        ents.append({"uid": uid("Team", t), "attrs": {}, "parents": []})
    for i in range(n_user):
        ents.append({"uid": uid("User", f"user-{i}"), "attrs": {"level": rnd.randint(1, 5)},
                     "parents": [uid("Team", rnd.choice(teams))]})
    for i in range(n_sa):
        ents.append({"uid": uid("ServiceAccount", f"sa-{i}"), "attrs": {"owner": rnd.choice(teams)},
                     "parents": [uid("Team", rnd.choice(teams))]})
    tops = [f"top-{i}" for i in range(n_top)]
    for t in tops:
        ents.append({"uid": uid("Folder", t), "attrs": {"environment": rnd.choice(["dev", "prod"])}, "parents": []})
    subs = []
    for i in range(n_sub):
        top = tops[i % n_top]
        s = f"{top}/sub-{i}"
        subs.append((s, top))
        ents.append({"uid": uid("Folder", s), "attrs": {"environment": "prod"}, "parents": [uid("Folder", top)]})
    for i in range(n_res):
        s, _ = subs[i % n_sub]
        if i % 3:
            ents.append({"uid": uid("Invoice", f"inv-{i}"), "attrs": {"amount": rnd.randint(1, 10000),
                                                                       "environment": "prod"},
                         "parents": [uid("Folder", s)]})
        else:
            ents.append({"uid": uid("Document", f"doc-{i}"), "attrs": {"environment": "dev"},
                         "parents": [uid("Folder", s)]})

    pols = []
    for i in range(a.policies):
        kind = i % 10
        s, top = subs[rnd.randrange(n_sub)]
        if kind == 9:
            pols.append(f'@id("forbid-{i}")\nforbid (principal in Team::"{rnd.choice(teams)}", '
                        f'action == Action::"delete", resource in Folder::"{top}")\n'
                        f'unless {{ context.mfa }};\n')
        elif kind < 5:
            pols.append(f'@id("team-{i}")\npermit (principal in Team::"{rnd.choice(teams)}", '
                        f'action in [Action::"read", Action::"list"], resource is Invoice in Folder::"{s}")\n'
                        f'when {{ resource.environment == "prod" && context.source_ip.isInRange(ip("10.0.0.0/8")) }};\n')
        elif kind < 8:
            pols.append(f'@id("user-{i}")\npermit (principal == User::"user-{rnd.randrange(n_user)}", '
                        f'action in [Action::"read", Action::"write"], resource in Folder::"{s}")\n'
                        f'when {{ principal.level >= 2 && context.hour >= 8 && context.hour < 18 }};\n')
        else:
            pols.append(f'@id("sa-{i}")\npermit (principal == ServiceAccount::"sa-{rnd.randrange(n_sa)}", '
                        f'action == Action::"read", resource is Document in Folder::"{s}");\n')
    # team: a team permit widened to the top-level folder, IP condition dropped;
    # user: one user's permit widened the same way
    changed = 3 if a.change == "team" else 5
    head = list(pols)
    s_old = head[changed].split('Folder::"')[1].split('"')[0]
    top_of = dict(subs)
    head[changed] = head[changed].replace(f'Folder::"{s_old}"', f'Folder::"{top_of[s_old]}"').replace(
        ' && context.source_ip.isInRange(ip("10.0.0.0/8"))', '')

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "schema.cedarschema"), "w") as f:
        f.write(SCHEMA)
    with open(os.path.join(a.out, "entities.json"), "w") as f:
        json.dump(ents, f)
    for side, ps in (("base", pols), ("head", head)):
        d = os.path.join(a.out, side, "policies")
        os.makedirs(d, exist_ok=True)
        for k in range(0, len(ps), 100):  # 100 policies per file
            with open(os.path.join(d, f"p{k // 100:03d}.cedar"), "w") as f:
                f.write("\n".join(ps[k:k + 100]))
    print(f"{len(ents)} entities, {len(pols)} policies, changed policy: {head[changed].splitlines()[0]}")


if __name__ == "__main__":
    main()
