#!/usr/bin/env python3
"""Sums Criterion's 'Synthesis:' lines of a meson test log into one line.

Exit status 1 when any test failed or crashed, or when no test ran."""
import re
import sys

FIELDS = ("Tested", "Passing", "Failing", "Crashing")


def main(path: str) -> int:
    totals = dict.fromkeys(FIELDS, 0)
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            if "Synthesis:" not in line:
                continue
            for field in FIELDS:
                m = re.search(field + r": (\d+)", line)
                if m:
                    totals[field] += int(m.group(1))
    failed = totals["Failing"] + totals["Crashing"]
    print(f"tests: {totals['Passing']} passed, {failed} failed")
    return 1 if failed or totals["Tested"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
