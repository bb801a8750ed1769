"""Stage 3, after the model: what the build warns of about the site as a whole, and keeps
in its cache to warn of again (``manifest``) until it is settled.

- Slug clashes: stories that did not get the address they asked for (``slugs``).
- Shared webUrls: stories that give the same address at their source (``shared_urls``).
- Moved pages: stories whose page left an address an earlier build gave them, with no
  page there now (``moved_pages``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from itertools import chain

from .config import SiteConfig
from .diagnostics import Diagnostic
from .manifest import CachedFile, Manifest
from .model import Site, slug_rank
from .moved_pages import MovedPage, find_moved_pages, find_renames
from .parse import ParsedFile
from .read import read_source
from .shared_urls import SharedUrl, group_same_urls, shared_urls
from .slugs import SlugClash, find_slug_clashes


def slug_clashes(site: Site) -> tuple[SlugClash, ...]:
    """The stories that did not get the slug they wanted, each with the one that has it
    (the few moved are found in one pass; at 10,000 stories a tuple of every story took
    3 ms of every build)."""
    moved = [a for a in site.articles if a.slug != a.summary.wanted_slug]
    if not moved:
        return ()
    by_slug = site.by_slug
    return find_slug_clashes(
        ((a.summary.source, a.summary.wanted_slug, a.slug, slug_rank(a.summary))
         for a in moved),
        {a.summary.wanted_slug: by_slug[a.summary.wanted_slug].summary.source
         for a in moved if a.summary.wanted_slug in by_slug})


def moved_since(manifest: Manifest, last_files: Mapping[str, CachedFile],
                 parsed: Sequence[ParsedFile], removed: Sequence[str],
                 slug_of: Mapping[str, str], clashes: Sequence[SlugClash],
                 covered: Collection[str], *, accept: bool
                 ) -> tuple[tuple[MovedPage, ...], tuple[MovedPage, ...]]:
    """The stories whose page left an address the last build (``manifest``, whose files,
    summaries loaded, are ``last_files``) or an earlier one gave them, no page being there
    now (``covered``: this build's output files): those of the files read again
    (``parsed``), gone (``removed``: renamed, see ``moved_pages.find_renames``) or in a slug
    clash of either build, and those not settled since (unless ``accept``). The last
    build's address of a file is its summary's wanted slug, or the slug its clash gave it;
    a body file that was an article's body had none. Then, with ``accept``, the moves it
    forgot: those it would have found without it (found twice, only then)."""
    if not last_files and not manifest.moved:
        return (), ()  # (a cold build: no earlier address to compare with)
    clashed = {clash[0]: clash[1] for clash in manifest.clashes}
    bodies = {body for body, article, *_rest in manifest.placements if article}

    def was(source: str) -> str | None:
        entry = last_files.get(source)
        if entry is None or entry.summary is None or source in bodies:
            return None
        return clashed.get(source, entry.summary.wanted_slug)

    gone = {source: entry.summary for source in removed
            if (entry := last_files.get(source)) is not None and entry.summary is not None}
    came = [p.summary for p in parsed if p.summary is not None and p.source not in last_files]
    renamed = find_renames(gone, came) if gone and came else {}
    pending = tuple(map(MovedPage.from_tuple, manifest.moved))

    def find(pending: Sequence[MovedPage]) -> tuple[MovedPage, ...]:
        return find_moved_pages(
            was=was, now=slug_of,
            looked_at=chain((p.source for p in parsed), clashed, (c.source for c in clashes)),
            renamed=renamed, pending=pending, covered=covered)

    if not accept:
        return find(pending), ()
    moved = find(())
    return moved, tuple(move for move in find(pending) if move not in moved) if pending else ()


def same_url_groups(site: Site) -> tuple[tuple[str, ...], ...]:
    """The files of each group of the site's stories that share a ``webUrl``."""
    by_slug = site.by_slug
    return group_same_urls(site.same_url, lambda slug: by_slug[slug].summary.source) \
        if site.same_url else ()


def shared_url_groups(config: SiteConfig, site: Site) -> tuple[SharedUrl, ...]:
    """The groups of the site's stories that share a ``webUrl``, each story with the line
    of its ``webUrl`` (its file read again to find it: these are few, and warned of)."""
    groups = same_url_groups(site)
    if not groups:
        return ()
    by_source = {summary.source: summary
                 for summary in (site.by_slug[slug].summary for slug in site.same_url)}

    def line_of(source: str) -> int | None:
        found = read_source(config.source / source, site_root=config.source,
                            max_bytes=config.max_file_bytes)
        return None if isinstance(found, Diagnostic) else found.field_lines().line_of("webUrl")

    return shared_urls(groups, lambda source: by_source[source].url, line_of)
