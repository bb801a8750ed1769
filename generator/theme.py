"""The theme: where templates and static assets come from.

The default theme ships inside the package (``generator.templates``, built from
the repository's ``templates/`` folder). A site's own ``templates/`` folder
overrides it file by file, and its ``static/`` folder adds or replaces assets.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def default_theme_dir() -> Path:
    """The folder of the default templates, installed or in a source checkout."""
    try:
        # ``generator.templates`` has no __init__.py, so ``files()`` may give a
        # MultiplexedPath (a namespace package): ask for a file inside it instead.
        installed = resources.files("generator.templates") / "base.html"
        if isinstance(installed, Path) and installed.is_file():
            return installed.parent
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "templates"


def template_dirs(site_root: Path) -> list[Path]:
    """Template folders in lookup order: the site's own first, then the default."""
    dirs = []
    own = site_root / "templates"
    default = default_theme_dir()
    if own.is_dir() and own.resolve() != default.resolve():
        dirs.append(own)
    dirs.append(default)
    return dirs


def static_files(site_root: Path) -> dict[str, Path]:
    """Static assets by output path (``static/...``): the site's override the theme's."""
    found: dict[str, Path] = {}
    for folder in (default_theme_dir() / "static", site_root / "templates" / "static",
                   site_root / "static"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith(".") and path.suffix != ".py":
                    found["static/" + path.relative_to(folder).as_posix()] = path
    return found
