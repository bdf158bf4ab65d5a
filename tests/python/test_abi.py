"""The package's ctypes struct mirrors against the C header: every offset
and size as the C compiler lays them out (tests/conformance/abi_offsets.c),
and simdconv_desc_init() writing each field where the mirror expects it."""
import pytest

import harness
import simdconv


def test_struct_mirrors_match_the_c_header():
    problems, note = harness.abi_check(harness.Lib(
        simdconv._lib.LIBRARY_PATH))
    assert not problems, problems
    if "sentinel check only" in note:
        pytest.skip(note)
