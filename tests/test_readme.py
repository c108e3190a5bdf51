"""The README's examples run as they are written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"


def python_blocks() -> list[str]:
    """Every ```python block of the README's "First examples" section, in order."""
    text = README.read_text()
    section = text[text.index("## First examples") : text.index("## Documentation")]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_readme_has_an_example_of_each_entry_point() -> None:
    examples = "\n".join(python_blocks())
    for entry_point in (
        "@mock_kms_keystores",
        "with mock_kms_keystores(",
        ".start()",
        "@pytest.mark.kms_keystores(",
        "kms_keystores)",
    ):
        assert entry_point in examples


def test_the_readme_examples_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme_examples="\n\n".join(python_blocks()))
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
