"""What travels to worker processes: the site packed for rendering article pages."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

from generator.build import site_for
from generator.config import load_config
from generator.workers import _unpack_paused, pack_site, unpack_site


def test_a_packed_site_unpacks_to_what_article_pages_read(sample_site: Path) -> None:
    config, _ = load_config(sample_site, output=sample_site.parent / "out")
    site, _ = site_for(config)
    assert any(a.coverage for a in site.articles) and any(a.body_file for a in site.articles)
    unpacked = unpack_site(pack_site(site), config)

    def slim(article):  # type: ignore[no-untyped-def]
        def blank(summary):  # type: ignore[no-untyped-def]
            return replace(summary, text="", title_key="", url_keys=(), record_json="")
        return replace(article, summary=blank(article.summary),
                       body_file=blank(article.body_file) if article.body_file else None)

    assert unpacked.articles == tuple(slim(a) for a in site.articles)
    assert unpacked.by_slug == {a.slug: slim(a) for a in site.articles}
    assert unpacked.topics == site.topics
    assert unpacked.config == config and unpacked.event_state is None


def test_a_worker_unpacks_the_site_with_the_collector_paused_then_freezes_it(
        sample_site: Path) -> None:
    config, _ = load_config(sample_site, output=sample_site.parent / "out")
    site, _ = site_for(config)
    data = pack_site(site)
    gc.collect()
    frozen_before = gc.get_freeze_count()
    try:
        unpacked = _unpack_paused(data, config)
        assert gc.isenabled()
        assert unpacked == unpack_site(data, config)
        # (every article, summary and tuple of it is out of the collector's sight)
        assert gc.get_freeze_count() - frozen_before >= 2 * len(unpacked.articles)
    finally:
        gc.unfreeze()


def test_a_worker_yields_the_cores_to_the_build_once_it_has_parsed(
        sample_site: Path, tmp_path: Path) -> None:
    """After parsing, a worker renders its bodies at a lower priority (``WORKER_NICENESS``)
    while the main process models the site."""
    import os
    import time

    from generator.read import find_content_paths
    from generator.record_store import RecordStore
    from generator.workers import WORKER_NICENESS, WorkerPool

    config, _ = load_config(sample_site, output=tmp_path / "out")
    own = os.getpriority(os.PRIO_PROCESS, 0)
    pool = WorkerPool(config, 1)
    try:
        worker = pool._processes[0].pid
        assert worker is not None
        parsed, _ = pool.parse(find_content_paths(config.content_dir),
                               RecordStore(tmp_path / "records.sqlite"))
        assert parsed and os.getpriority(os.PRIO_PROCESS, worker) == own  # parsing: equal
        pool.render_bodies()
        wanted = min(19, own + WORKER_NICENESS)
        for _ in range(500):  # (the order is unanswered: wait until it is taken)
            if os.getpriority(os.PRIO_PROCESS, worker) == wanted:
                break
            time.sleep(0.01)
        assert os.getpriority(os.PRIO_PROCESS, worker) == wanted
        assert os.getpriority(os.PRIO_PROCESS, 0) == own
    finally:
        pool.close()
