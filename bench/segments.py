#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/segments: how long `turnout-cli segment count` takes for each preset
and for a 6-condition nested rule, on 1,000,000 contacts with 5,000,000
registrations over 500 events, against hand-written SQL for the same
question run by the sqlite3 shell on the same file in the same run. Both
counts must be equal. Prints each question's times (median of several runs,
process start-up included on both sides) and ratio; goals: at most 1.2x
sqlite3, and every count under 200 ms.

Usage: bench/segments.py TURNOUT_CLI

Environment (all optional):
  TURNOUT_BENCH_CONTACTS       contacts (default 1000000)
  TURNOUT_BENCH_REGISTRATIONS  registrations (default 5000000)
  TURNOUT_BENCH_EVENTS         events (default 500)
  TURNOUT_BENCH_RUNS           timed runs per question, median taken (default 7)
  TURNOUT_BENCH_CACHE          folder the generated file is kept in between
                               runs, keyed by the sizes (default /tmp)

The file is made with `turnout-cli doctor` (the schema), then filled by
sqlite3 itself in one transaction. The four triggers that recompute a
contact's figures on every registration write are dropped for the fill, the
figures are filled with one UPDATE from the same definitions, and the
triggers are put back with the exact SQL they had; then every contact's
figures are checked against a fresh computation from the registrations.
The file gets no ANALYZE statistics: Turnout never makes them, so a file
with them would show plans no user gets (for both sides alike). The cached
file is keyed by the generator and by the schema turnout-cli makes, so a
new schema version gets a new file instead of upgrading the old one."""

import hashlib
import os
import statistics
import subprocess
import sys
import time

NOW_ISO = "2026-06-01T12:00:00Z"
NOW = 1780315200          # NOW_ISO in Unix seconds
DAY = 86400
# Every generated time is NOW minus a whole number of minutes minus 30 s, so
# no row sits on a boundary such as "30 days ago" even if turnout-cli's clock
# (started at NOW) ticks past a second boundary during a run.


def sizes():
    return (int(os.environ.get("TURNOUT_BENCH_CONTACTS", 1_000_000)),
            int(os.environ.get("TURNOUT_BENCH_REGISTRATIONS", 5_000_000)),
            int(os.environ.get("TURNOUT_BENCH_EVENTS", 500)))


def sqlite(db, sql):
    proc = subprocess.run(["sqlite3", "-bail", db], input=sql, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"bench: sqlite3 failed: {proc.stderr.strip()}")
    return proc.stdout


def h(expr, salt, mod):
    """A deterministic pseudo-random number in [0, mod) from an integer
    expression: the same every time it is evaluated (SQLite re-evaluates
    random() wherever a flattened subquery's column is used) and the same on
    every run, so counts are reproducible."""
    x1 = f"((({expr}) + {salt}) * 2654435761 % 4294967296)"
    x2 = f"((({x1} >> 11) + {x1} * 1103515245) % 4294967296)"
    x3 = f"((({x2} >> 15) + {x2} * 1597334677) % 4294967296)"
    return f"(({x3} >> 8) % ({mod}))"


def fill_sql(drop_triggers, create_triggers, contacts, registrations, events, now=NOW, day=DAY):
    return f"""
PRAGMA synchronous = OFF;
PRAGMA cache_size = -400000;
PRAGMA temp_store = MEMORY;
BEGIN;
{drop_triggers}

INSERT INTO tags (id, name, kind) VALUES
  (1, 'techno', 'genre'), (2, 'house', 'genre'), (3, 'disco', 'genre'),
  (4, 'jazz', 'genre'), (5, 'hip-hop', 'genre'), (6, 'ambient', 'genre'),
  (7, 'VIP', 'tag'), (8, 'press', 'tag'), (9, 'volunteer', 'tag'), (10, 'crew', 'tag');

-- {events} events from two years ago to three months ahead, at whole minutes
-- minus 30 s (see NOW above).
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {events})
INSERT INTO events (id, name, starts_at, ends_at, time_zone, venue, city, created_at, updated_at)
SELECT i, 'Night ' || i, s, s + 6 * 3600, 'America/Los_Angeles',
       json_extract('["The Lot","Warehouse 9","Rooftop","Basement","Pier 70"]',
                    '$[' || (i % 5) || ']'),
       json_extract('["San Francisco","Oakland","San Jose","Berkeley"]', '$[' || (i % 4) || ']'),
       s - 90 * {day}, s - 90 * {day}
  FROM (SELECT i, {now} - 730 * {day}
                  + ((i - 1) * 820 * {day} / {events}) / 60 * 60 - 30 AS s FROM n);
