"""The typed records that content is validated into.

Field names follow Python style; the docstrings give the schema key each comes
from (the Smartable / "A.I. Every Day" news schema).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import TypeAlias, cast

from .frozen import frozen

ExtraValue: TypeAlias = "str | int | float | bool | None | tuple[ExtraValue, ...] | Extra"
"""A value of a story's own front-matter field: YAML's scalars, a list (as a tuple) or a
mapping (as an ``Extra``)."""


class Extra(Mapping[str, ExtraValue]):
    """A story's own front-matter fields (``Story.extra``): a read-only mapping, in the order
    the file gives them, with text keys. Immutable and hashable (a ``Story`` is a frozen
    record: pickled to workers, compared), and equal to another ``Extra`` only with the
    same keys in the same order (they render in that order). Templates read a field as
    ``story.extra.author`` or ``story.extra['og:image']``."""

    __slots__ = ("_items", "_index")

    def __init__(self, items: Iterable[tuple[str, ExtraValue]] = ()) -> None:
        pairs = tuple(items)
        index = dict(pairs)
        if len(index) != len(pairs):  # (a key given twice: the last value, in its place)
            pairs = tuple(index.items())
        self._items: tuple[tuple[str, ExtraValue], ...] = pairs
        self._index: dict[str, ExtraValue] = index

    def __getitem__(self, key: str) -> ExtraValue:
        return self._index[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Extra):
            return self._items == other._items
        return isinstance(other, Mapping) and dict(self._items) == dict(other.items())

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:  # (what a template printing a whole mapping shows)
        return repr(dict(self._items))

    def __reduce__(self) -> tuple[type[Extra], tuple[tuple[tuple[str, ExtraValue], ...]]]:
        return Extra, (self._items,)

    def to_json(self) -> str:
        """The fields as compact JSON ('' for none): how a ``StorySummary`` keeps them
        (``extra_from_json`` gives them back, equal)."""
        if not self._items:
            return ""
        return json.dumps(_plain(self), ensure_ascii=True, separators=(",", ":"))


EMPTY_EXTRA = Extra()
"""A story without fields of its own."""


def freeze_extra(value: object) -> ExtraValue:
    """A loaded value (YAML's or JSON's: text, numbers, booleans, null, lists, mappings) as
    an ``ExtraValue``: lists become tuples, mappings ``Extra`` with text keys. Raises
    ``TypeError`` for anything else (``validate`` checks values before)."""
    if value is None or isinstance(value, (str, int, float)):  # (bool is an int)
        return value
    if isinstance(value, (list, tuple)):
        return tuple(map(freeze_extra, value))
    if isinstance(value, dict):
        return Extra((str(key), freeze_extra(item)) for key, item in value.items())
    raise TypeError(f"{type(value).__name__} is not a front-matter value")


@lru_cache(maxsize=4096)
def extra_from_json(text: str) -> Extra:
    """Inverse of ``Extra.to_json`` (kept: a card asks for its story's fields once per
    field it shows)."""
    if not text:
        return EMPTY_EXTRA
    return cast(Extra, freeze_extra(json.loads(text)))


def _plain(value: ExtraValue) -> object:
    """An ``ExtraValue`` as plain JSON-able data."""
    if isinstance(value, Extra):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


@frozen
class Image:
    """A picture of a story or a provider logo (``images[]``)."""

    url: str
    """``url``: an absolute http(s) URL; or, for a file of this site (``static/``,
    ``root/``: see ``site_images``), its path under the base URL's path
    (``/digest/static/img/hero.jpg``: feeds and the API make it whole)."""
    width: int | None
    """``width`` in pixels, when given (for a file of this site, else read from it)."""
    height: int | None
    """``height`` in pixels, when given (for a file of this site, else read from it)."""
    title: str = ""
    """``title``: used as alt text."""


@frozen
class SiteImage:
    """A file of this site that an image of a story's Markdown body names."""

    path: str
    """Its output path (``static/img/chart.png``)."""
    url: str
    """Its link under the base URL's path (``/digest/static/img/chart.png``)."""
    width: int | None
    """Its width in pixels, as the file says (None: it does not say)."""
    height: int | None
    """Its height in pixels, as the file says."""


