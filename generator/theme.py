"""The theme: where templates and static assets come from.

The default theme ships inside the package (``generator.templates``, built from
the repository's ``templates/`` folder). A site's own ``templates/`` folder
overrides it file by file, and its ``static/`` folder adds or replaces assets.
Its ``root/`` folder holds files published as they are at the output's root
(``ads.txt``, ``CNAME``, ``.well-known/security.txt``): one that would take the place of
a generated file is left out (``root_collisions``), but for ``robots.txt``, which
replaces the generated one.

Both folders are copied by one rule (``copied_files``): editor and system litter is
never copied (``is_litter``), and a symlink is followed only to a file or folder
inside the site folder, so that no file from elsewhere on the machine is published.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from .diagnostics import Diagnostic, error
from .frozen import frozen
from .output import MARKER


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
    own = site_root / TEMPLATES_DIR
    default = default_theme_dir()
    if own.is_dir() and own.resolve() != default.resolve():
        dirs.append(own)
    dirs.append(default)
    return dirs


TEMPLATES_DIR = "templates"
"""The site folder of its own templates, looked up before the default theme's."""
STATIC_DIR = "static"
"""The site folder of assets, published under ``static/`` (the theme's too)."""
ROOT_DIR = "root"
"""The site folder whose files are published as they are at the output's root."""
REPLACEABLE = frozenset({"robots.txt"})
"""Generated files that a file of ``root/`` replaces instead of colliding with (a
publisher's own robots.txt, to keep crawlers out of ``api/``...)."""
LITTER_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".git", ".hg", ".svn"})
"""Names of files and folders that editors, file managers and version control leave
in a folder: never published."""


def is_litter(name: str) -> bool:
    """Whether a file or folder of ``static/`` or ``root/`` is editor, system or version
    control litter, never copied: ``.DS_Store``, ``Thumbs.db``, ``desktop.ini``, ``.git/``,
    backups (``x~``), Emacs's locks and autosaves (``.#x``, ``#x#``) and Vim's swap files
    (``.x.swp``). Other dot-files are copied (``.nojekyll``, ``.well-known/``)."""
    return (name in LITTER_NAMES or name.endswith("~") or name.startswith(".#")
            or (name.startswith("#") and name.endswith("#"))
            or (name.startswith(".") and name.endswith((".swp", ".swx"))))


@frozen
class CopiedFiles:
    """The files a build copies as they are, by output path, and what was left out."""

    static: Mapping[str, Path]
    """``static/...``: the theme's assets, overridden by the site's."""
    root: Mapping[str, Path]
    """The files of the site's ``root/``, by their path from it (``ads.txt``), not yet
    checked against the generated files (see ``root_collisions``)."""
    problems: tuple[Diagnostic, ...]
    """A symlink of ``static/`` or ``root/`` that leads out of the site folder (left out)."""


def copied_files(site_root: Path) -> CopiedFiles:
    """The site's static assets and root files (see ``CopiedFiles``)."""
    static: dict[str, Path] = {}
    problems: list[Diagnostic] = []
    theme = default_theme_dir()
    for folder, within in ((theme / STATIC_DIR, theme), (site_root / "templates" / STATIC_DIR,
                           site_root), (site_root / STATIC_DIR, site_root)):
        for rel, path in _files_below(folder, within, site_root, problems):
            if within is not theme or not (path.suffix == ".py" or "__pycache__" in rel):
                static[f"{STATIC_DIR}/{rel}"] = path  # (the package's own files are not)
    root = dict(_files_below(site_root / ROOT_DIR, site_root, site_root, problems))
    return CopiedFiles(static, root, tuple(problems))


def static_files(site_root: Path) -> dict[str, Path]:
    """Static assets by output path (``static/...``): the site's override the theme's."""
    return dict(copied_files(site_root).static)


def _files_below(folder: Path, within: Path, site_root: Path,
                 problems: list[Diagnostic]) -> list[tuple[str, Path]]:
    """Every file below ``folder`` but litter, by its path from there, sorted. A symlink
    is followed if it leads inside ``within`` (to a folder that is not one it lies in:
    a loop ends), else it is left out with an error in ``problems``."""
    found: list[tuple[str, Path]] = []
    top = os.path.realpath(within)

    def walk(path: Path, rel: str, seen: tuple[str, ...]) -> None:
        real = os.path.realpath(path)
        if not (real == top or real.startswith(top + os.sep)):
            problems.append(_leaking(path, real, site_root))
        elif os.path.isdir(real):
            if real not in seen:  # (a symlink back up the tree is not walked again)
                for entry in sorted(os.scandir(path), key=lambda e: e.name):
                    if not is_litter(entry.name):
                        walk(path / entry.name, rel + entry.name + "/", (*seen, real))
        elif os.path.isfile(real) and rel:
            found.append((rel[:-1], path))

    if os.path.lexists(folder):
        walk(folder, "", ())
    return found