INSERT INTO event_tags (event_id, tag_id) SELECT id, 1 + id % 6 FROM events;

-- Contacts: nine in ten with a phone, most with an email, a few cities
-- (some with none, some "nowhere" in other cases), a consent mix.
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {contacts}),
  p AS (SELECT i,
               json_extract('["Ana","Ben","Chloe","Dev","Emma","Femi","Gus","Hana","Ivan","Jo",' ||
                            '"Kai","Lea","Mo","Nia","Omar","Pia","Quinn","Rosa","Sam","Tess"]',
                            '$[' || (i % 20) || ']') AS fn,
               json_extract('["Nguyen","Smith","Garcia","Kim","Okafor","Rossi","Chen","Silva",' ||
                            '"Novak","Khan","Lopez","Brown","Ito"]', '$[' || (i % 13) || ']') AS ln,
               {h('i', 1, 100)} AS r1, {h('i', 2, 100)} AS r2, {h('i', 3, 100)} AS r3,
               {now} - {h('i', 4, 1095 * 24 * 60)} * 60 - 30 AS created
          FROM n)
INSERT INTO contacts (id, first_name, last_name, phone, email, city, time_zone,
                      sms_consent, sms_consent_source, email_consent, email_consent_source,
                      created_at, updated_at)
SELECT i, fn, ln,
       CASE WHEN r1 < 90 THEN '+1650' || printf ('%07d', i) END,
       CASE WHEN r2 < 85 THEN lower (fn || '.' || ln || i || '@example.com') END,
       CASE WHEN r3 < 5 THEN '' WHEN r3 < 7 THEN 'NOWHERE' WHEN r3 < 8 THEN 'nowhere'
            ELSE json_extract('["San Francisco","Oakland","San Jose","Berkeley","Daly City"]',
                              '$[' || (i % 5) || ']') END,
       CASE WHEN r3 % 3 = 0 THEN NULL ELSE 'America/Los_Angeles' END,
       CASE WHEN r1 < 45 THEN 'opted_in' WHEN r1 < 55 THEN 'opted_out' ELSE 'unknown' END,
       CASE WHEN r1 < 55 THEN 'import' END,
       CASE WHEN r2 < 50 THEN 'opted_in' WHEN r2 < 58 THEN 'opted_out' ELSE 'unknown' END,
       CASE WHEN r2 < 58 THEN 'import' END,
       created, created
  FROM p;

-- Zero to three tags each (a repeat pick is ignored).
INSERT OR IGNORE INTO contact_tags (contact_id, tag_id)
SELECT c.id, 1 + {h('c.id * 3 + k.j', 5, 10)}
  FROM contacts c, (SELECT 1 AS j UNION ALL SELECT 2 UNION ALL SELECT 3) k
 WHERE {h('c.id * 3 + k.j', 6, 100)} < 45;

