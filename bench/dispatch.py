#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/dispatch: a campaign sent through Turnout's real path — launched
(recipients snapshot into the queue), then TurnoutDispatcher handing each
message to TurnoutTwilioSender — to the fake Twilio (tests/fake-twilio) on
127.0.0.1, against Debian's curl posting the same form requests to the same
fake in the same run. Prints, in the same run:

- speed: 20,000 recipients, no rate limit, 8 requests in flight, against
  `curl --parallel --parallel-max 8` sending the same 20,000 POSTs (same
  path, Basic auth, To, From and Body byte for byte: the bodies are the
  ones the fake accepted from Turnout). Each side is timed as a process,
  start to exit (curl reads its 20,000-request config; Turnout opens the
  store, makes the sender, launches the campaign and sends), median of
  several alternating rounds; the ratio is curl's time over Turnout's, so
  1.0 is as fast as curl (goal: at least 0.8). The ratio of the sending
  alone (the dispatcher's run, launch excluded) is printed after it, and
  for reference the same forms posted by libsoup alone (one session set up
  as TurnoutTwilioSender's, nothing else: `turnout-bench-dispatch --bare`),
  which tells what libsoup costs from what Turnout adds.
- memory: the peak resident memory (VmHWM) of sending a 100,000-recipient
  campaign (to a fake of its own) against the same program that only
  opens the store and makes the sender (goal: at most 60 MB more).

Usage: bench/dispatch.py BUILD_DIR

Environment (optional):
  TURNOUT_BENCH_DISPATCH_RECIPIENTS  recipients of the speed test (default 20000)
  TURNOUT_BENCH_DISPATCH_MEMORY      recipients of the memory test (default 100000)
  TURNOUT_BENCH_DISPATCH_RUNS        rounds of the speed test, median taken (default 3)

The databases are made by `turnout-cli doctor` and filled by sqlite3: every
contact has a phone number and SMS consent, and a time zone in which it is
now day, so the default quiet hours (21:00-08:00, checked for every
recipient as in real use) hold nobody back. The template has merge fields
and the unsubscribe line, like a real one; every message is one segment.

Nothing leaves the machine: the fake listens on 127.0.0.1, every address
given to Turnout and curl is 127.0.0.1, proxies are switched off for both
(the *_proxy variables removed, GIO's dummy proxy resolver, curl's
noproxy), and the Auth Token comes from the environment, not the keyring.
"""

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

# The fake's built-in account (tests/turnout-fake-twilio.h).
ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
FROM = "+15005550006"

TEMPLATE = ("Hi {first_name}, doors open at ten at {event_venue|the usual place}. "
            "Bring a friend! {unsubscribe}")
IN_FLIGHT = 8
MEMORY_GOAL_MB = 60
SPEED_GOAL = 0.8

# Zones a day apart around the world; the one where it is nearest 14:00 now
# is every contact's, so the quiet hours check runs and lets everyone through.
ZONES = ["Pacific/Honolulu", "America/Los_Angeles", "America/Chicago", "America/New_York",
         "America/Sao_Paulo", "Atlantic/Azores", "Europe/London", "Europe/Berlin",
         "Europe/Moscow", "Asia/Dubai", "Asia/Karachi", "Asia/Dhaka", "Asia/Bangkok",
         "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Pacific/Noumea",
         "Pacific/Auckland"]


def die(message):
    sys.exit(f"bench: {message}")


def day_zone():
    now = datetime.now(timezone.utc)

    def distance(name):
        local = now.astimezone(ZoneInfo(name))
        return abs(local.hour * 60 + local.minute - 14 * 60)

    zone = min(ZONES, key=distance)
    if distance(zone) > 4 * 60:
        die("found no time zone where it is day now")
    return zone


def loopback_env(port):
    """The environment of Turnout and curl: no proxy, the fake's address
    and credentials."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith("TWILIO_")}
    env.update({
        "no_proxy": "*",
        "NO_PROXY": "*",
        "GIO_USE_PROXY_RESOLVER": "dummy",
        "TURNOUT_TWILIO_API_URL": f"http://127.0.0.1:{port}",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    })
    return env


def run(argv, **kwargs):
    proc = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        die(f"{' '.join(argv[:4])} … failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def make_db(cli, path, recipients, zone):
    run([cli, "--db", path, "doctor"])
    run(["sqlite3", "-bail", path], input=f"""
BEGIN;
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {recipients})
INSERT INTO contacts (first_name, last_name, phone, city, time_zone, sms_consent, sms_consent_at,
                      sms_consent_source, created_at, updated_at)
SELECT CASE WHEN i % 10 = 0 THEN '' ELSE 'Fan' || i END, 'Contact' || i,
       printf ('+1650%07d', i), 'Oakland', '{zone}', 'opted_in', 1700000000, 'import',
       1700000000, 1700000000
FROM n;
COMMIT;
""")
    for key, value in (("twilio.account_sid", ACCOUNT_SID), ("twilio.from", FROM),
                       ("general.sender_name", "Warehouse Nights")):
        run([cli, "--db", path, "config", "set", key, value])
    run([cli, "--db", path, "template", "create", "--name", "Bench", "--channel", "sms",
         "--text", TEMPLATE])
    campaign = json.loads(run([cli, "--json", "--db", path, "campaign", "create", "--name",
                               "Bench", "--channel", "sms", "--segment", "all", "--template",
                               "Bench"]))["id"]
    # Everything in the file itself, none in the write-ahead log beside it,
    # so a plain copy is whole (the file stays in WAL mode, as Turnout's are).
    run(["sqlite3", path, "PRAGMA wal_checkpoint(TRUNCATE);"])
    return campaign


class Fake:
    def __init__(self, binary):
        self.proc = subprocess.Popen([binary], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            die("fake-twilio did not start")
        self.port = int(line)
        self.url = f"http://127.0.0.1:{self.port}"
        # The control endpoints need no proxy either.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def get(self, path):
        with self.opener.open(self.url + path, timeout=120) as answer:
            return json.load(answer)

    def accepted(self):
        return self.get("/_fake/stats")["accepted"]

    def messages(self):
        return self.get("/_fake/messages")["messages"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def timed(argv, env):
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        die(f"{os.path.basename(argv[0])} failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed, proc.stdout


def parse_report(text):
    report = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        report[key] = value
    return report


def send_with_turnout(runner, fake, db, campaign, env, expected):
    before = fake.accepted()
    elapsed, out = timed([runner, "--db", db, "--campaign", str(campaign), "--in-flight",
                          str(IN_FLIGHT), "--rate", "0"], env)
    report = parse_report(out)
    got = fake.accepted() - before
    if int(report["sent"]) != expected or got != expected:
        die(f"Turnout sent {report['sent']} and the fake accepted {got}, not {expected}")
    return elapsed, report, before


def write_requests(config_path, forms_path, fake, messages):
    """curl's config, and the same forms one a line for the bare libsoup
    client."""
    url = f"{fake.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    with open(config_path, "w", encoding="utf-8") as config, \
         open(forms_path, "w", encoding="utf-8") as forms:
        for i, message in enumerate(messages):
            # The same form as TurnoutTwilioSender's: every byte outside
            # A-Z a-z 0-9 - . _ ~ percent-encoded, in the same order.
            body = "&".join(f"{key}={urllib.parse.quote(value, safe='-._~')}"
                            for key, value in (("To", message["to"]), ("From", message["from"]),
                                               ("Body", message["body"])))
            forms.write(body + "\n")
            if i > 0:
                config.write("next\n")
            config.write(f'url = "{url}"\n'
                         f'user = "{ACCOUNT_SID}:{AUTH_TOKEN}"\n'
                         f'data = "{body}"\n'
                         'header = "Accept: application/json"\n'
                         'noproxy = "*"\n'
                         'output = "/dev/null"\n'
                         'fail\n')


def send_bare(runner, fake, forms, env, expected):
    before = fake.accepted()
    elapsed, _ = timed([runner, "--bare", forms, "--in-flight", str(IN_FLIGHT)], env)
    got = fake.accepted() - before
    if got != expected:
        die(f"the bare libsoup client got {got} messages accepted, not {expected}")
    return elapsed


def send_with_curl(fake, config, env, expected):
    before = fake.accepted()
    elapsed, _ = timed(["curl", "--silent", "--show-error", "--parallel", "--parallel-max",
                        str(IN_FLIGHT), "--config", config], env)
    got = fake.accepted() - before
    if got != expected:
        die(f"curl got {got} messages accepted, not {expected}")
    return elapsed


def main():
    if len(sys.argv) != 2:
        die("usage: bench/dispatch.py BUILD_DIR")
    build = os.path.abspath(sys.argv[1])
    cli = os.path.join(build, "src", "cli", "turnout-cli")
    runner = os.path.join(build, "bench", "turnout-bench-dispatch")
    fake_binary = os.path.join(build, "tests", "fake-twilio")
    for binary in (cli, runner, fake_binary):
        if not os.access(binary, os.X_OK):
            die(f"{binary} is missing: build first (ninja -C {sys.argv[1]})")
    if shutil.which("curl") is None or shutil.which("sqlite3") is None:
        die("curl and sqlite3 are needed (apt-get install curl sqlite3)")
    recipients = int(os.environ.get("TURNOUT_BENCH_DISPATCH_RECIPIENTS", 20_000))
    big = int(os.environ.get("TURNOUT_BENCH_DISPATCH_MEMORY", 100_000))
    rounds = int(os.environ.get("TURNOUT_BENCH_DISPATCH_RUNS", 3))
    zone = day_zone()

    with tempfile.TemporaryDirectory(prefix="turnout-bench-") as tmp:
        small_db = os.path.join(tmp, "dispatch-small.db")
        big_db = os.path.join(tmp, "dispatch-big.db")
        small_campaign = make_db(cli, small_db, recipients, zone)
        big_campaign = make_db(cli, big_db, big, zone)
        fake = Fake(fake_binary)
        try:
            env = loopback_env(fake.port)
            config = os.path.join(tmp, "curl.cfg")
            forms = os.path.join(tmp, "forms.txt")
            turnout_times, curl_times, bare_times, launches, sends = [], [], [], [], []
            for i in range(rounds):
                # A fresh copy each round: a campaign is sent only once.
                db = os.path.join(tmp, f"round-{i}.db")
                shutil.copyfile(small_db, db)
                elapsed, report, before = send_with_turnout(runner, fake, db, small_campaign, env,
                                                            recipients)
                turnout_times.append(elapsed)
                launches.append(float(report["launch_seconds"]))
                sends.append(float(report["send_seconds"]))
                if i == 0:
                    write_requests(config, forms, fake, fake.messages()[before:])
                curl_times.append(send_with_curl(fake, config, env, recipients))
                bare_times.append(send_bare(runner, fake, forms, env, recipients))
                for suffix in ("", "-wal", "-shm", "-sms.lock"):
                    if os.path.exists(db + suffix):
                        os.unlink(db + suffix)
        finally:
            fake.stop()

        turnout = statistics.median(turnout_times)
        curl = statistics.median(curl_times)
        sending = statistics.median(sends)
        bare = statistics.median(bare_times)
        ratio = curl / turnout
        print(f"{recipients:>7} recipients, {IN_FLIGHT} in flight, no rate limit, "
              f"median of {rounds} rounds")
        print(f"  turnout-bench-dispatch (open, launch, send)  {turnout * 1000:8.1f} ms "
              f"{recipients / turnout:7.0f}/s  (launch {statistics.median(launches) * 1000:.1f} ms,"
              f" sending {sending * 1000:.1f} ms)")
        print(f"  curl --parallel --parallel-max {IN_FLIGHT}           {curl * 1000:8.1f} ms "
              f"{recipients / curl:7.0f}/s")
        print(f"  for reference, libsoup alone (same forms)    {bare * 1000:8.1f} ms "
              f"{recipients / bare:7.0f}/s  (ratio {curl / bare:.2f} to curl: about the best "
              f"a libsoup client does here)")
        print(f"speed: Turnout's throughput against curl's: ratio {ratio:.2f} "
              f"({'meets' if ratio >= SPEED_GOAL else 'misses'} the goal of at least {SPEED_GOAL});"
              f" the sending alone: ratio {curl / sending:.2f}")

        # A fake of its own: the speed test's messages would only weigh on it.
        fake = Fake(fake_binary)
        try:
            env = loopback_env(fake.port)
            _, idle_out = timed([runner, "--db", big_db, "--idle"], env)
            idle = int(parse_report(idle_out)["vm_hwm_kib"]) * 1024
            _, report, _ = send_with_turnout(runner, fake, big_db, big_campaign, env, big)
            busy = int(report["vm_hwm_kib"]) * 1024
            big_send = float(report["send_seconds"])
        finally:
            fake.stop()

    grown = (busy - idle) / 1e6
    print(f"{big:>7} recipients: peak RSS {busy / 1e6:6.1f} MB (sent in {big_send:.1f} s, "
          f"{big / big_send:.0f}/s); the same program idle (store open, sender made) "
          f"{idle / 1e6:6.1f} MB")
    print(f"memory: {grown:.1f} MB more than idle "
          f"({'meets' if grown <= MEMORY_GOAL_MB else 'misses'} the goal of at most "
          f"{MEMORY_GOAL_MB} MB)")


if __name__ == "__main__":
    main()
