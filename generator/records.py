"""The typed records that content is validated into.

Field names follow Python style; the docstrings give the schema key each comes
from (the Smartable / "A.I. Every Day" news schema).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Image:
    """A picture of a story or a provider logo (``images[]``)."""

    url: str
    """``url``: absolute http(s) URL, or a site-relative path for provider logos."""
    width: int | None
    """``width`` in pixels, when given."""
    height: int | None
    """``height`` in pixels, when given."""
    title: str = ""
    """``title``: used as alt text."""


@dataclass(frozen=True, slots=True)
class Provider:
    """Who published the story (``provider``)."""

    name: str
    """``provider.name``, e.g. "Reuters"."""
    domain: str = ""
    """``provider.domain``, e.g. "reuters.com"."""
    logo: Image | None = None
    """First of ``provider.images``."""


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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

    @property
    def card_image(self) -> Image | None:
        """The first image with a width and a height (what cards and the article page
        show: a picture without its size would shift the page as it loads), if any."""
        return first_sized(self.images)


def first_sized(images: Sequence[Image]) -> Image | None:
    """The first of ``images`` with a width and a height, if any."""
    return next((image for image in images if image.width and image.height), None)


@dataclass(frozen=True, slots=True)
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
