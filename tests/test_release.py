"""The release is told the same everywhere: the package, its metadata and the changelog."""

from __future__ import annotations

import re
from pathlib import Path

import kmsmock

ROOT = Path(__file__).parent.parent
CHANGELOG = (ROOT / "CHANGELOG.md").read_text()
RELEASE = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?$", re.M)


def test_the_package_and_its_metadata_name_one_version() -> None:
    # pyproject.toml's [project] version (read as text: tomllib is Python 3.11+)
    declared = re.search(r'^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert declared is not None and declared[1] == kmsmock.__version__


def test_the_changelog_keeps_a_changelog() -> None:
    releases = [(m["version"], m["date"]) for m in RELEASE.finditer(CHANGELOG)]
    assert releases[0] == ("Unreleased", None)  # what is not released yet goes on top
    assert all(date is not None for _, date in releases[1:]), "a release has no date"
    dates = [date for _, date in releases[1:]]
    assert dates == sorted(dates, reverse=True), "the newest release comes first"


def test_the_newest_release_is_the_package_version() -> None:
    released = [m["version"] for m in RELEASE.finditer(CHANGELOG)][1:]
    if ".dev" in kmsmock.__version__:
        assert kmsmock.__version__.split(".dev")[0] not in released
    else:
        assert released and released[0] == kmsmock.__version__