@frozen
class Provider:
    """Who published the story (``provider``)."""

    name: str
    """``provider.name``, e.g. "Reuters"."""
    domain: str = ""
    """``provider.domain``, e.g. "reuters.com"."""
    logo: Image | None = None
    """First of ``provider.images``."""


@frozen
class RelatedStory:
    """A story listed in ``related[]``: a small story, usually elsewhere."""

    title: str
    """``title``."""
    url: str
    """``webUrl``: where the story lives at its source (may be '' if unsafe)."""
    excerpt: str = ""
    """``excerpt``."""
    published: datetime | None = None
    """``publishedDateTime``, timezone-aware."""
    provider: Provider | None = None
    """``provider``."""
    image: Image | None = None
    """The first of ``images`` with a width and a height, else the first."""
    quality: int | None = None
    """``quality`` score."""


@frozen
class Story:
    """One news item, validated."""

    source: str
    """Path of the content file, relative to the site folder."""
    stem: str
    """File name without extension."""
    title: str
    """``title``."""
    published: datetime
    """``publishedDateTime``, timezone-aware."""
    excerpt: str = ""
    """``excerpt``."""
    url: str = ""
    """``webUrl``: the story at its source (http/https only, else '')."""
    original_url: str = ""
    """``originalUrl``."""
    amp_url: str = ""
    """``ampWebUrl``."""
    category: str = "news"
    """``category``."""
    kind: str = "article"
    """``type``."""
    quality: int | None = None
    """``quality`` score (higher is better)."""
    heat: int | None = None
    """``heat`` score."""
    provider: Provider | None = None
    """``provider``."""
    topics: tuple[str, ...] = ()
    """``topics[]``, in the order given, duplicates removed."""
    images: tuple[Image, ...] = ()
    """``images[]`` with a usable URL."""
    related: tuple[RelatedStory, ...] = ()
    """``related[]``."""
    body: str = ""
    """The text after the front matter (or of a matched plain-text body file)."""
    body_format: str = "markdown"
    """"markdown" or "text" (plain-text bodies render as paragraphs and lists)."""
    body_source: str = ""
    """Path of the plain-text file the body came from, when it was merged in."""
    draft: bool = False
    """``draft: true``: left out unless the build asks for drafts."""
    cluster: str | None = None
    """``cluster``: editor override of the event this story belongs to."""
    extra: Extra = EMPTY_EXTRA
    """The front matter's other top-level fields (never ``secured``), for templates:
    ``story.extra.author`` (see ``validate.extra_fields``)."""
    aliases: tuple[str, ...] = ()
    """``aliases`` (or ``redirect_from``): the story's old addresses, as site-relative
    paths (``news/old-title/``), each to have a page sending readers on (see ``aliases``)."""
    body_images: tuple[SiteImage, ...] = ()
    """The files of this site that the images of the Markdown body name (``![chart](
    /static/chart.png)``), found there: the page links them under the base path, with
    their size (``site_images.show_site_images``)."""

    @property
    def card_image(self) -> Image | None:
        """The first image with a width and a height (what cards and the article page
        show: a picture without its size would shift the page as it loads), if any."""
        return first_sized(self.images)


def first_sized(images: Sequence[Image]) -> Image | None:
    """The first of ``images`` with a width and a height, if any."""
    return next((image for image in images if image.width and image.height), None)


@frozen
class TextBody:
    """A content file without front matter: a body looking for its article."""

    source: str
    """Path of the file, relative to the site folder."""
    stem: str
    """File name without extension."""
    title: str
    """Its first non-empty line."""
    text: str
    """Everything after the title line."""
    modified: datetime
    """The file's modification time (used as a date if it stands alone)."""
    body_format: str = "text"
    """"markdown" for a ``.md`` or ``.markdown`` file, else "text"."""
    body_images: tuple[SiteImage, ...] = ()
    """The files of this site its Markdown's images name (see ``Story.body_images``)."""
