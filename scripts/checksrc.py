#!/usr/bin/python3
"""Source checks that CI enforces on every C file of the project:
80 columns, no tabs, no trailing blanks, no bare TODO/FIXME (a known
shortcoming is written as XXX(#issue): reason, or in docs/KNOWN_BUGS.md),
and none of the banned unbounded string functions."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DIRS = ["include", "lib", "src", "tests/unit", "tests/fuzz", "examples",
        "bench"]
BANNED = re.compile(r"\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|"
                    r"sscanf|strtok)\s*\(")
BARE = re.compile(r"\b(TODO|FIXME)\b|\bXXX\b(?!\(#\d+\))")


def check(path):
    bad = []
    rel = path.relative_to(ROOT)
    for no, line in enumerate(path.read_text().splitlines(), 1):
        where = f"{rel}:{no}"
        if len(line) > 80:
            bad.append(f"{where}: longer than 80 columns")
        if "\t" in line:
            bad.append(f"{where}: tab")
        if line != line.rstrip():
            bad.append(f"{where}: trailing blank")
        if BARE.search(line):
            bad.append(f"{where}: bare TODO/FIXME/XXX")
        if BANNED.search(line):
            bad.append(f"{where}: banned function")
    return bad


def main():
    problems = []
    count = 0
    for d in DIRS:
        for path in sorted((ROOT / d).rglob("*.[ch]")):
            count += 1
            problems += check(path)
    for p in problems:
        print(p)
    print(f"checksrc: {count} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