-- Registrations: half spread over everyone, half over the first fifth (the
-- regulars), so some have none and some dozens. Past events: mostly
-- attended or still "registered" (no check-in), some cancelled, a few
-- drafts; future events: registered, cancelled or draft.
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {registrations}),
  p AS (SELECT i,
               CASE WHEN {h('i', 7, 2)} = 0 THEN 1 + {h('i', 8, contacts)}
                    ELSE 1 + {h('i', 9, max(1, contacts // 5))} END AS contact_id,
               1 + {h('i', 10, events)} AS event_id,
               {h('i', 11, 100)} AS r, {h('i', 12, 60 * 24 * 60)} AS lead,
               {h('i', 13, 5000)} AS price
          FROM n),
  q AS (SELECT p.*, e.starts_at,
               min (e.starts_at, {now} - 30) - 3600 - lead * 60 AS created,
               CASE WHEN e.starts_at <= {now}
                    THEN CASE WHEN r < 55 THEN 'attended' WHEN r < 80 THEN 'registered'
                              WHEN r < 92 THEN 'cancelled' ELSE 'draft' END
                    ELSE CASE WHEN r < 80 THEN 'registered' WHEN r < 92 THEN 'cancelled'
                              ELSE 'draft' END END AS status
          FROM p JOIN events e ON e.id = p.event_id)
INSERT INTO registrations (id, contact_id, event_id, status, amount, ticket_type, source,
                           created_at, confirmed_at, cancelled_at, updated_at)
SELECT i, contact_id, event_id, status,
       CASE WHEN status = 'draft' THEN 0 ELSE 1500 + price END,
       CASE WHEN price < 500 THEN 'VIP' ELSE 'General' END, 'import',
       created,
       CASE WHEN status <> 'draft' THEN created + 120 END,
       CASE WHEN status = 'cancelled'
            THEN created + 120 + (min (starts_at, {now}) - created - 120) / 2 / 60 * 60 END,
       created
  FROM q;

-- The figures, from the same definitions as the triggers, as of NOW.
UPDATE figures_clock SET as_of = {now};
UPDATE contacts SET events_attended = f.attended, first_event_at = f.first,
                    last_event_at = f.last, next_event_at = f.next, total_spend = f.spend
  FROM (SELECT r.contact_id,
               count (DISTINCT CASE WHEN r.status IN ('registered', 'attended')
                                     AND e.starts_at <= {now} THEN r.event_id END) AS attended,
               min (CASE WHEN r.status IN ('registered', 'attended')
                          AND e.starts_at <= {now} THEN e.starts_at END) AS first,
               max (CASE WHEN r.status IN ('registered', 'attended')
                          AND e.starts_at <= {now} THEN e.starts_at END) AS last,
               min (CASE WHEN r.status = 'registered'
                          AND e.starts_at > {now} THEN e.starts_at END) AS next,
               coalesce (sum (CASE WHEN r.status <> 'cancelled' THEN r.amount END), 0) AS spend
          FROM registrations r JOIN events e ON e.id = r.event_id
         GROUP BY r.contact_id) f
 WHERE contacts.id = f.contact_id;

{create_triggers}
COMMIT;
PRAGMA wal_checkpoint (TRUNCATE);
"""

# Every contact, the figures as the trigger would compute them one by one
# (the trigger's own correlated subqueries), against what is stored.
CHECK = f"""
SELECT count (*) FROM contacts c
 WHERE c.events_attended IS NOT (SELECT count (DISTINCT r.event_id) FROM registrations r
                                   JOIN events e ON e.id = r.event_id
                                  WHERE r.contact_id = c.id AND r.status IN ('registered', 'attended')
                                    AND e.starts_at <= {NOW})
    OR c.first_event_at IS NOT (SELECT min (e.starts_at) FROM registrations r
                                  JOIN events e ON e.id = r.event_id
                                 WHERE r.contact_id = c.id AND r.status IN ('registered', 'attended')
                                   AND e.starts_at <= {NOW})
    OR c.last_event_at IS NOT (SELECT max (e.starts_at) FROM registrations r
                                 JOIN events e ON e.id = r.event_id
                                WHERE r.contact_id = c.id AND r.status IN ('registered', 'attended')
                                  AND e.starts_at <= {NOW})
    OR c.next_event_at IS NOT (SELECT min (e.starts_at) FROM registrations r
                                 JOIN events e ON e.id = r.event_id
                                WHERE r.contact_id = c.id AND r.status = 'registered'
                                  AND e.starts_at > {NOW})
    OR c.total_spend IS NOT (SELECT coalesce (sum (amount), 0) FROM registrations
                              WHERE contact_id = c.id AND status <> 'cancelled');
"""

FIGURE_TRIGGERS = ("registrations_figures_insert", "registrations_figures_update",
                   "registrations_figures_delete", "events_figures_update")


def generate(cli, path):
    contacts, registrations, events = sizes()
    tmp = path + ".part"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(tmp + suffix):
            os.remove(tmp + suffix)
    subprocess.run([cli, "--db", tmp, "doctor"], check=True, stdout=subprocess.DEVNULL)

    triggers = {}
    for name in FIGURE_TRIGGERS:
        sql = sqlite(tmp, f"SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = '{name}';")
        if not sql.strip():
            sys.exit(f"bench: the schema has no trigger {name}; update bench/segments.py")
        triggers[name] = sql.rstrip("\n")
    drop = "\n".join(f"DROP TRIGGER {name};" for name in FIGURE_TRIGGERS)
    create = "\n".join(sql + ";" for sql in triggers.values())

    start = time.monotonic()
    sqlite(tmp, fill_sql(drop, create, contacts, registrations, events))
    print(f"generated in {time.monotonic() - start:.0f} s")

    for name, sql in triggers.items():
        again = sqlite(tmp, f"SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = '{name}';")
        if again.rstrip("\n") != sql:
            sys.exit(f"bench: trigger {name} was not restored as it was")
    wrong = int(sqlite(tmp, CHECK))
    if wrong != 0:
        sys.exit(f"bench: {wrong} contacts' figures differ from a fresh computation")
    print(f"figures checked: all {contacts} contacts equal a fresh computation")
    os.rename(tmp, path)


# Each question: the turnout-cli arguments and the hand-written SQL, written
# from the definitions in turnout-segment.h (not from the compiler's output).
# Upcoming registrations are asked of the registrations themselves here,
# where Turnout reads the next_event_at figure: equal counts check the
# figure against its definition on every run.
def questions(tmpdir):
    nested = os.path.join(tmpdir, "nested.json")
    with open(nested, "w") as f:
        f.write('{"version": 1, "match": "all", "rules": ['
                ' {"field": "sms_consent", "op": "is", "value": "opted_in"},'
                ' {"match": "all", "rules": ['
                '   {"field": "tags", "op": "any", "value": ["techno", "House"]},'
                '   {"field": "events_attended", "op": "gte", "value": 2},'
                '   {"field": "last_event", "op": "more_than_days_ago", "value": 60}]},'
                ' {"match": "none", "rules": ['
                '   {"field": "has_phone", "op": "is", "value": false},'
                '   {"field": "city", "op": "is", "value": "Nowhere"}]}]}')
    return [
        ("recent (30 days)", ["--preset", "recent"],
         f"SELECT count (DISTINCT contact_id) FROM registrations"
         f" WHERE confirmed_at BETWEEN {NOW - 30 * DAY} AND {NOW};"),
        ("upcoming (30 days)", ["--preset", "upcoming"],
         f"SELECT count (DISTINCT r.contact_id) FROM events e JOIN registrations r ON r.event_id = e.id"
         f" WHERE e.starts_at > {NOW} AND e.starts_at <= {NOW + 30 * DAY}"
         f" AND r.status = 'registered';"),
        ("first-time", ["--preset", "first-time"],
         "SELECT count (*) FROM contacts WHERE events_attended = 1;"),
        ("repeat", ["--preset", "repeat"],
         "SELECT count (*) FROM contacts WHERE events_attended >= 3;"),
        ("lapsed (90 days)", ["--preset", "lapsed"],
         # A last event implies at least one attended, so the contacts_last_event
         # index alone (it holds the id) answers the first half.
         f"SELECT count (*) FROM contacts c WHERE c.last_event_at < {NOW - 90 * DAY}"
         f" AND c.id NOT IN (SELECT r.contact_id FROM registrations r"
         f"                   WHERE r.status = 'registered' AND r.event_id IN"
         f"                         (SELECT id FROM events WHERE starts_at > {NOW}));"),
        ("cancelled (30 days)", ["--preset", "cancelled"],
         f"SELECT count (DISTINCT contact_id) FROM registrations"
         f" WHERE cancelled_at BETWEEN {NOW - 30 * DAY} AND {NOW};"),
        ("all", ["--preset", "all"], "SELECT count (*) FROM contacts;"),
        ("nested, 6 conditions", ["--rules", nested],
         f"SELECT count (*) FROM contacts c WHERE c.sms_consent = 'opted_in'"
         f" AND c.events_attended >= 2 AND c.last_event_at < {NOW - 60 * DAY}"
         f" AND c.phone <> '' AND c.city <> 'nowhere' COLLATE NOCASE"
         f" AND c.id IN (SELECT contact_id FROM contact_tags WHERE tag_id IN"
         f"              (SELECT id FROM tags WHERE name IN ('techno', 'house')));"),
    ]


def schema(cli):
    """The schema turnout-cli makes, as SQL text."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="turnout-bench-") as tmp:
        path = os.path.join(tmp, "schema.db")
        subprocess.run([cli, "--db", path, "doctor"], check=True, stdout=subprocess.DEVNULL)
        return sqlite(path, "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name;")


def run(argv, stdin=None):
    start = time.monotonic()
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed: {proc.stderr.strip()}")
    return elapsed, proc.stdout


def main():
    import json
    import tempfile

    cli = os.path.abspath(sys.argv[1])
    contacts, registrations, events = sizes()
    runs = int(os.environ.get("TURNOUT_BENCH_RUNS", 7))
    cache = os.environ.get("TURNOUT_BENCH_CACHE", "/tmp")
    # Keyed by the sizes, the generator's SQL and the schema, so a changed
    # generator or a new migration never reuses an old file.
    key = hashlib.sha1((fill_sql("", "", contacts, registrations, events)
                        + schema(cli)).encode()).hexdigest()[:8]
    db = os.path.join(cache, f"turnout-bench-segments-{contacts}-{registrations}"
                             f"-{events}-{key}.db")
    print(f"contacts: {contacts}  registrations: {registrations}  events: {events}  "
          f"runs: {runs} (median)  now: {NOW_ISO}")
    if os.path.exists(db):
        print(f"using the cached file {db}")
    else:
        generate(cli, db)
    print(f"file: {os.path.getsize(db) / 1e6:.0f} MB")

    failed = []
    with tempfile.TemporaryDirectory(prefix="turnout-bench-") as tmp:
        rows = []
        for title, args, sql in questions(tmp):
            turnout_argv = [cli, "--db", db, "--json", "--now", NOW_ISO, "segment", "count"] + args
            sqlite_argv = ["sqlite3", db, sql]
            # One untimed run each, so both read from a warm page cache.
            _, out = run(turnout_argv)
            turnout_count = json.loads(out)["count"]
            _, out = run(sqlite_argv)
            sqlite_count = int(out)
            if turnout_count != sqlite_count:
                sys.exit(f"bench: {title}: turnout-cli counts {turnout_count}, "
                         f"the hand-written SQL {sqlite_count}")
            t_times, s_times = [], []
            for _ in range(runs):     # interleaved, so drift hits both alike
                t_times.append(run(turnout_argv)[0])
                s_times.append(run(sqlite_argv)[0])
            t = statistics.median(t_times) * 1000
            s = statistics.median(s_times) * 1000
            ratio = t / s
            ok = t < 200 and ratio <= 1.2
            if not ok:
                failed.append(title)
            rows.append((title, turnout_count, t, s, ratio))
            print(f"{title:22} count {turnout_count:>8}  turnout-cli {t:7.1f} ms  "
                  f"sqlite3 {s:7.1f} ms  ratio {ratio:5.2f}  "
                  f"{'under' if t < 200 else 'OVER'} 200 ms"
                  f"{'' if ratio <= 1.2 else '  OVER 1.2x'}")
    worst = max(rows, key=lambda row: row[4])
    slowest = max(rows, key=lambda row: row[2])
    print(f"summary: {len(rows) - len(failed)}/{len(rows)} questions meet both goals; "
          f"worst ratio {worst[4]:.2f} ({worst[0]}), slowest {slowest[2]:.0f} ms ({slowest[0]})"
          f"{'; missed: ' + ', '.join(failed) if failed else ''}")


main()
