"""Building a site for the publishing tests (feeds, API, sitemap, SEO) and reading it back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.build import build, site_for
from generator.config import load_config
from generator.model import Site

BASE_URL = "https://example.org/news-digest/"


@dataclass(frozen=True, slots=True)
class Published:
    """A built site and its model."""

    output: Path
    """The output folder."""
    site: Site
    """The model the build made (for expected values)."""
    base_url: str
    """The base URL it was built for."""

    def file_of(self, url: str) -> Path:
        """The output file an absolute URL of the site names."""
        assert url.startswith(self.base_url), f"{url!r} is not under {self.base_url!r}"
        rel = url[len(self.base_url):]
        return self.output / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)

    def url_of(self, path: str) -> str:
        """The absolute URL of a site-relative path."""
        return self.base_url + path

    def json(self, rel: str) -> Any:
        """A JSON output file, parsed."""
        return json.loads((self.output / rel).read_text(encoding="utf-8"))


def publish(site_dir: Path, output: Path, *, base_url: str = BASE_URL,
            **overrides: Any) -> Published:
    """Build ``site_dir`` into ``output`` for ``base_url``; fail on any diagnostic."""
    config, problems = load_config(site_dir, output=output,
                                   overrides={"base_url": base_url, **overrides})
    assert problems == ()
    report = build(config)
    assert report.errors == ()
    model, _diagnostics = site_for(config)
    return Published(output, model, base_url)
