"""One content file's front matter, read for the tests of its fields' checks."""

from __future__ import annotations

from pathlib import Path

from generator.field_checker import FieldChecker
from generator.read import SourceFile, read_source
from generator.site_images import SiteFiles


def field_checker(site: Path, front_matter: str) -> tuple[FieldChecker, dict[str, object]]:
    """A checker of ``content/a.md`` with ``front_matter`` (the file's line 2 on), written
    in the folder ``site``, and the front matter read."""
    (site / "content").mkdir(exist_ok=True)
    path = site / "content" / "a.md"
    path.write_text(f"---\n{front_matter}---\nBody.\n", encoding="utf-8")
    source = read_source(path, site_root=site, max_bytes=1 << 20)
    assert isinstance(source, SourceFile) and isinstance(source.front_matter, dict)
    return FieldChecker(source, SiteFiles(site)), source.front_matter
