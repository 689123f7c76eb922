#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/preflight: `turnout-cli template check` (the preflight: every
message of a segment rendered, its SMS segments counted) over 10,000 and
over 100,000 contacts, to show it streams. Prints, in the same run:

- memory: the peak resident memory of the 100,000-contact check against
  the 10,000 one (goal: at most 1.2x; holding every recipient would make it
  grow with them);
- speed: the time per recipient against sqlite3 reading the same columns
  of the same contacts and writing them out (a floor for any work that
  looks at every recipient), as a ratio.

Usage: bench/preflight.py TURNOUT_CLI

The contacts are made by sqlite3 in a file set up by `turnout-cli doctor`:
a tenth without a first name, a seventh without a phone number, a fifth
opted out, some names outside GSM-7."""

import os
import subprocess
import sys
import tempfile
import time

TEMPLATE = ("Hi {first_name}, doors open at ten at {event_venue|the usual place}. "
            "Bring a friend! {unsubscribe}")


def timed(argv, stdin=None):
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else None,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if stdin:
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
    out = proc.stdout.read()
    proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {argv[0]} failed with status {status}")
    return elapsed, usage.ru_maxrss * 1024, out


def make_db(cli, path, contacts):
    subprocess.run([cli, "--db", path, "doctor"], check=True, capture_output=True)
    sql = f"""
BEGIN;
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {contacts})
INSERT INTO contacts (first_name, last_name, phone, sms_consent, created_at, updated_at)
SELECT CASE WHEN i % 10 = 0 THEN '' WHEN i % 97 = 0 THEN 'Łukasz' ELSE 'Fan' || i END,
       'Contact' || i,
       CASE WHEN i % 7 = 0 THEN NULL ELSE printf ('+1650%07d', i) END,
       CASE WHEN i % 5 = 0 THEN 'opted_out' ELSE 'opted_in' END, 0, 0
FROM n;
COMMIT;
"""
    subprocess.run(["sqlite3", "-bail", path], input=sql, text=True, check=True)
    subprocess.run([cli, "--db", path, "template", "create", "--name", "Bench", "--channel", "sms",
                    "--text", TEMPLATE], check=True, capture_output=True)


def main():
    cli = os.path.abspath(sys.argv[1])
    results = {}
    with tempfile.TemporaryDirectory(prefix="turnout-bench-") as tmp:
        for contacts in (10_000, 100_000):
            db = os.path.join(tmp, f"preflight-{contacts}.db")
            make_db(cli, db, contacts)
            runs = []
            for _ in range(3):
                runs.append(timed([cli, "--db", db, "template", "check", "--template", "Bench",
                                   "--segment", "all"]))
            elapsed = sorted(r[0] for r in runs)[1]
            rss = max(r[1] for r in runs)
            ref = sorted(timed(["sqlite3", db],
                               "SELECT first_name, last_name, phone, email, city, sms_consent"
                               " FROM contacts;")[0] for _ in range(3))[1]
            results[contacts] = (elapsed, rss, ref)
            print(f"{contacts:>7} contacts  turnout-cli template check {elapsed * 1000:8.1f} ms"
                  f"  peak RSS {rss / 2**20:6.1f} MiB  sqlite3 read {ref * 1000:7.1f} ms"
                  f"  ratio {elapsed / ref:5.2f}")
    small, big = results[10_000], results[100_000]
    memory = big[1] / small[1]
    print(f"memory: 100,000 against 10,000 contacts: ratio {memory:.2f} "
          f"({'meets' if memory <= 1.2 else 'misses'} the goal of at most 1.2)")
    print(f"speed: {big[0] / 100_000 * 1e6:.1f} µs per recipient; ratio to sqlite3 reading the "
          f"same rows: {big[0] / big[2]:.2f}")


if __name__ == "__main__":
    main()
