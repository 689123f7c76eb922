#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that po/POTFILES.in lists every file with translatable strings.

Usage: check-potfiles.py SOURCE_ROOT

Scans, below SOURCE_ROOT:
  src/**/*.{c,cc,cpp,h}  for _( N_( C_( NC_( Q_( g_dgettext( ngettext( …
  resources/**/*.ui      for translatable="yes"
  data/**/*.in and data/**/*.gschema.xml
                         for the same markers, and for the strings xgettext
                         extracts without markers: Name=/GenericName=/
                         Comment=/Keywords= in desktop entries, <name>,
                         <summary>, <p>, <li>, <caption> in AppStream
                         metainfo, <summary>/<description> in GSettings schemas.

Comments are skipped (C comments, XML comments, '#' lines in desktop entries),
and so are the contents of C string literals and preprocessor lines (where
`#define _(String) gettext (String)` lives).

It fails, with one message per problem, when
  * a file with translatable strings is missing from po/POTFILES.in
    (naming the file and the first line with a match),
  * a file listed in po/POTFILES.in does not exist,
  * po/POTFILES.in is not sorted as `LC_ALL=C sort` would sort it, or lists
    a file twice,
  * a translatable C string is built with a GLib format macro such as
    G_GINT64_FORMAT: xgettext cuts the message at it (the translation of
    "There is no campaign %" would be used for every number), while the
    <inttypes.h> macros (PRId64) are understood by xgettext and gettext.
Files named in po/POTFILES.skip (optional) are not required to be listed.
Python standard library only; runs under /usr/bin/python3.
"""

import os
import re
import sys

C_SUFFIXES = ('.c', '.cc', '.cpp', '.h')
UI_SUFFIXES = ('.ui', '.ui.in')

C_MARKER = re.compile(
    r'(?<![A-Za-z0-9_])'
    r'(?:NC_|C_|N_|Q_|_'
    r'|g_dgettext|g_dngettext|g_dcgettext|g_dpgettext2?'
    r'|ngettext|dngettext|dgettext|dcgettext|gettext|pgettext|npgettext)'
    r'\s*\(')
UI_MARKER = re.compile(r'''translatable\s*=\s*["'](?:yes|true|1)["']''', re.IGNORECASE)
DESKTOP_MARKER = re.compile(r'^(?:Name|GenericName|Comment|Keywords|X-GNOME-FullName)\s*=',
                            re.MULTILINE)
METAINFO_MARKER = re.compile(
    r'<(?:name|summary|p|li|caption|keyword|developer_name)\b(?![^>]*translate\s*=\s*"no")[^>]*>')
GSCHEMA_MARKER = re.compile(r'<(?:summary|description)\b|\bl10n\s*=')


def strip_c(text):
    """Blank out C/C++ comments, string and character literal contents and
    preprocessor lines, keeping every newline so line numbers still match."""
    out = []
    i = 0
    n = len(text)
    at_line_start = True
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ''
        if ch == '/' and nxt == '/':
            while i < n and text[i] != '\n':
                out.append(' ')
                i += 1
            continue
        if ch == '/' and nxt == '*':
            end = text.find('*/', i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:end]))
            i = end
            continue
        if ch in '"\'':
            quote = ch
            out.append(ch)
            i += 1
            while i < n and text[i] != quote and text[i] != '\n':
                if text[i] == '\\' and i + 1 < n:
                    out.append('  ' if text[i + 1] != '\n' else ' \n')
                    i += 2
                    continue
                out.append(' ')
                i += 1
            if i < n:
                out.append(text[i])
                i += 1
            at_line_start = False
            continue
        if at_line_start and ch == '#':
            # A preprocessor directive, with its backslash continuations.
            while i < n:
                if text[i] == '\n' and (i == 0 or text[i - 1] != '\\'):
                    break
                out.append('\n' if text[i] == '\n' else ' ')
                i += 1
            continue
        if ch == '\n':
            at_line_start = True
        elif not ch.isspace():
            at_line_start = False
        out.append(ch)
        i += 1
    return ''.join(out)


GLIB_FORMAT = re.compile(r'\bG_G(?:U?INT(?:16|32|64)|SIZE|SSIZE|OFFSET|INTPTR|UINTPTR)_FORMAT\b')


def glib_formats_in_messages(stripped):
    """Yield (line, macro) for each GLib format macro inside the parentheses
    of a translation marker, in C text already passed through strip_c()."""
    for m in C_MARKER.finditer(stripped):
        depth = 0
        end = len(stripped)
        for i in range(m.end() - 1, len(stripped)):
            if stripped[i] == '(':
                depth += 1
            elif stripped[i] == ')':
                depth -= 1
                if depth == 0:
                    end = i
                    break
        for f in GLIB_FORMAT.finditer(stripped, m.end(), end):
            yield stripped.count('\n', 0, f.start()) + 1, f.group(0)


def strip_xml_comments(text):
    return re.sub(r'<!--.*?-->', lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text, flags=re.DOTALL)


def strip_hash_comments(text):
    return re.sub(r'^[ \t]*#[^\n]*', '', text, flags=re.MULTILINE)


def first_match_line(text, patterns):
    best = None
    for pattern in patterns:
        m = pattern.search(text)
        if m and (best is None or m.start() < best):
            best = m.start()
    if best is None:
        return None
    return text.count('\n', 0, best) + 1


def scan_file(path, rel):
    """Return the 1-based line of the first translatable string, or None."""
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError as e:
        print(f'warning: cannot read {rel}: {e}', file=sys.stderr)
        return None

    name = os.path.basename(rel)
    if rel.startswith('src/'):
        return first_match_line(strip_c(text), [C_MARKER])
    if rel.startswith('resources/'):
        return first_match_line(strip_xml_comments(text), [UI_MARKER])

    # data/
    if '.desktop.in' in name:
        return first_match_line(strip_hash_comments(text), [DESKTOP_MARKER])
    if '.metainfo.xml' in name or '.appdata.xml' in name:
        return first_match_line(strip_xml_comments(text), [METAINFO_MARKER, UI_MARKER])
    if '.gschema.xml' in name:
        return first_match_line(strip_xml_comments(text), [GSCHEMA_MARKER])
    if name.endswith(UI_SUFFIXES) or '.xml' in name:
        return first_match_line(strip_xml_comments(text), [UI_MARKER, C_MARKER])
    if name.endswith(tuple(s + '.in' for s in C_SUFFIXES)):
        return first_match_line(strip_c(text), [C_MARKER])
    # Anything else configured from data/ (service files, JSON, …): the plain
    # markers, outside '#' comment lines.
    return first_match_line(strip_hash_comments(text), [C_MARKER, UI_MARKER])


def candidate_files(root):
    """Yield source-root-relative paths (with '/') of the files to scan."""
    rules = [
        ('src', lambda n: n.endswith(C_SUFFIXES)),
        ('resources', lambda n: n.endswith(UI_SUFFIXES)),
        ('data', lambda n: n.endswith('.in') or n.endswith('.gschema.xml')),
    ]
    for top, wanted in rules:
        base = os.path.join(root, top)
        if not os.path.isdir(base):
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            # Skip hidden directories and stray build trees inside the sources.
            dirnames[:] = sorted(d for d in dirnames
                                 if not d.startswith('.') and not d.startswith('_build')
                                 and not os.path.exists(os.path.join(dirpath, d, 'meson-private')))
            for name in sorted(filenames):
                if wanted(name):
                    full = os.path.join(dirpath, name)
                    yield os.path.relpath(full, root).replace(os.sep, '/')


def read_list(path):
    """Return [(line_number, entry)] of the non-comment lines of a POTFILES file."""
    entries = []
    if not os.path.exists(path):
        return entries
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            entry = line.strip()
            if not entry or entry.startswith('#') or entry.startswith('['):
                continue
            entries.append((number, entry))
    return entries


def main(argv):
    if len(argv) != 2:
        print(f'usage: {argv[0]} SOURCE_ROOT', file=sys.stderr)
        return 2
    root = os.path.abspath(argv[1])
    potfiles = os.path.join(root, 'po', 'POTFILES.in')
    if not os.path.isfile(potfiles):
        print(f'error: {potfiles} does not exist', file=sys.stderr)
        return 1

    problems = []
    listed = read_list(potfiles)
    skipped = {entry for _, entry in read_list(os.path.join(root, 'po', 'POTFILES.skip'))}

    seen = {}
    previous = None
    for number, entry in listed:
        where = f'po/POTFILES.in:{number}'
        if entry in seen:
            problems.append(f'{where}: {entry} is listed twice (first on line {seen[entry]})')
        else:
            seen[entry] = number
        if entry.startswith('/') or entry.startswith('./') or '\\' in entry:
            problems.append(f'{where}: {entry}: use a path relative to the source root, '
                            'with forward slashes and no leading "./"')
        elif not os.path.isfile(os.path.join(root, entry)):
            problems.append(f'{where}: {entry} is listed but does not exist')
        # LC_ALL=C sort orders by bytes.
        if previous is not None and entry.encode() < previous[1].encode():
            problems.append(f'{where}: not sorted: {entry} must come before '
                            f'{previous[1]} (line {previous[0]}); '
                            'sort the list with LC_ALL=C sort')
        previous = (number, entry)

    scanned = 0
    with_strings = 0
    for rel in candidate_files(root):
        scanned += 1
        if rel.startswith('src/') and rel.endswith(C_SUFFIXES):
            with open(os.path.join(root, rel), encoding='utf-8', errors='replace') as f:
                stripped = strip_c(f.read())
            for line, macro in glib_formats_in_messages(stripped):
                problems.append(f'{rel}:{line}: a translatable string uses {macro}, which '
                                'xgettext cannot read: use the <inttypes.h> macro (PRId64, '
                                'PRIu64, …) instead')
        line = scan_file(os.path.join(root, rel), rel)
        if line is None:
            continue
        with_strings += 1
        if rel not in seen and rel not in skipped:
            problems.append(f'{rel}:{line}: has translatable strings but is missing '
                            'from po/POTFILES.in')

    if problems:
        for problem in problems:
            print(f'error: {problem}', file=sys.stderr)
        print(f'{len(problems)} problem(s) in po/POTFILES.in', file=sys.stderr)
        return 1

    print(f'po/POTFILES.in is complete and sorted: {len(listed)} file(s) listed, '
          f'{scanned} scanned, {with_strings} with translatable strings')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
