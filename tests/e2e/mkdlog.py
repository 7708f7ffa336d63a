#!/usr/bin/env python3
"""mkdlog.py: writes a decision log as `ward serve` does (src/server/dlog.h),
for the replay and drift end-to-end tests, without running a server.

usage: mkdlog.py DB [--user-version N] < ROWS
ROWS: one JSON array per line,
  [time, principal, action, resource, context_text, "allow"|"deny", [reasons], [errors]]
Lines that are empty or start with '#' are skipped. Appends to an existing log.
"""
import json
import sqlite3
import sys

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
  id             INTEGER PRIMARY KEY,
  time           TEXT NOT NULL,
  principal      TEXT NOT NULL,
  action         TEXT NOT NULL,
  resource       TEXT NOT NULL,
  context        TEXT NOT NULL,
  decision       TEXT NOT NULL,
  reasons        TEXT NOT NULL,
  errors         TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  latency_ns     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_time ON decisions(time);
CREATE TABLE IF NOT EXISTS policy_versions (
  version   TEXT PRIMARY KEY,
  loaded_at TEXT NOT NULL,
  source    TEXT NOT NULL,
  policies  TEXT NOT NULL
);
"""


def main():
    path = sys.argv[1]
    version = 1
    if len(sys.argv) == 4 and sys.argv[2] == "--user-version":
        version = int(sys.argv[3])
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    db.execute("PRAGMA user_version = %d" % version)
    pv = "0" * 64
    db.execute("INSERT OR IGNORE INTO policy_versions VALUES (?, ?, ?, ?)",
               (pv, "2026-11-01T00:00:00.000Z", "test", ""))
    for line in sys.stdin:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        t, p, a, r, c, d, rs, es = json.loads(line)
        db.execute("INSERT INTO decisions (time, principal, action, resource, context, decision, reasons,"
                   " errors, policy_version, latency_ns) VALUES (?,?,?,?,?,?,?,?,?,?)",
                   (t, p, a, r, c, d, json.dumps(rs), json.dumps(es), pv, 1000))
    db.commit()
    db.close()


if __name__ == "__main__":
    main()
