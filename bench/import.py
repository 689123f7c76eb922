#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/import: how long `turnout-cli import contacts` takes for 1,000,000
realistic contacts, against sqlite3's own .import of the same file into a
bare table, in the same run on the same machine. Prints the ratio (goal: at
most 2) and the import's peak resident memory.

Usage: bench/import.py TURNOUT_CLI [ROWS]"""

import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(argv, **kwargs):
    start = time.monotonic()
    proc = subprocess.Popen(argv, **kwargs)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {argv[0]} failed with status {status}")
    return elapsed, usage.ru_maxrss * 1024


def main():
    cli = os.path.abspath(sys.argv[1])
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    with tempfile.TemporaryDirectory(prefix="turnout-bench-") as tmp:
        csv_path = os.path.join(tmp, "contacts.csv")
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen-contacts.py"), str(rows),
                        csv_path], check=True)
        size = os.path.getsize(csv_path)
        print(f"rows: {rows}  file: {size / 1e6:.1f} MB")

        reference_db = os.path.join(tmp, "reference.db")
        script = (".mode csv\n"
                  "CREATE TABLE contacts (first_name, last_name, phone, email, city, time_zone,"
                  " tags, sms_consent, email_consent, notes);\n"
                  f".import --skip 1 {csv_path} contacts\n")
        with open(os.path.join(tmp, "import.sql"), "w") as f:
            f.write(script)
        with open(os.path.join(tmp, "import.sql")) as f:
            reference, _ = timed(["sqlite3", reference_db], stdin=f)

        turnout_db = os.path.join(tmp, "turnout.db")
        env = dict(os.environ, TURNOUT_DB=turnout_db)
        with open(os.path.join(tmp, "result.json"), "w") as out:
            turnout, peak = timed([cli, "--json", "import", "contacts", csv_path, "--region", "US"],
                                  stdout=out, env=env)
        with open(os.path.join(tmp, "result.json")) as f:
            created = json.load(f)["created"]

        print(f"sqlite3 .import (reference): {reference:.2f} s")
        print(f"turnout-cli import contacts: {turnout:.2f} s, created {created}")
        print(f"import peak RSS: {peak / 1048576:.1f} MiB")
        print(f"ratio turnout/sqlite3 .import: {turnout / reference:.2f} (goal <= 2.00)")


main()
