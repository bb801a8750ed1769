"""Markdown bodies through cmark-gfm, for the texts where it gives markdown-it's output.

markdown-it-py (``bodies.render_body``) is the reference renderer of Markdown bodies. At
0.34 ms for a 3 KB body it was a tenth of the CPU of a clean build of 10,000 stories.
cmark-gfm (the C library GitHub uses, through the ``cmarkgfm`` package) renders the same
body in 0.04 ms.

The two disagree on some texts. They follow different versions of CommonMark. We also
set markdown-it up our way: raw HTML stays visible as text, links other than http(s)
and site paths stay visible as text (``urls.is_safe_link``), and it reads footnotes and
an image's size in braces (``bodies._markdown``), which cmark-gfm shows as text. So
:func:`fast_html` uses cmark-gfm only for texts made of constructs on which both agree,
and returns None for the rest, which markdown-it renders as before. A text qualifies
when:

- it ends with a newline (one is added to a text without: stories keep their bodies
  stripped, and markdown-it reads a text alike with or without it);
- it holds no ``<``, ``>``, ``|``, ``~`` or backslash (raw HTML, autolinks, block
  quotes, tables, strikethrough, escapes), no whitespace but spaces and newlines, no
  code fence, and no two blank lines in a row;
- it holds no ``^`` and no ``{`` (an inline footnote ``^[note]``, an image's size
  ``![a](u){width=6}``; a footnote's definition, ``[^1]: note``, is refused as a
  reference definition is, and a mark ``[^1]`` without one is text for both);
- no line is a bare list marker (an empty item);
- each run of ``*`` or ``_`` is ``*``, ``**`` or ``_``, with a letter or digit on exactly
  one side and a space or ASCII punctuation on the other (an ``_`` between two letters
  or digits is also allowed: both read it as a plain ``_``);
- each line has an even number of backticks, none of them doubled;
- each link or image is ``[text](http(s)://...)``, with only URL-safe ASCII characters
  and a safe address; no reference links.

Random texts found each rule (tests/test_fastmd.py keeps checking it). 812 of the
first 816 bodies of the 10,000-story bench corpus qualify. Without ``cmarkgfm`` installed,
every body goes to markdown-it, which gives the same pages.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable
from functools import lru_cache

from .urls import is_safe_link

_REFUSED_TEXT = ("<", ">", "|", "~", "\\", "\t", "\r", "^", "{", "```", "]:", "][", "] ",
                 "]\n")
"""Raw HTML, autolinks, quotes, tables, strikethrough, escapes, tabs, carriage returns,
inline footnotes, attributes, code fences, reference definitions (footnotes' too) and
links (plain ``in`` tests: a regular expression with a character class took 40 us a
body; a test of one character takes 0.3 us on 3 KB, of two 2.8 us, so ``^`` and ``{``
rather than ``^[`` and ``){``)."""
_ODD_SPACES = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u1680",
               *map(chr, range(0x2000, 0x200B)), "\u2028", "\u2029", "\u202f", "\u205f",
               "\u3000")
"""Whitespace other than spaces and newlines (markdown-it strips it where cmark keeps it)."""
_REFUSED_LINES = re.compile(r"\n *\n *\n|\n *(?:[-+*]|\d+[.)]) *\n")
"""Two blank lines in a row; an empty list item (matched in the text after a newline)."""
_TICKS = re.compile(r"`+")
_LINK = re.compile(r"\]\((https?://[A-Za-z0-9._~:/?#&+,;=%@-]+)\)")
_NEIGHBOUR_OK = frozenset(" \n!\"#$%&'()+,-./:;=?@[]^{}")
"""What may stand on the non-word side of a ``*``/``_`` run (see the module docstring)."""


def fast_html(text: str) -> str | None:
    """``text`` as HTML by cmark-gfm, or None when markdown-it must render it."""
    render = _renderer()
    if render is None:
        return None
    ended = text if text.endswith("\n") else text + "\n"  # (stories keep their bodies
    # stripped; markdown-it reads the text alike with or without a last newline)
    return render(ended) if qualifies(ended) else None


def qualifies(text: str) -> bool:
    """Whether cmark-gfm renders ``text`` exactly as markdown-it does (module docstring)."""
    if not text.endswith("\n") or any(part in text for part in _REFUSED_TEXT):
        return False
    if not text.isascii() and any(space in text for space in _ODD_SPACES):
        return False
    if _REFUSED_LINES.search("\n" + text):
        return False
    return _simple_delimiters(text) and _simple_code(text) and _safe_links(text)


def _simple_delimiters(text: str) -> bool:
    places = sorted(_places(text, "*") + _places(text, "_"))
    end = len(text)
    index = 0
    while index < len(places):
        start = stop = places[index]
        while index + 1 < len(places) and places[index + 1] == stop + 1:
            index += 1
            stop += 1
        index += 1
        run = text[start : stop + 1]
        if run not in ("*", "**", "_"):
            return False
        before = text[start - 1] if start else " "
        after = text[stop + 1] if stop + 1 < end else " "
        word_before, word_after = before.isalnum(), after.isalnum()
        if word_before and word_after and run == "_":
            continue
        if word_before == word_after:
            return False
        if (after if word_before else before) not in _NEIGHBOUR_OK:
            return False
    return True


def _places(text: str, char: str) -> list[int]:
    found = []
    at = text.find(char)
    while at >= 0:
        found.append(at)
        at = text.find(char, at + 1)
    return found


def _simple_code(text: str) -> bool:
    if "`" not in text:
        return True
    for line in text.split("\n"):
        ticks = _TICKS.findall(line)
        if len(ticks) % 2 or any(len(run) > 1 for run in ticks):
            return False
    return True


def _safe_links(text: str) -> bool:
    if "](" not in text:
        return True
    links = _LINK.findall(text)
    return len(links) == text.count("](") and all(map(is_safe_link, links))


@lru_cache(maxsize=1)
def _renderer() -> Callable[[str], str] | None:
    """cmark-gfm's ``cmark_markdown_to_html``, with the HTML it returns freed (None where
    it cannot be had: markdown-it then renders every body).

    It is called through ctypes, in the library ``cmarkgfm`` builds, not through
    ``cmarkgfm.markdown_to_html_with_extensions``: that one frees neither the document
    tree nor the HTML, and leaked 278 KB a call on a 12.6 KB text (at 100,000 stories
    23 KB a body, 460 MB a worker; in the preview server, with every rebuild). No
    extension is needed: a text with a table's ``|`` or a strikethrough's ``~`` does not
    qualify. ``cmark_markdown_to_html`` frees its tree itself; its HTML comes from the
    library's default allocator, and goes back to it."""
    try:
        from cmarkgfm import _cmark  # imported on first use: a build with nothing to do
        # never renders
        library = ctypes.CDLL(_cmark.__file__)
        to_html = library.cmark_markdown_to_html
        default_allocator = library.cmark_get_default_mem_allocator
    except (ImportError, OSError, AttributeError):  # pragma: no cover - a dependency, but
        return None  # a platform without a wheel for it may have failed to build it
    to_html.argtypes = (ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int)
    to_html.restype = ctypes.c_void_p  # (a plain address: ctypes would copy a c_char_p
    # result into bytes and lose the pointer to free)
    default_allocator.restype = ctypes.POINTER(_Allocator)
    free = default_allocator().contents.free

    def render(text: str) -> str:
        data = text.encode("utf-8")
        html = to_html(data, len(data), 0)
        if not html:
            raise MemoryError("cmark-gfm could not allocate the HTML of a body")
        try:
            return ctypes.string_at(html).decode("utf-8")
        finally:
            free(html)

    return render


class _Allocator(ctypes.Structure):
    """cmark-gfm's ``cmark_mem``: the functions its memory comes from and goes back to."""

    _fields_ = (("calloc", ctypes.c_void_p), ("realloc", ctypes.c_void_p),
                ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p)))
