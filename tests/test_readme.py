"""The README's example runs as it is written, and the README keeps its promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"


def python_blocks() -> list[str]:
    """Every ```python block of the README's "A first test" section."""
    text = README.read_text()
    section = text[text.index("## A first test") : text.index("## How it compares")]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_first_test_is_at_most_15_lines() -> None:
    [example] = python_blocks()
    assert len(example.strip().splitlines()) <= 15


def test_the_first_test_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme_example="\n\n".join(python_blocks()))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_every_link_of_the_readme_leads_to_a_file() -> None:
    text = README.read_text()
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if not target.startswith("http"):
            assert (README.parent / target).exists(), target
