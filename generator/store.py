"""The full stories behind article pages, parsed once and kept for rendering.

The whole-site stages work on summaries; an article page needs the full story
(body, related list). A ``StoryStore`` holds the stories this process parsed
and parses any other one on demand, for the few pages an incremental build
renders whose files did not change.
"""

from __future__ import annotations

from datetime import tzinfo

from .bodies import merge_body, standalone_story
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
