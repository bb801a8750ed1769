"""The full stories behind article pages, parsed once and kept for rendering.

The whole-site stages work on summaries; an article page needs the full story
(body, related list). A ``StoryStore`` holds the stories this process parsed
and parses any other one on demand, for the few pages an incremental build
renders whose files did not change. It can also render the stories' Markdown bodies
ahead of their pages (``render_bodies``), and keeps that HTML until the page needs it.
"""

from __future__ import annotations

from datetime import tzinfo

from .bodies import merge_body, render_body, standalone_story
from .config import SiteConfig
from .diagnostics import DigestError
from .model import Article
from .parse import parse_file
from .records import Story, TextBody


class StoryStore:
    """Full stories and plain-text bodies by source path."""

    def __init__(self, config: SiteConfig, zone: tzinfo) -> None:
        self._config = config
        self._zone = zone
        self._items: dict[str, Story | TextBody] = {}
        self._bodies: dict[str, tuple[str, str]] = {}  # source -> (body text, its HTML)

    def add(self, source: str, item: Story | TextBody) -> None:
        """Keep an item parsed elsewhere."""
        self._items[source] = item

    def item(self, source: str) -> Story | TextBody:
        """The parsed item of a content file (parsing it if needed)."""
        found = self._items.get(source)
        if found is None:
            parsed = parse_file(self._config.source / source, self._config, self._zone)
            if parsed.item is None:
                raise DigestError(f"{source} changed while the site was being built; build again")
            found = self._items[source] = parsed.item
        return found

    def story_for(self, article: Article) -> Story:
        """The full story of an article, with its plain-text body file merged in."""
        item = self.item(article.summary.source)
        story = standalone_story(item, self._zone) if isinstance(item, TextBody) else item
        if article.body_file is not None:
            body = self.item(article.body_file.source)
            if isinstance(body, TextBody):
                story = merge_body(story, body)
        return story

    def render_bodies(self) -> None:
        """Render the bodies of the stories held now, for ``body_html`` to give later.

        A worker does this while the main process models the site (when it would
        otherwise wait): Markdown is a third of an article page's rendering.
        """
        for source, item in self._items.items():
            if isinstance(item, Story) and item.body.strip() and source not in self._bodies:
                self._bodies[source] = (item.body, render_body(item.body, item.body_format))

    def body_html(self, story: Story) -> str:
        """A story's body as HTML (rendered ahead by ``render_bodies``, or now)."""
        found = self._bodies.get(story.source)
        if found is not None and found[0] == story.body:  # (a merged body is new text)
            return found[1]
        return render_body(story.body, story.body_format)
