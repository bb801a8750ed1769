"""The theme: where templates and static assets come from.

The default theme ships inside the package (``generator.templates``, built from
the repository's ``templates/`` folder). A site's own ``templates/`` folder
overrides it file by file, and its ``static/`` folder adds or replaces assets.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path


def default_theme_dir() -> Path:
    """The folder of the default templates, installed or in a source checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "templates"  # (the wheel ships them as generator.templates:
    # found here rather than through importlib.resources, whose import took 0.01 s of
    # every build)
    if (installed / "base.html").is_file():
        return installed
    return package.parent / "templates"


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


_REFERENCE = re.compile(r"\{%-?\s*(?:extends|include|import|from)\b(.*?)-?%\}", re.DOTALL)
_LITERAL = re.compile(r"""\s*(["'])([^"']+)\1""")


def template_files(site_root: Path) -> dict[str, Path]:
    """Every template by name (its path under a template folder), the site's own first."""
    found: dict[str, Path] = {}
    for folder in template_dirs(site_root):
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and rel.parts[0] != "static" and not path.name.startswith(".") \
                    and path.suffix != ".py" and rel.as_posix() not in found:
                found[rel.as_posix()] = path
    return found


def template_digests(site_root: Path) -> dict[str, str]:
    """Template name -> hash of the template and of every template it extends, includes
    or imports, through any depth: what a page rendered with it depends on. A template
    that names another by a variable depends on them all."""
    texts, closures = _closures(site_root)
    digests = {}
    for name, closure in closures.items():
        h = hashlib.blake2b(digest_size=12)
        for used in sorted(closure):  # a missing one counts too: it may appear later
            text = texts.get(used)
            h.update(f"{used}\0{len(text) if text is not None else 'missing'}\0".encode())
            h.update(text or b"")
        digests[name] = h.hexdigest()
    return digests


def templates_naming(site_root: Path, variable: str) -> frozenset[str]:
    """The templates that name ``variable`` (as a variable, in a tag or an expression),
    themselves or in a template they extend, include or import at any depth: the only
    ones whose pages can show anything of it. One that cannot be read as a template
    counts as naming it."""
    from jinja2 import Environment, TemplateSyntaxError  # (a build with nothing to do
    # never asks)

    texts, closures = _closures(site_root)
    lexer = Environment()  # (the default syntax, which digest's environment keeps)
    naming = set()
    for name, text in texts.items():
        try:
            tokens = lexer.lex(text.decode("utf-8"))
            if any(kind == "name" and value == variable for _line, kind, value in tokens):
                naming.add(name)
        except (UnicodeDecodeError, TemplateSyntaxError):
            naming.add(name)
    return frozenset(name for name, closure in closures.items() if closure & naming)


def _closures(site_root: Path) -> tuple[dict[str, bytes], dict[str, set[str]]]:
    """Every template's bytes, and the names of the templates each one uses: itself and
    those it extends, includes or imports, through any depth."""
    files = template_files(site_root)
    texts = {name: path.read_bytes() for name, path in files.items()}
    uses = {name: _references(text.decode("utf-8", "replace"), files.keys())
            for name, text in texts.items()}
    closures = {}
    for name in texts:
        closure, todo = {name}, [name]
        while todo:
            for used in uses.get(todo.pop(), ()):
                if used not in closure:
                    closure.add(used)
                    todo.append(used)
        closures[name] = closure
    return texts, closures


def _references(text: str, names: Iterable[str]) -> set[str]:
    """The templates ``text`` extends, includes or imports by name (every one of
    ``names`` when one is named by an expression)."""
    found: set[str] = set()
    for argument in _REFERENCE.findall(text):
        literal = _LITERAL.match(argument)
        if literal is None:
            return set(names)
        found.add(literal.group(2))
    return found
