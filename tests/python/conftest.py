"""pytest setup for the simdconv Python package's tests.

Run by `meson test -C <build> --suite python` (which sets PYTHONPATH and
SIMDCONV_LIBRARY), or directly:
    /usr/bin/python3 -m pytest tests/python   # uses build*/src/libsimdconv.so
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "conformance"))
sys.path.insert(0, os.path.join(ROOT, "python"))

import harness  # noqa: E402

if not os.environ.get("SIMDCONV_LIBRARY"):
    os.environ["SIMDCONV_LIBRARY"] = harness.find_library()


def pytest_terminal_summary(terminalreporter):
    """A Criterion-style closing line: tools/sum_synthesis.py adds it to the
    C suite's counts, and CI is judged by those."""
    stats = terminalreporter.stats
    n = {k: len(stats.get(k, []))
         for k in ("passed", "failed", "error", "skipped")}
    terminalreporter.write_line(
        "[pytest] Synthesis: Tested: %d | Passing: %d | Failing: %d | "
        "Crashing: %d | Skipped: %d"
        % (n["passed"] + n["failed"] + n["error"], n["passed"], n["failed"],
           n["error"], n["skipped"]))
