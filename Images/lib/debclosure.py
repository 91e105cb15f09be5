#!/usr/bin/env python3
"""Resolve the Depends/Pre-Depends closure of Debian packages, without installing.

Usage: debclosure.py [--records] ROOT... [--skip PKG...]

Prints one line per package, sorted: NAME VERSION (the candidate that
`apt-get install` would pick). The builder hashes these lines into its cache
key, so any new Debian upload of any package in the closure makes a new image.
With --records each line goes on with ARCH SHA256, read from the package
records; that is several times slower, so only a build asks for it.

apt-cache's own --recurse follows every alternative and every provider of a
virtual package; an image wants one package per dependency, so the graph is
walked here: first alternative only, first provider for a virtual package.
A dependency whose chosen package is in the skip list is dropped entirely
(no fallback to a later alternative): the skip list names things an image
does not run, such as debconf or dpkg.
"""
import os
import subprocess
import sys

# Set by the builder: a pkgcache of its own, since Debian's container
# configs often disable apt's and each call then re-parses every list (~1 s).
APT_OPTIONS = os.environ.get("MINIPOD_APT_OPTIONS", "").split()

DEPENDS_FLAGS = ["--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
                 "--no-breaks", "--no-replaces", "--no-enhances"]


def run(args):
    args = args[:1] + APT_OPTIONS + args[1:]
    return subprocess.run(args, check=True, capture_output=True, text=True,
                          env={"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}).stdout


def strip_arch(name):
    # apt prints same-arch or :any qualifiers on some edges; this builder is single-arch.
    return name.split(":", 1)[0]


def parse_graph(text):
    """{package: [[alternative, ...], ...]}; an alternative is (name, [providers])."""
    graph, current, group, last = {}, None, [], None
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            current = strip_arch(line.strip())
            graph.setdefault(current, [])
            group, last = [], None
            continue
        stripped = line.strip()
        if line.startswith("    "):
            # Indented under a dependency: a package providing it.
            if last is not None:
                last[1].append(strip_arch(stripped))
            continue
        alternative_follows = line.startswith(" |")
        kind, _, name = stripped.lstrip("|").partition(": ")
        if kind not in ("Depends", "PreDepends"):
            last = None
            continue
        last = (strip_arch(name), [])
        group.append(last)
        if not alternative_follows:
            graph[current].append(group)
            group = []
    return graph


def choose(group):
    name, providers = group[0]
    if name.startswith("<"):
        if not providers:
            raise SystemExit(f"debclosure: nothing provides virtual package {name}")
        return providers[0]
    return name


def closure(roots, skip):
    graph = parse_graph(run(["apt-cache", "depends", *DEPENDS_FLAGS, *roots]))
    seen, todo = set(), list(roots)
    while todo:
        pkg = todo.pop()
        if pkg in seen or pkg in skip:
            continue
        seen.add(pkg)
        for group in graph.get(pkg, []):
            todo.append(choose(group))
    return sorted(seen)


def candidate_versions(packages):
    # `apt-cache policy` answers from the binary cache alone, unlike `show`.
    versions, pkg = {}, None
    for line in run(["apt-cache", "policy", *packages]).splitlines():
        if not line.startswith(" ") and line.endswith(":"):
            pkg = strip_arch(line[:-1])
        elif line.strip().startswith("Candidate:"):
            versions[pkg] = line.split(":", 1)[1].strip()
    missing = [p for p in packages if versions.get(p, "(none)") == "(none)"]
    if missing:
        raise SystemExit(f"debclosure: no candidate version for {' '.join(missing)}")
    return versions


def records(packages):
    text = run(["apt-cache", "show", "--no-all-versions", *packages])
    records, fields = {}, {}
    for line in text.splitlines() + [""]:
        if not line:
            if fields:
                records[fields["Package"]] = fields
            fields = {}
        elif not line.startswith(" ") and ": " in line:
            key, _, value = line.partition(": ")
            fields[key] = value
    missing = [p for p in packages if p not in records]
    if missing:
        raise SystemExit(f"debclosure: no candidate version for {' '.join(missing)}")
    return [records[p] for p in packages]


def main(argv):
    with_records = "--records" in argv
    argv = [a for a in argv if a != "--records"]
    if "--skip" in argv:
        i = argv.index("--skip")
        roots, skip = argv[:i], set(argv[i + 1:])
    else:
        roots, skip = argv, set()
    if not roots:
        raise SystemExit(__doc__)
    packages = closure(roots, skip)
    versions = candidate_versions(packages)
    if with_records:
        for r in records(packages):
            if r["Version"] != versions[r["Package"]]:
                raise SystemExit(f"debclosure: apt-cache show and policy disagree on {r['Package']}")
            print(r["Package"], r["Version"], r["Architecture"], r["SHA256"])
    else:
        for p in packages:
            print(p, versions[p])


if __name__ == "__main__":
    main(sys.argv[1:])
