#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes N realistic contacts as CSV, as a promoter's ticketing export
would have them: mixed phone formats, some missing emails, genres, consent,
a few accents and quoted fields. Deterministic for a given seed."""

import csv
import random
import sys

FIRST = ["Ana", "Ben", "Chloé", "Dev", "Elif", "Femi", "Grace", "Hugo", "Ines", "Jamal",
         "Kai", "Lena", "Marta", "Noah", "Olu", "Priya", "Quinn", "Rosa", "Sam", "Tomás",
         "Uma", "Vik", "Wen", "Xavier", "Yara", "Zoë", "Mia", "Leo", "Ava", "Omar"]
LAST = ["Ruiz", "Okafor", "Nguyen", "Smith", "Müller", "Rossi", "Kim", "García", "Ode",
        "Brown", "Jones", "Lee", "Martin", "Silva", "Cohen", "Patel", "O'Neil", "Dubois",
        "Novak", "Larsen", "Ito", "Khan", "Walsh", "Costa", "Berg"]
CITIES = ["New York", "Brooklyn", "Chicago", "Los Angeles", "Oakland", "Austin", "Detroit",
          "Seattle", "Miami", "Denver", "Portland", "Atlanta"]
GENRES = ["techno", "house", "drum and bass", "disco", "ambient", "hip hop", "jazz", "indie"]
AREAS = ["212", "646", "718", "312", "773", "213", "310", "415", "510", "650", "512", "313",
         "206", "305", "303", "503", "404", "617", "202", "702"]
CONSENT = ["opted_in", "opted_in", "opted_in", "unknown", "opted_out"]


def phone(i):
    area = AREAS[i % len(AREAS)]
    rest = i // len(AREAS)
    exchange = 200 + rest // 10000 % 800
    line = rest % 10000
    style = i % 4
    if style == 0:
        return f"({area}) {exchange}-{line:04d}"
    if style == 1:
        return f"{area}-{exchange}-{line:04d}"
    if style == 2:
        return f"+1 {area} {exchange} {line:04d}"
    return f"{area}.{exchange}.{line:04d}"


def main():
    rows = int(sys.argv[1])
    out = open(sys.argv[2], "w", newline="", encoding="utf-8")
    rng = random.Random(20261128)
    writer = csv.writer(out)
    writer.writerow(["first_name", "last_name", "phone", "email", "city", "time_zone", "tags",
                     "sms_consent", "email_consent", "notes"])
    for i in range(rows):
        first = rng.choice(FIRST)
        last = rng.choice(LAST)
        email = "" if i % 7 == 3 else f"{first.lower()}.{i}@example.com"
        tags = ";".join(rng.sample(GENRES, rng.randint(0, 3)))
        notes = "" if i % 50 else "Met at the door, wants \"early bird\" news,, really"
        writer.writerow([first, last, phone(i), email, rng.choice(CITIES),
                         "America/New_York" if i % 3 == 0 else "", tags,
                         rng.choice(CONSENT), rng.choice(CONSENT), notes])


main()
