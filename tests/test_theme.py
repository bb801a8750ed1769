"""Template digests: a page's template and every template it uses, through any depth."""

from __future__ import annotations

from pathlib import Path

from generator.fingerprints import _templates_naming_site, naming_site
from generator.scan import CACHE_DIR
from generator.theme import template_digests, template_files, templates_naming
from tests.conftest import MakeSite


def test_a_digest_follows_extends_include_and_import(make_site: MakeSite) -> None:
    site = make_site({
        "templates/base.html": "<html>{% block main %}{% endblock %}</html>",
        "templates/page.html": '{% extends "base.html" %}{% from "parts/m.html" import x %}',
        "templates/parts/m.html": "{% macro x() %}{% include 'leaf.html' %}{% endmacro %}",
        "templates/leaf.html": "leaf",
        "templates/alone.html": "alone",
        "templates/static/style.css": "body{}",
    })
    assert "parts/m.html" in template_files(site)
    assert "static/style.css" not in template_files(site)
    before = template_digests(site)
    (site / "templates/leaf.html").write_text("a new leaf", encoding="utf-8")
    after = template_digests(site)
    moved = {name for name in after if after[name] != before[name]}
    assert {"leaf.html", "parts/m.html", "page.html"} <= moved
    assert not moved & {"base.html", "alone.html", "404.html", "atom.xml"}


def test_a_template_named_by_a_variable_depends_on_every_template(make_site: MakeSite) -> None:
    site = make_site({"templates/page.html": "{% extends layout %}",
                      "templates/other.html": "other"})
    before = template_digests(site)
    (site / "templates/other.html").write_text("changed", encoding="utf-8")
    assert template_digests(site)["page.html"] != before["page.html"]


def test_a_missing_template_that_appears_moves_its_users(make_site: MakeSite) -> None:
    site = make_site({"templates/page.html": '{% include "extra.html" ignore missing %}'})
    before = template_digests(site)
    (site / "templates/extra.html").write_text("now here", encoding="utf-8")
    assert template_digests(site)["page.html"] != before["page.html"]


def test_the_site_overrides_a_default_template_by_name(make_site: MakeSite) -> None:
    site = make_site({"templates/404.html": "mine"})
    assert template_files(site)["404.html"] == site / "templates/404.html"
    default = template_digests(Path(__file__).resolve().parent)  # no templates/ of its own
    assert template_digests(site)["404.html"] != default["404.html"]
    assert template_digests(site)["topic.html"] == default["topic.html"]


def test_only_the_home_and_topic_index_templates_name_the_site(make_site: MakeSite) -> None:
    """(So only their pages show the site's topic order: see fingerprints.)"""
    site = make_site({"content/a.md": "x"})
    assert templates_naming(site, "site") == {"home.html", "topics.html"}


def test_naming_the_site_is_found_through_includes_and_in_any_tag(
        make_site: MakeSite) -> None:
    site = make_site({
        "templates/nav.html": "{% for t in site.topics %}{{ t }}{% endfor %}",
        "templates/base.html": "<html>{% include 'nav.html' %}{% block main %}{% endblock %}",
        "templates/page.html": "{% extends 'base.html' %}",
        "templates/words.html": "the site is {{ page.title }} <!-- site -->",
        "templates/setting.html": "{% set s = site %}{{ s }}",
        "templates/broken.html": "{# a comment never closed",
    })
    naming = templates_naming(site, "site")
    assert {"nav.html", "base.html", "page.html", "setting.html", "broken.html"} <= naming
    assert "404.html" in naming  # (the default one extends base.html, now the site's)
    assert "words.html" not in naming and "atom.xml" not in naming


def test_what_names_the_site_is_kept_in_the_cache_under_the_templates_key(
        make_site: MakeSite) -> None:
    """The answer is read back from the site's cache folder while the templates are the
    same (this edit of the kept file shows it is read), and found again for new ones."""
    site = make_site({"content/a.md": "x"})
    _templates_naming_site.cache_clear()  # (else this process's memory answers)
    assert naming_site(site, template_digests(site)) == {"home.html", "topics.html"}
    kept = list((site / CACHE_DIR / "templates").glob("naming-site-*"))
    assert len(kept) == 1
    kept[0].write_text("topic.html\0home.html", encoding="utf-8")
    _templates_naming_site.cache_clear()
    assert naming_site(site, template_digests(site)) == {"topic.html", "home.html"}
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates/topic.html").write_text("{{ site.topics }}", encoding="utf-8")
    _templates_naming_site.cache_clear()
    assert naming_site(site, template_digests(site)) == {"home.html", "topics.html", "topic.html"}
    assert len(list((site / CACHE_DIR / "templates").glob("naming-site-*"))) == 1


def test_url_is_a_filter_and_a_function_for_themes(make_site: MakeSite) -> None:
    """The shipped templates write ``path|url`` (a filter call is cheaper); a theme that
    writes ``url(path)`` gets the same address."""
    from generator.config import load_config
    from generator.render import make_environment

    site = make_site({"content/a.md": "x"})
    config, _ = load_config(site, overrides={"base_url": "https://example.org/sub/"})
    template = make_environment(config).from_string(
        "{{ url('topics/ai/') }} {{ 'topics/ai/'|url }} {{ url('') }} {{ ''|url }}")
    assert template.render() == "/sub/topics/ai/ /sub/topics/ai/ /sub/ /sub/"


def test_the_card_macros_themes_import_still_render(sample_site: Path) -> None:
    """The shipped theme calls ``story_card`` and ``related_items``; ``event_card`` and
    ``related_card``, which themes may import, give the same markup."""
    from generator.build import site_for
    from generator.config import load_config
    from generator.model import SidebarLink
    from generator.render import make_environment

    config, _ = load_config(sample_site, output=sample_site.parent / "out")
    site, _ = site_for(config)
    card = next(card for card in site.newest_cards(20) if card.others)
    link = SidebarLink(card.lead.title, card.lead.path, True, card.lead.provider,
                       card.lead.card_image)
    template = make_environment(config).from_string(
        '{% from "_cards.html" import event_card, story_card, related_card, related_items %}'
        "{{ event_card(card, lazy=false) }}@@{{ story_card(card.lead, lazy=false, "
        "others=card.others) }}@@{{ related_card(link) }}@@{{ related_items([link]) }}")
    event, story, related, items = template.render(card=card, link=link).split("@@")
    assert event.strip() == story.strip() and 'href="/news/' in story
    assert related.strip() == items.strip() and items.count('<li class="related-item">') == 1
