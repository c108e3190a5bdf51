"""MkDocs hooks for kmsmock's site (``hooks:`` in mkdocs.yml).

- Every ``<!-- generated: NAME -->`` block of a page is rendered afresh from
  kmsmock's own tables (:mod:`kmsmock.reference`), so the site cannot show a
  rule the code does not apply.
- Mermaid is served from the site itself, not from a CDN: ``.ci/run`` installs
  it with npm into ``docs/node_modules``, and the build copies it in. Without
  it, the page falls back to the theme's CDN copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from kmsmock.reference import regenerate

MERMAID = Path(__file__).parent / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Render the page's generated blocks from the code."""
    return regenerate(markdown)


def on_post_build(config: Any, **kwargs: Any) -> None:
    """Copy Mermaid into the site, where mkdocs.yml's extra_javascript expects it."""
    if MERMAID.exists():
        target = Path(config["site_dir"]) / "assets" / "javascripts" / "mermaid.min.js"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MERMAID, target)
