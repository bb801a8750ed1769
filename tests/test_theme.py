"""Template digests: a page's template and every template it uses, through any depth."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator import theme as theme_module
from generator.fingerprints import _templates_naming_site, naming_site
from generator.scan import CACHE_DIR
from generator.theme import (
    copied_files,
    default_theme_dir,
    is_litter,
    root_collisions,
    static_files,
    template_digests,
    template_files,
    templates_naming,
)
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


# --- files copied as they are: static/ and root/ -------------------------------------------


def test_root_files_keep_their_folders_and_dot_files_but_no_litter(make_site: MakeSite) -> None:
    """One rule for static/ and root/: editor, system and version-control litter is never
    copied; other dot-files and dot-folders are (``.well-known/``, ``.nojekyll``)."""
    litter = [".DS_Store", "Thumbs.db", "notes.txt~", ".#ads.txt", "#ads.txt#", ".ads.txt.swp",
              ".git/config", ".git/objects/ab/cdef", "sub/.DS_Store"]
    site = make_site({
        **{f"root/{name}": "litter" for name in litter},
        **{f"static/{name}": "litter" for name in litter},
        "root/ads.txt": "google.com, pub-1, DIRECT", "root/CNAME": "news.example.org",
        "root/.nojekyll": "", "root/.well-known/security.txt": "Contact: mailto:a@b.c",
        "root/_headers": "/*\n  X-Frame-Options: DENY", "root/sub/deeper/file.bin": b"\0\1",
        "static/.htaccess": "Options -Indexes", "static/img/logo.svg": "<svg/>",
    })
    copied = copied_files(site)
    assert list(copied.root) == [".nojekyll", ".well-known/security.txt", "CNAME", "_headers",
                                 "ads.txt", "sub/deeper/file.bin"]
    assert copied.root["CNAME"] == site / "root/CNAME"
    assert {"static/.htaccess", "static/img/logo.svg", "static/digest.css"} <= set(copied.static)
    assert not [rel for rel in copied.static if "litter" in rel or ".git" in rel
                or rel.endswith(("~", ".swp", ".DS_Store", "#"))]
    assert copied.problems == ()
    assert static_files(site) == dict(copied.static)
    assert all(is_litter(name.rsplit("/", 1)[-1]) or is_litter(name.split("/")[0])
               for name in litter)
    assert not is_litter(".well-known") and not is_litter(".nojekyll")


def test_a_symlink_out_of_the_site_is_not_published(make_site: MakeSite, tmp_path: Path) -> None:
    """A symlink of root/ or static/ to a file or folder outside the site folder is left
    out with an error naming it (CI builds of someone's branch must not publish the
    machine's files); one that stays inside the site is followed, but not back up its own path."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    site = make_site({"root/ads.txt": "ads", "shared/logo.svg": "<svg/>"})
    (site / "root/leak.txt").symlink_to(secret)
    (site / "root/leakdir").symlink_to(tmp_path, target_is_directory=True)
    (site / "static").mkdir()
    (site / "static/leak.css").symlink_to(secret)
    (site / "root/logo.svg").symlink_to(site / "shared/logo.svg")
    (site / "root/shared").symlink_to(site / "shared", target_is_directory=True)
    (site / "root/loop").symlink_to(site / "root", target_is_directory=True)
    copied = copied_files(site)
    assert list(copied.root) == ["ads.txt", "logo.svg", "shared/logo.svg"]  # (not loop/)
    assert "static/leak.css" not in copied.static
    assert [(p.severity.value, p.file) for p in copied.problems] == [
        ("error", "static/leak.css"), ("error", "root/leak.txt"), ("error", "root/leakdir")]
    assert f"leads to {str(secret.resolve())!r}, outside the site folder" \
        in copied.problems[0].message
    assert copied.problems[0].hint == "Copy the file into the site folder instead of linking to it."


def test_a_root_folder_that_is_a_symlink_out_of_the_site_is_not_published(
        make_site: MakeSite, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "id_rsa").write_text("key", encoding="utf-8")
    site = make_site({})
    (site / "root").symlink_to(elsewhere, target_is_directory=True)
    copied = copied_files(site)
    assert copied.root == {} and [p.file for p in copied.problems] == ["root"]


PLANNED = ["index.html", "404.html", "page/1/index.html", "topics/index.html",
           "topics/ai/index.html", "topics/ai/atom.xml", "news/a/index.html", "archive/index.html",
           "api/news/index.json", "sitemap.xml", "atom.xml", "feed.json", "robots.txt",
           "static/digest.css"]


def test_root_files_that_collide_with_generated_files_are_errors() -> None:
    """A file of root/ may not take the place of a generated file, nor go into a folder of
    generated files (a page to come could land on it), nor onto digest's own marker;
    robots.txt replaces the generated one."""
    root = {rel: Path("/site/root", rel) for rel in (
        "ads.txt", "CNAME", ".well-known/security.txt", "robots.txt", "google123.html",
        "index.html", "404.html", "sitemap.xml", "news/extra.txt", "topics/ai/index.html",
        "static/x.css", "api/custom.json", "archive", "sitemap.xml/x", ".digest-output")}
    kept, problems = root_collisions(root, PLANNED)
    assert sorted(kept) == [".well-known/security.txt", "CNAME", "ads.txt", "google123.html",
                            "robots.txt"]
    said = {p.file: p.message for p in problems}
    assert said == {
        "root/index.html": "it would overwrite the generated 'index.html', so it is not "
                           "published",
        "root/404.html": "it would overwrite the generated '404.html', so it is not published",
        "root/sitemap.xml": "it would overwrite the generated 'sitemap.xml', so it is not "
                            "published",
        "root/news/extra.txt": "it would go into 'news/', a folder of generated files, so it "
                               "is not published",
        "root/topics/ai/index.html": "it would overwrite the generated "
                                     "'topics/ai/index.html', so it is not published",
        "root/static/x.css": "it would go into 'static/', a folder of generated files, so it "
                             "is not published",
        "root/api/custom.json": "it would go into 'api/', a folder of generated files, so it "
                                "is not published",
        "root/archive": "it would go into 'archive/', a folder of generated files, so it is "
                        "not published",
        "root/sitemap.xml/x": "the generated 'sitemap.xml' is a file, not a folder, so it is "
                              "not published",
        "root/.digest-output": "it would overwrite digest's own '.digest-output', the mark of "
                               "an output folder, so it is not published",
    }
    assert {p.severity.value for p in problems} == {"error"}
    assert {p.hint for p in problems} == {
        "Move or rename it: root/ holds files beside the generated ones (only robots.txt "
        "replaces the generated one)."}


def test_collisions_are_decided_from_the_generated_paths_not_a_list() -> None:
    """A kind of output the build did not plan this time collides with nothing; one it
    plans (a sitemap in parts, a new folder of outputs) does."""
    root = {rel: Path("/site/root", rel) for rel in ("sitemap-1.xml", "feeds/x.xml")}
    assert root_collisions(root, PLANNED) == (root, ())
    kept, problems = root_collisions(root, [*PLANNED, "sitemap-1.xml", "feeds/site.xml"])
    assert kept == {} and [p.file for p in problems] == ["root/sitemap-1.xml",
                                                         "root/feeds/x.xml"]


def test_a_template_extending_the_default_theme_s_follows_its_changes(
        make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(default_theme_dir(), theme)
    monkeypatch.setattr(theme_module, "default_theme_dir", lambda: theme)
    site = make_site({"templates/base.html": '{% extends "theme/base.html" %}'})
    assert template_files(site)["theme/base.html"] == theme / "base.html"
    assert template_files(site)["base.html"] == site / "templates/base.html"
    before = template_digests(site)
    (theme / "base.html").write_text("changed", encoding="utf-8")  # (a new digest version)
    after = template_digests(site)
    assert after["base.html"] != before["base.html"]
    assert after["home.html"] != before["home.html"]  # (extends base.html: the site's)
    (site / "templates/base.html").write_text('{% extends "theme/base.html" %}x')
    assert template_digests(site)["home.html"] != after["home.html"]


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a ``#rrggbb`` or ``#rgb`` colour."""
    if len(colour) == 4:
        colour = "#" + "".join(2 * c for c in colour[1:])
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def theme_palettes() -> dict[str, dict[str, str]]:
    """The default theme's colours by name (``ink``, ``accent``...), light and dark."""
    css = (default_theme_dir() / "static/digest.css").read_text(encoding="utf-8")
    light = css.split(":root {", 1)[1].split("}", 1)[0]
    dark = css.split("prefers-color-scheme: dark", 1)[1].split(":root {", 1)[1].split("}", 1)[0]
    return {name: dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b", block))
            for name, block in (("light", light), ("dark", dark))}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_theme_s_text_and_links_contrast_with_their_backgrounds(scheme: str) -> None:
    """WCAG AA (1.4.3): text, muted text (dates, counts, excerpts) and links, on the page,
    on cards and on topic tags, have a contrast of 4.5:1 at least."""
    palette = theme_palettes()[scheme]
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    low = {(text, ground): round(contrast(palette[text], palette[ground]), 2)
           for text in ("ink", "muted", "accent") for ground in ("bg", "card", "accent-soft")
           if contrast(palette[text], palette[ground]) < 4.5}
    assert low == {}


def test_links_in_running_text_are_underlined_and_titles_are_not() -> None:
    """Links are told from the text around them without their colour (WCAG 1.4.1): the
    theme underlines links, but for those that stand alone (titles, menus, tags, lists)."""
    css = (default_theme_dir() / "static/digest.css").read_text(encoding="utf-8")
    assert re.search(r"^a \{[^}]*text-decoration: underline;", css, re.MULTILINE)
    plain = re.search(r"^([^{}]*)\{ text-decoration: none; \}", css, re.MULTILINE)
    assert plain is not None
    assert ".card-title a" in plain[1] and ".story-body" not in plain[1]
