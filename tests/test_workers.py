"""What travels to worker processes: the site packed for rendering article pages."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.build import site_for
from generator.config import SiteConfig, load_config
from generator.diagnostics import DigestError, error
from generator.model import Site
from generator.pages import Page
from generator.workers import (
    SITEMAP_LINKS_PER_PAGE,
    SiteUnpacker,
    _balanced_shares,
    _failure,
    _finish_unpacking,
    _receive,
    _start_unpacking,
    pack_site,
    render_work,
)


def unpack_site(parts: Iterable[bytes], config: SiteConfig) -> Site:
    """The site ``pack_site`` packed, from all its parts (as a worker unpacks it)."""
    unpacker = SiteUnpacker(config)
    *articles, topics = parts
    for part in articles:
        unpacker.add(part)
    return unpacker.site(topics)


def test_a_packed_site_unpacks_to_what_article_pages_read(sample_site: Path) -> None:
    config, _ = load_config(sample_site, output=sample_site.parent / "out")
    site, _ = site_for(config)
    assert any(a.coverage for a in site.articles) and any(a.body_file for a in site.articles)
    unpacked = unpack_site(pack_site(site), config)

    def slim(article):  # type: ignore[no-untyped-def]
        def blank(summary):  # type: ignore[no-untyped-def]
            return replace(summary, text="", title_key="", title_link="", url_keys=(),
                           record_json="")
        return replace(article, summary=blank(article.summary),
                       body_file=blank(article.body_file) if article.body_file else None)

    assert unpacked.articles == tuple(slim(a) for a in site.articles)
    assert unpacked.by_slug == {a.slug: slim(a) for a in site.articles}
    assert unpacked.topics == site.topics
    assert unpacked.config == config and unpacked.event_state is None


def test_a_site_packed_in_parts_unpacks_to_the_same_site(sample_site: Path) -> None:
    config, _ = load_config(sample_site, output=sample_site.parent / "out")
    site, _ = site_for(config)
    whole = list(pack_site(site, part=len(site.articles)))
    assert len(whole) == 2  # (the articles, then the topics)
    parts = list(pack_site(site, part=3))
    assert len(parts) == -(-len(site.articles) // 3) + 1
    assert unpack_site(parts, config) == unpack_site(whole, config)
    empty = Site(config=config, articles=(), topics=(), by_slug={})
    assert len(alone := list(pack_site(empty))) == 1  # (the topics part alone)
    assert unpack_site(alone, config) == empty


def test_a_worker_unpacks_the_site_with_the_collector_paused_then_freezes_it(
        sample_site: Path) -> None:
    config, _ = load_config(sample_site, output=sample_site.parent / "out")
    site, _ = site_for(config)
    *articles, topics = pack_site(site, part=2)
    gc.collect()
    frozen_before = gc.get_freeze_count()
    try:
        unpacker = _start_unpacking(config)
        for part in articles:
            unpacker.add(part)
            assert not gc.isenabled()  # (paused from the first part to the last)
        unpacked = _finish_unpacking(unpacker, topics)
        assert gc.isenabled()
        assert unpacked == unpack_site([*articles, topics], config)
        # (every article, summary and tuple of it is out of the collector's sight)
        assert gc.get_freeze_count() - frozen_before >= 2 * len(unpacked.articles)
    finally:
        gc.enable()
        gc.unfreeze()


def test_a_worker_yields_the_cores_to_the_build_once_it_has_parsed(
        sample_site: Path, tmp_path: Path) -> None:
    """Once it has answered a parse, a worker renders its bodies at a lower priority
    (``WORKER_NICENESS``), unasked, while the main process models the site."""
    import os
    import time

    from generator.record_store import RecordStore
    from generator.scan import find_content_paths
    from generator.workers import WORKER_NICENESS, WorkerPool

    config, _ = load_config(sample_site, output=tmp_path / "out")
    own = os.getpriority(os.PRIO_PROCESS, 0)
    pool = WorkerPool(config, 1)
    try:
        worker = pool._processes[0].pid
        assert worker is not None
        assert os.getpriority(os.PRIO_PROCESS, worker) == own  # (it parses at this one)
        parsed, _ = pool.parse(find_content_paths(config.content_dir),
                               RecordStore(tmp_path / "records.sqlite"))
        assert parsed
        wanted = min(19, own + WORKER_NICENESS)
        for _ in range(500):  # (lowered once the answer is sent: wait for it)
            if os.getpriority(os.PRIO_PROCESS, worker) == wanted:
                break
            time.sleep(0.01)
        assert os.getpriority(os.PRIO_PROCESS, worker) == wanted
        assert os.getpriority(os.PRIO_PROCESS, 0) == own
    finally:
        pool.close()


@given(st.lists(st.sampled_from(["topic", "api-news", "feed"]), max_size=300),
       st.lists(st.integers(1, 30_000), max_size=3), st.integers(1, 4))
def test_forked_renders_get_every_page_once_in_shares_of_even_work(
    kinds: list[str], sitemaps: list[int], count: int
) -> None:
    pages = [Page(kind, f"{kind}/{n}/", "page.html", "Page") for n, kind in enumerate(kinds)]
    pages += [Page("sitemap", f"sitemap-{n}.xml", "sitemap.xml", "Sitemap",
                   links=tuple((f"news/{i}/", 0.0) for i in range(lines)))
              for n, lines in enumerate(sitemaps)]
    shares = _balanced_shares(pages, count)
    assert len(shares) == count
    assert sorted(p.path for share in shares for p in share) == sorted(p.path for p in pages)

    loads = sorted(render_work(share) for share in shares)
    heaviest = max((render_work([p]) for p in pages), default=0.0)
    assert loads[-1] - loads[0] <= heaviest + 1  # (one page either way)
    if not sitemaps:  # dealt out in turn: every share has its part of any stretch of pages
        owner = {p.path: number for number, share in enumerate(shares) for p in share}
        for end in range(len(pages) + 1):
            dealt = [0.0] * count
            for page in pages[:end]:
                dealt[owner[page.path]] += render_work([page])
            assert max(dealt) - min(dealt) <= 1 + 1e-9  # (the work of one page at most)


def test_the_work_to_render_weighs_sitemap_lines_and_json_pages_against_html_pages() -> None:
    """What decides whether a build forks a renderer (``build.FORK_FROM``): a page of
    the JSON API weighs less than an HTML page, a sitemap by its lines."""
    html = [Page("topic", f"topics/t/page/{n}/", "topic.html", "T") for n in range(10)]
    api = [Page("api-news", f"api/news/page/{n}/index.json", "api-news.json", "News")
           for n in range(10)]
    sitemap = Page("sitemap", "sitemap.xml", "sitemap.xml", "Sitemap",
                   links=tuple((f"news/{i}/", 0.0) for i in range(3 * SITEMAP_LINKS_PER_PAGE)))
    assert render_work(html) == 10.0
    assert render_work(api) == pytest.approx(3.0)
    assert render_work([*html, sitemap]) == 13.0
    assert render_work([]) == 0.0


def test_a_sitemap_goes_to_a_forked_render_with_fewer_other_pages() -> None:
    pages = [Page("api-news", f"api/{n}/", "api-news.json", "News") for n in range(400)]
    pages.insert(150, Page("sitemap", "sitemap.xml", "sitemap.xml", "Sitemap",
                           links=tuple((f"news/{i}/", 0.0) for i in range(6000))))
    mine, child = _balanced_shares(pages, 2)
    assert [p.kind for p in child].count("sitemap") == 1
    assert (len(mine), len(child)) == (300, 101)  # 6,000 lines: the work of 60 HTML
    # pages, 200 of the API (0.3 each): 90 units a share
    theirs = {p.path for p in child}
    for start in range(0, 400, 10):  # spread over the plan, not a block of it
        block = [f"api/{n}/" for n in range(start, start + 10)]
        assert 2 <= sum(path in theirs for path in block) <= 8


def test_a_worker_makes_folders_asked_until_its_next_order_comes(tmp_path: Path) -> None:
    """``WorkerPool.make_folders``: the first worker makes them, unanswered; an order
    that comes meanwhile stops it (the pages make the rest), and is then carried out."""
    import time

    from generator.workers import WorkerPool

    config, _ = load_config(tmp_path, output=tmp_path / "out")
    folders = [f"{tmp_path}/out/news/story-{i:06d}" for i in range(200_000)]
    pool = WorkerPool(config, 1)
    try:
        pool.make_folders(folders)
        for _ in range(500):  # (until it has begun)
            if (tmp_path / "out" / "news").is_dir():
                break
            time.sleep(0.01)
        worker = pool._processes[0]
        pool.close()  # (an order: "stop", which it reads once it has stopped making them)
        assert worker.exitcode == 0  # (not killed for taking too long)
        made = len(list((tmp_path / "out" / "news").iterdir()))
        assert 0 < made < len(folders)  # stopped early, in order:
        assert (tmp_path / "out/news/story-000000").is_dir()
        assert not (tmp_path / f"out/news/story-{made:06d}").exists()
    finally:
        pool.close()


def test_a_problem_in_a_helper_process_comes_back_with_the_file_and_line_it_names() -> None:
    """A helper that fails with a ``DigestError`` (a template that failed on one of its
    pages) sends what it names, not a traceback; anything else comes as its traceback."""
    named = (error("templates/article.html", "template error: 'x' is undefined", line=7),)
    mine, theirs = multiprocessing.Pipe(duplex=False)
    try:
        raise DigestError("a template failed", diagnostics=named)
    except DigestError:
        theirs.send(_failure())
    with pytest.raises(DigestError) as failed:
        _receive(mine)
    assert (str(failed.value), failed.value.diagnostics) == ("a template failed", named)
    try:
        raise KeyError("bug")
    except KeyError:
        theirs.send(_failure())
    with pytest.raises(DigestError, match="a worker process failed:\n(.|\n)*KeyError"):
        _receive(mine)
