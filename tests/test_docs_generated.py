"""The tables the docs show are the code's own: every generated block is the code's rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from kmsmock.reference import RENDERINGS, regenerate, render

ROOT = Path(__file__).parent.parent
PAGES = sorted(
    [
        *(page for page in (ROOT / "docs").rglob("*.md") if "node_modules" not in page.parts),
        ROOT / "README.md",
    ]
)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_generated_block_is_up_to_date(page: Path) -> None:
    text = page.read_text()
    assert regenerate(text) == text, (
        f"regenerate {page.relative_to(ROOT)}: "
        'python -c \'import pathlib, kmsmock.reference as r; p = pathlib.Path("PAGE"); '
        "p.write_text(r.regenerate(p.read_text()))'"
    )


def test_every_rendering_is_shown_somewhere() -> None:
    shown = "".join(page.read_text() for page in PAGES)
    for name in RENDERINGS:
        assert f"<!-- generated: {name} -->" in shown, name


def test_a_block_that_drifted_is_found() -> None:
    stale = "<!-- generated: key-state-rules -->\n| old |\n<!-- /generated -->"
    assert regenerate(stale) != stale
    assert render("key-state-rules") in regenerate(stale)


def test_an_unknown_block_name_says_which_names_exist() -> None:
    with pytest.raises(KeyError, match="the names are: connection-rules"):
        regenerate("<!-- generated: nope -->\nx\n<!-- /generated -->")


def test_the_world_change_table_reaches_every_connection_error_code() -> None:
    from kmsmock.model import service_model

    codes = service_model().shape_for("ConnectionErrorCodeType").enum
    table = render("world-connect")
    missing = [code for code in codes if f"`{code}`" not in table]
    assert missing == []


def test_the_world_change_tables_show_only_modeled_errors() -> None:
    import re

    from kmsmock.model import service_model

    model = service_model()
    for name, operation in (
        ("world-create", "CreateCustomKeyStore"),
        ("world-connect", "ConnectCustomKeyStore"),
    ):
        modeled = {error.name for error in model.operation_model(operation).error_shapes}
        shown = set(re.findall(r"`(\w+Exception)`", render(name)))
        assert shown and shown <= modeled, (operation, shown - modeled)


def test_an_empty_block_is_filled_and_its_neighbour_kept() -> None:
    two = (
        "<!-- generated: key-state-rules -->\n<!-- /generated -->\ntext\n"
        "<!-- generated: operations -->\n<!-- /generated -->"
    )
    assert regenerate(two) == (
        f"<!-- generated: key-state-rules -->\n{render('key-state-rules')}\n<!-- /generated -->"
        f"\ntext\n<!-- generated: operations -->\n{render('operations')}\n<!-- /generated -->"
    )
