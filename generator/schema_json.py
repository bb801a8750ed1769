"""A story as JSON in the news schema's own field names (for the JSON API).

Made once per story when its file is read, and kept in its summary, so API pages
can be written without re-reading any file. ``secured`` is never included.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from .records import Image, Provider, RelatedStory, Story


def story_json(story: Story) -> str:
    """The story's schema fields as compact JSON text (keys in schema order)."""
    record: dict[str, Any] = {
        "category": story.category,
        "title": story.title,
        "excerpt": story.excerpt,
        "publishedDateTime": _date(story.published),
        "originalUrl": story.original_url or None,
        "webUrl": story.url or None,
        "ampWebUrl": story.amp_url or None,
        "type": story.kind,
        "quality": story.quality,
        "heat": story.heat,
        "provider": _provider(story.provider),
        "topics": list(story.topics),
        "images": [_image(image) for image in story.images],
        "related": [_related(item) for item in story.related],
    }
    return json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False,
                      separators=(",", ":"))


def _date(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _image(image: Image) -> dict[str, Any]:
    record: dict[str, Any] = {"url": image.url}
    if image.width and image.height:
        record.update(width=image.width, height=image.height)
    if image.title:
        record["title"] = image.title
    return record


def _provider(provider: Provider | None) -> dict[str, Any] | None:
    if provider is None:
        return None
    record: dict[str, Any] = {"name": provider.name}
    if provider.domain:
        record["domain"] = provider.domain
    if provider.logo:
        record["images"] = [_image(provider.logo)]
    return record


def _related(item: RelatedStory) -> dict[str, Any]:
    record: dict[str, Any] = {"title": item.title, "excerpt": item.excerpt,
                              "publishedDateTime": _date(item.published),
                              "webUrl": item.url or None, "quality": item.quality,
                              "provider": _provider(item.provider),
                              "images": [_image(item.image)] if item.image else None}
    return {k: v for k, v in record.items() if v is not None}
