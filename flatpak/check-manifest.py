#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Static checks of the Flatpak manifest, for offline use in `meson test`.

Usage: check-manifest.py MANIFEST.json

flatpak-builder-lint cannot be installed here (it ships only as a Flatpak and a
Docker image) and `flatpak-builder --show-manifest` only catches JSON syntax
errors, so this ports the checks that matter for Turnout:

  * JSON syntax (with line and column), duplicate keys;
  * top-level keys known to flatpak-builder; no `branch`;
  * id, runtime, runtime-version and sdk;
  * `command` present and a bare binary name, not a path;
  * finish-args: the six the app needs, nothing that grants file-system
    access, no session bus, no plain x11, no own-name, no portal talk-names,
    no wrongly cased org.freedesktop.Secrets, nothing unreviewed;
  * modules in the expected order, `turnout` last and built with meson from
    the source tree, known build systems and module keys;
  * every downloaded source has a URL and a 64-hex-digit sha256 that is not an
    obvious placeholder.

Python standard library only; runs under /usr/bin/python3.
"""

import json
import os
import re
import sys

APP_ID = 'io.github.turnoutapp.Turnout'
RUNTIME = 'org.gnome.Platform'
SDK = 'org.gnome.Sdk'
RUNTIME_VERSION = '51'

REQUIRED_FINISH_ARGS = [
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
    '--talk-name=org.kde.StatusNotifierWatcher',
]

# Permissions that are acceptable but not required.  Adding one here is a
# review decision: say why in the commit.
#   org.freedesktop.secrets: fallback for desktops without a Secret portal
#   backend (see shared notes, platform.md 1.7).
OPTIONAL_FINISH_ARGS = {
    '--talk-name=org.freedesktop.secrets',
}

# Modules, in build order.  Dependencies come first; the app is last.
EXPECTED_MODULES = ['gmime', 'abseil-cpp', 'protobuf', 'libphonenumber', 'turnout']
APP_MODULE = 'turnout'

# flatpak-builder's top-level manifest properties (src/builder-manifest.c,
# flatpak-manifest(5) of flatpak-builder 1.4).
TOPLEVEL_KEYS = {
    'id', 'app-id', 'branch', 'default-branch', 'collection-id', 'extension-tag',
    'runtime', 'runtime-version', 'runtime-commit', 'sdk', 'sdk-commit',
    'base', 'base-version', 'base-commit', 'base-extensions', 'var', 'metadata',
    'command', 'build-runtime', 'build-extension', 'separate-locales',
    'id-platform', 'metadata-platform', 'writable-sdk', 'appstream-compose',
    'sdk-extensions', 'platform-extensions', 'inherit-extensions',
    'inherit-sdk-extensions', 'tags', 'build-options', 'modules',
    'add-extensions', 'add-build-extensions', 'cleanup', 'cleanup-commands',
    'cleanup-platform', 'cleanup-platform-commands', 'prepare-platform-commands',
    'finish-args', 'rename-desktop-file', 'rename-appdata-file', 'rename-mime-file',
    'rename-icon', 'rename-mime-icons', 'appdata-license', 'copy-icon',
    'desktop-file-name-prefix', 'desktop-file-name-suffix',
}

MODULE_KEYS = {
    'name', 'disabled', 'sources', 'config-opts', 'secret-opts', 'secret-env',
    'make-args', 'make-install-args', 'rm-configure', 'no-autogen',
    'no-parallel-make', 'install-rule', 'no-make-install',
    'no-python-timestamp-fix', 'cmake', 'buildsystem', 'builddir', 'subdir',
    'build-options', 'build-commands', 'post-install', 'cleanup',
    'ensure-writable', 'only-arches', 'skip-arches', 'cleanup-platform',
    'run-tests', 'test-rule', 'test-commands', 'modules', 'license-files',
}

BUILDSYSTEMS = {'autotools', 'cmake', 'cmake-ninja', 'meson', 'simple', 'qmake'}
SOURCE_TYPES = {'archive', 'git', 'bzr', 'svn', 'dir', 'file', 'script', 'inline',
                'shell', 'patch', 'extra-data'}
DOWNLOADED_TYPES = {'archive', 'file', 'extra-data'}

SHA256_RE = re.compile(r'^[0-9a-f]{64}$')


def is_ignored_key(key):
    # flatpak-builder ignores custom "x-" properties and "$schema".
    return key.startswith('x-') or key == '$schema'


def is_project_root(directory):
    """Whether directory holds a top-level meson.build (one that calls project())."""
    try:
        with open(os.path.join(directory, 'meson.build'), encoding='utf-8') as f:
            return re.search(r'^\s*project\s*\(', f.read(), re.MULTILINE) is not None
    except OSError:
        return False


class Checker:
    def __init__(self, path):
        self.path = path
        self.display = os.path.relpath(path) if not os.path.relpath(path).startswith('..') else path
        self.text = ''
        self.errors = []

    def line_of(self, needle):
        """Line of the first occurrence of needle in the manifest text, or None."""
        index = self.text.find(needle)
        if index < 0:
            return None
        return self.text.count('\n', 0, index) + 1

    def error(self, message, needle=None):
        line = self.line_of(needle) if needle else None
        where = f'{self.display}:{line}' if line else self.display
        self.errors.append(f'{where}: error: {message}')

    # -- loading ---------------------------------------------------------------

    def load(self):
        try:
            with open(self.path, encoding='utf-8') as f:
                self.text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            self.errors.append(f'{self.display}: error: cannot read the manifest: {e}')
            return None

        duplicates = []

        def no_duplicates(pairs):
            seen = {}
            for key, value in pairs:
                if key in seen:
                    duplicates.append(key)
                seen[key] = value
            return seen

        try:
            data = json.loads(self.text, object_pairs_hook=no_duplicates)
        except json.JSONDecodeError as e:
            self.errors.append(f'{self.display}:{e.lineno}:{e.colno}: error: '
                               f'JSON syntax error: {e.msg}')
            return None
        for key in duplicates:
            self.error(f'key "{key}" appears twice in one object '
                       '(flatpak-builder silently keeps only the last one)', f'"{key}"')
        if not isinstance(data, dict):
            self.error('the manifest must be a JSON object')
            return None
        return data

    # -- checks ----------------------------------------------------------------

    def check_toplevel(self, data):
        for key in data:
            if key not in TOPLEVEL_KEYS and not is_ignored_key(key):
                self.error(f'unknown top-level key "{key}" (flatpak-builder would only warn '
                           'and ignore it)', f'"{key}"')
        if 'branch' in data:
            self.error('top-level "branch" must not be set: Flathub picks the branch '
                       '(use "default-branch" for local builds if really needed)', '"branch"')
        if 'app-id' in data:
            self.error('"app-id" is deprecated; use "id"', '"app-id"')

        expected = {
            'id': APP_ID,
            'runtime': RUNTIME,
            'runtime-version': RUNTIME_VERSION,
            'sdk': SDK,
        }
        for key, want in expected.items():
            have = data.get(key, data.get('app-id') if key == 'id' else None)
            if have is None:
                self.error(f'"{key}" is missing (expected "{want}")')
            elif not isinstance(have, str):
                self.error(f'"{key}" must be the string "{want}", not {json.dumps(have)}',
                           f'"{key}"')
            elif have != want:
                self.error(f'"{key}" is "{have}", expected "{want}"', f'"{key}"')

        command = data.get('command')
        if command is None:
            self.error('"command" is missing: flatpak run would not know what to start')
        elif not isinstance(command, str) or not command.strip():
            self.error('"command" must be a non-empty string', '"command"')
        elif '/' in command or ' ' in command:
            self.error(f'"command" must be the bare name of a binary in /app/bin, not a path '
                       f'or a command line: "{command}"', '"command"')

        cleanup = data.get('cleanup')
        if cleanup is not None and (not isinstance(cleanup, list)
                                    or not all(isinstance(c, str) for c in cleanup)):
            self.error('"cleanup" must be a list of strings', '"cleanup"')

    def check_finish_args(self, data):
        args = data.get('finish-args')
        if args is None:
            self.error('"finish-args" is missing')
            return
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            self.error('"finish-args" must be a list of strings', '"finish-args"')
            return

        seen = set()
        for arg in args:
            needle = f'"{arg}"'
            if arg in seen:
                self.error(f'finish-arg {arg} is listed twice', needle)
            seen.add(arg)

            if arg.startswith('--filesystem') or arg.startswith('--persist'):
                self.error(f'finish-arg {arg} grants file-system access; Turnout uses the '
                           'file chooser portal and its own data directory instead', needle)
            elif arg == '--socket=session-bus':
                self.error(f'finish-arg {arg} gives full session-bus access; talk to named '
                           'services with --talk-name instead', needle)
            elif arg == '--socket=system-bus':
                self.error(f'finish-arg {arg} gives full system-bus access', needle)
            elif arg == '--socket=x11':
                self.error(f'finish-arg {arg}: use --socket=fallback-x11 together with '
                           '--socket=wayland', needle)
            elif arg.startswith('--own-name'):
                self.error(f'finish-arg {arg}: names under the app ID are granted already, and '
                           'the tray registers with its unique bus name, so no own-name '
                           'is needed', needle)
            elif re.match(r'^--(system-)?talk-name=org\.freedesktop\.portal(\.|$)', arg):
                self.error(f'finish-arg {arg}: portals are always reachable; drop the '
                           'talk-name', needle)
            elif arg == '--talk-name=org.freedesktop.Secrets':
                self.error(f'finish-arg {arg} is wrongly cased: the Secret Service is '
                           'org.freedesktop.secrets', needle)
            elif arg == '--device=all':
                self.error(f'finish-arg {arg} exposes every device; --device=dri is enough',
                           needle)
            elif arg not in REQUIRED_FINISH_ARGS and arg not in OPTIONAL_FINISH_ARGS:
                self.error(f'finish-arg {arg} has not been reviewed; if it is really needed, '
                           'add it to OPTIONAL_FINISH_ARGS in flatpak/check-manifest.py '
                           'with the reason', needle)

        for arg in REQUIRED_FINISH_ARGS:
            if arg not in seen:
                self.error(f'finish-args lack {arg}', '"finish-args"')

    def check_source(self, module_name, index, source):
        label = f'module "{module_name}", source {index + 1}'
        if isinstance(source, str):
            self.error(f'{label}: sources must be written inline, not in a separate file '
                       f'("{source}")', f'"{source}"')
            return
        if not isinstance(source, dict):
            self.error(f'{label}: a source must be a JSON object')
            return
        kind = source.get('type')
        if kind not in SOURCE_TYPES:
            self.error(f'{label}: unknown source type {json.dumps(kind)}',
                       f'"{kind}"' if isinstance(kind, str) else None)
            return

        if kind in DOWNLOADED_TYPES and ('url' in source or kind != 'file'):
            url = source.get('url')
            if not isinstance(url, str) or not url:
                self.error(f'{label}: this {kind} source needs a "url"')
            elif not url.startswith('https://'):
                self.error(f'{label}: the url must use https: {url}', url)
            sha = source.get('sha256')
            needle = url if isinstance(url, str) and url else None
            if sha is None:
                self.error(f'{label}: this {kind} source needs a "sha256"', needle)
            elif not isinstance(sha, str) or not SHA256_RE.match(sha):
                self.error(f'{label}: sha256 must be 64 lower-case hex digits, got '
                           f'{json.dumps(sha)}', needle)
            elif len(set(sha)) <= 2:
                self.error(f'{label}: sha256 {sha} is a placeholder, not a real checksum', sha)
        elif kind == 'git':
            if not source.get('url'):
                self.error(f'{label}: a git source needs a "url"')
            if not (source.get('commit') or source.get('tag')):
                self.error(f'{label}: a git source needs a "tag" and/or a "commit", '
                           'so the build is reproducible', source.get('url'))

    def check_modules(self, data):
        modules = data.get('modules')
        if not isinstance(modules, list) or not modules:
            self.error('"modules" must be a non-empty list')
            return

        names = []
        for index, module in enumerate(modules):
            if isinstance(module, str):
                self.error(f'module {index + 1}: modules must be written inline, not in a '
                           f'separate file ("{module}")', f'"{module}"')
                names.append(None)
                continue
            if not isinstance(module, dict):
                self.error(f'module {index + 1} must be a JSON object')
                names.append(None)
                continue
            name = module.get('name')
            if not isinstance(name, str) or not name:
                self.error(f'module {index + 1} has no "name"')
                names.append(None)
                continue
            names.append(name)
            needle = f'"name": "{name}"'

            for key in module:
                if key not in MODULE_KEYS and not is_ignored_key(key):
                    self.error(f'module "{name}": unknown key "{key}"', f'"{key}"')
            buildsystem = module.get('buildsystem', 'autotools')
            if buildsystem not in BUILDSYSTEMS:
                self.error(f'module "{name}": unknown buildsystem {json.dumps(buildsystem)} '
                           f'(one of {", ".join(sorted(BUILDSYSTEMS))})', needle)
            for key in ('config-opts', 'make-args', 'make-install-args', 'build-commands',
                        'post-install', 'cleanup'):
                value = module.get(key)
                if value is not None and (not isinstance(value, list)
                                          or not all(isinstance(v, str) for v in value)):
                    self.error(f'module "{name}": "{key}" must be a list of strings', needle)

            sources = module.get('sources')
            if not isinstance(sources, list) or not sources:
                self.error(f'module "{name}" has no "sources"', needle)
            else:
                for source_index, source in enumerate(sources):
                    self.check_source(name, source_index, source)

            if 'modules' in module:
                self.error(f'module "{name}": nested modules are not expected here; list '
                           'every module at the top level', needle)

        known = [n for n in names if n is not None]
        for name in sorted(set(known)):
            if known.count(name) > 1:
                self.error(f'module "{name}" is listed {known.count(name)} times',
                           f'"name": "{name}"')
        for name in EXPECTED_MODULES:
            if name not in known:
                self.error(f'module "{name}" is missing')
        for name in known:
            if name not in EXPECTED_MODULES:
                self.error(f'module "{name}" is not expected; add it to EXPECTED_MODULES in '
                           'flatpak/check-manifest.py if it is needed', f'"name": "{name}"')
        present = [n for n in known if n in EXPECTED_MODULES]
        if present != [n for n in EXPECTED_MODULES if n in present]:
            self.error('modules are in the wrong order: expected '
                       f'{", ".join(EXPECTED_MODULES)}; found {", ".join(known)}')

        if known and known[-1] != APP_MODULE:
            self.error(f'the last module must be "{APP_MODULE}" (dependencies are built first), '
                       f'not "{known[-1]}"')

        app = next((m for m in modules if isinstance(m, dict) and m.get('name') == APP_MODULE),
                   None)
        if app is not None:
            self.check_app_module(app)

    def check_app_module(self, app):
        needle = f'"name": "{APP_MODULE}"'
        if app.get('buildsystem') != 'meson':
            self.error(f'module "{APP_MODULE}" must use "buildsystem": "meson"', needle)
        opts = app.get('config-opts') or []
        if isinstance(opts, list) and '-Dbuildtype=release' not in opts:
            self.error(f'module "{APP_MODULE}" should configure with -Dbuildtype=release', needle)
        if isinstance(opts, list) and any(o.startswith('-Dprofile=development') for o in opts):
            self.error(f'module "{APP_MODULE}": the Flathub manifest must not use the '
                       'development profile', needle)
        sources = app.get('sources') or []
        for source in sources:
            if isinstance(source, dict) and source.get('type') == 'dir':
                path = source.get('path')
                if not isinstance(path, str):
                    self.error(f'module "{APP_MODULE}": a dir source needs a "path"', needle)
                    continue
                tree = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(self.path)),
                                                     path))
                if not is_project_root(tree):
                    self.error(f'module "{APP_MODULE}": dir source "{path}" does not point at '
                               f'the source tree ({tree} has no meson.build with project())',
                               f'"path": "{path}"')

    def run(self):
        data = self.load()
        if data is not None:
            self.check_toplevel(data)
            self.check_finish_args(data)
            self.check_modules(data)
        return self.errors


def main(argv):
    if len(argv) != 2:
        print(f'usage: {argv[0]} MANIFEST.json', file=sys.stderr)
        return 2
    checker = Checker(argv[1])
    errors = checker.run()
    if errors:
        for message in errors:
            print(message, file=sys.stderr)
        print(f'{len(errors)} problem(s) in {checker.display}', file=sys.stderr)
        return 1
    print(f'{checker.display}: OK ({APP_ID}, {RUNTIME}//{RUNTIME_VERSION}, '
          f'modules: {", ".join(EXPECTED_MODULES)})')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
