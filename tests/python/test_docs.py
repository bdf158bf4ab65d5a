"""The Python examples of README.md and docs/numerics.md run as written:
doctest checks every `>>>` example's output (host-dependent outputs are
marked +SKIP and only run), and README's plain ```python blocks run."""
import contextlib
import doctest
import io
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))


def _read(doc):
    with open(os.path.join(ROOT, doc)) as f:
        return f.read()


@pytest.mark.parametrize("doc", ["README.md", "docs/numerics.md"])
def test_doctest_examples(doc):
    # A closing ``` fence would read as expected output: blank it out.
    text = re.sub(r"(?m)^\s*```.*$", "", _read(doc))
    test = doctest.DocTestParser().get_doctest(text, {}, doc, doc, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    out = io.StringIO()
    result = runner.run(test, out=out.write)
    assert result.attempted > 5 and result.failed == 0, out.getvalue()


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", _read("README.md"), re.S)
    scripts = [b for b in blocks if ">>>" not in b]
    assert scripts
    for code in scripts:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
        assert out.getvalue().strip()