def _leaking(link: Path, target: str, site_root: Path) -> Diagnostic:
    """The error for a symlink that leads out of the site folder."""
    try:
        name = link.relative_to(site_root).as_posix()
    except ValueError:
        name = str(link)
    return error(name, f"the symlink leads to {target!r}, outside the site folder, so it "
                       "is not published", hint="Copy the file into the site folder instead "
                       "of linking to it.")


def root_collisions(root: Mapping[str, Path], generated: Collection[str]
                    ) -> tuple[dict[str, Path], tuple[Diagnostic, ...]]:
    """The files of ``root`` (``CopiedFiles.root``) that may be published beside the
    ``generated`` output paths (the planned pages' and the static assets'), and an error
    for each of the others: one that would take the place of a generated file (but
    those of ``REPLACEABLE``), or that lies in a folder of generated files (``news/``,
    ``topics/``... where the next story, topic or page could land on it). Decided from
    the top-level names of ``generated``, so a new kind of output is covered too."""
    if not root:
        return {}, ()
    tops: dict[str, str] = {}  # (each top-level name: a file, or a folder of pages)
    for rel in generated:
        top, slash, _rest = rel.partition("/")
        if slash or top not in tops:
            tops[top] = "folder" if slash else "file"
    for reserved in _OWN_FILES:
        tops.setdefault(reserved, "own")
    kept, problems = {}, []
    for rel, path in root.items():
        top = rel.partition("/")[0]
        kind = tops.get(top)
        if kind is None or rel in REPLACEABLE:
            kept[rel] = path
            continue
        if kind == "own":
            what = f"it would overwrite digest's own {top!r}, the mark of an output folder"
        elif rel in generated:
            what = f"it would overwrite the generated {rel!r}"
        elif kind == "folder":
            what = f"it would go into {top + '/'!r}, a folder of generated files"
        else:
            what = f"the generated {top!r} is a file, not a folder"
        problems.append(error(f"{ROOT_DIR}/{rel}", f"{what}, so it is not published",
                              hint=_MOVE_HINT))
    return kept, tuple(problems)


_OWN_FILES = (MARKER,)
"""What digest writes into an output folder besides the site."""
_MOVE_HINT = ("Move or rename it: root/ holds files beside the generated ones (only "
              "robots.txt replaces the generated one).")


_REFERENCE = re.compile(r"\{%-?\s*(?:extends|include|import|from)\b(.*?)-?%\}", re.DOTALL)
_LITERAL = re.compile(r"""\s*(["'])([^"']+)\1""")


THEME_PREFIX = "theme/"
"""What names a template of the default theme, whatever the site overrides: a site's
``templates/base.html`` that adds to the default one writes
``{% extends "theme/base.html" %}`` (its own name would find itself)."""


def template_files(site_root: Path) -> dict[str, Path]:
    """Every template by name (its path under a template folder), the site's own first,
    and each of the default theme's under ``THEME_PREFIX`` too."""
    found: dict[str, Path] = {}
    default = default_theme_dir()
    for folder in template_dirs(site_root):
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and rel.parts[0] != "static" and not path.name.startswith(".") \
                    and path.suffix != ".py":
                found.setdefault(rel.as_posix(), path)
                if folder == default:
                    found.setdefault(THEME_PREFIX + rel.as_posix(), path)
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
    return frozenset(name for name, closure in closures.items()
                     if closure & naming and not name.startswith(THEME_PREFIX))


_TRANSLATED = re.compile(r"""(["'])([\w.-]+)\1\s*\|\s*t\b|\bt\(\s*(["'])([\w.-]+)\3""")
"""A translated string's key in a template: ``"key"|t`` or ``t("key")``."""


def translated_keys(site_root: Path) -> frozenset[str]:
    """The keys of the strings the site's templates (and the default theme's) show
    through the ``t`` filter or function, as literals: those a translation file may
    give besides the default theme's."""
    return frozenset(match[1] or match[3] for path in template_files(site_root).values()
                     for match in _TRANSLATED.findall(path.read_text("utf-8", "replace")))


def _closures(site_root: Path) -> tuple[dict[str, bytes], dict[str, set[str]]]:
    """Every template's bytes, and the names of the templates each one uses: itself and
    those it extends, includes or imports, through any depth."""
    files = template_files(site_root)
    read = {path: path.read_bytes() for path in set(files.values())}  # (a default theme's
    # file not overridden has two names, its own and ``THEME_PREFIX``'s: read once)
    used_by = {path: _references(text.decode("utf-8", "replace"), files.keys())
               for path, text in read.items()}
    texts = {name: read[path] for name, path in files.items()}
    uses = {name: used_by[path] for name, path in files.items()}
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
