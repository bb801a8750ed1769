"""Translations: the default theme's strings and dates in the site's language, a site's own
``i18n/<language>.yaml``, and its diagnostics."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from generator.build import BuildReport, build
from generator.config import load_config
from generator.diagnostics import DigestError, Severity
from generator.i18n import (
    ENGLISH,
    MONTHS,
    PLURAL_RULES,
    Translations,
    placeholders,
    text_direction,
)
from generator.i18n_tables import BUILT_IN
from tests.conftest import ROOT, MakeSite

STORY = """\
---
title: "{title}"
publishedDateTime: {date}
excerpt: "About {title}."
provider:
  name: "{provider}"
topics: [Robotics]
---
The body of {title}.
"""


TITLES = ("Robots learn to fold laundry", "Warehouse drones pass inspection",
          "Surgical arm approved in Europe")


def stories(count: int = 3) -> dict[str, str | bytes]:
    """``count`` stories of Robotics, one a day from 2024-05-0{1,2...}, and one of
    August (a month whose name starts with a vowel in French)."""
    files: dict[str, str | bytes] = {
        f"content/2024-05-{day:02d}-story-{day}.md": STORY.format(
            title=TITLES[day - 1], date=f"2024-05-{day:02d}T14:30:00Z", provider="Le Monde")
        for day in range(1, count + 1)}
    files["content/2024-08-01-midnight.md"] = STORY.format(
        title="Midnight", date="2024-08-01T00:00:00Z", provider="<b>Bold</b>")
    return files


def build_site(site: Path) -> BuildReport:
    config, problems = load_config(site, output=site.parent / "out")
    assert not [p.format() for p in problems]
    return build(config)


def page(site: Path, rel: str) -> str:
    return (site.parent / "out" / rel).read_text(encoding="utf-8")


def text_of(html: str) -> str:
    """The page's words, tags dropped and spaces collapsed (to assert on sentences)."""
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_french_site_shows_the_theme_s_strings_and_dates_in_french(
        make_site: MakeSite) -> None:
    site = make_site({**stories(3), "digest.yaml": "language: fr\npage_size: 1\n"})
    build_site(site)
    home = page(site, "index.html")
    assert '<html lang="fr">' in home
    assert '<a class="skip-link" href="#main">Aller au contenu</a>' in home
    assert ">À la une</a>" in home and ">Thèmes</a>" in home and ">Archives</a>" in home
    assert "S’abonner\u00a0:" in home and "Les articles renvoient" in home
    assert "<time datetime=\"2024-05-03T14:30:00+00:00\">3 mai 2024 à 14:30 UTC</time>" in home
    assert ">1 août 2024</time>" in home  # (midnight: the date alone)
    assert "Latest" not in home and "Topics" not in home and "Skip" not in home

    topic = text_of(page(site, "topics/robotics/page/2/index.html"))  # (numbered from the
    # oldest: no count, which would change as stories are added)
    assert "4 articles" not in topic and "sur" not in topic and topic.count("Page 2") == 2
    assert "← Plus récents" in topic and "Plus anciens →" in topic
    assert "4 articles" in text_of(page(site, "topics/robotics/index.html"))
    assert "<title>Robotics (page 2) · News Digest</title>" in page(
        site, "topics/robotics/page/2/index.html")
    assert 'content="Actualités\u00a0: Robotics"' in page(site, "topics/robotics/index.html")

    article = text_of(page(site, "news/2024-05-01-story-1/index.html"))
    assert "Lire l’article complet" not in article  # (no webUrl: no link to the source)
    assert "Thèmes\u00a0: Robotics" in article and "Articles liés" in article

    archive = page(site, "archive/index.html")
    assert '>Mai</a> <span class="count">3 articles</span>' in archive
    assert '>Août</a> <span class="count">1 article</span>' in archive
    month = page(site, "archive/2024/08/index.html")
    assert "<title>Août 2024 · News Digest</title>" in month
    assert 'content="Tous les articles publiés en août 2024"' in month
    assert '<a href="/archive/">Archives</a> › <a href="/archive/2024/">2024</a>' in month
    year = page(site, "archive/2024/index.html")
    assert "<title>2024 · News Digest</title>" in year
    assert 'content="Tous les mois de 2024, avec leurs articles"' in year
    assert '<p class="page-count">4 articles</p>' in year
    assert '>Août</a> <span class="count">1 article</span>' in year
    assert "Cette page se trouve à l’adresse <a href=\"/archive/\">/archive/</a>." in page(
        site, "news/index.html")
    assert "<title>Archives · News Digest</title>" in page(site, "news/index.html")

    assert text_of(page(site, "404.html")).count("Page introuvable") == 2  # (title, h1)
    assert ('Essayez les <a href="/">dernières nouvelles</a> ou la '
            '<a href="/topics/">liste des thèmes</a>.') in page(site, "404.html")
    assert "Cette page se trouve à l’adresse <a href=\"/\">/</a>." in page(
        site, "page/1/index.html")
    assert "Dernières nouvelles" in page(site, "page/1/index.html")  # (its title)
    assert "Actualités\u00a0: Robotics" in page(site, "topics/robotics/atom.xml")


def test_text_given_to_a_string_is_escaped_and_html_kept(make_site: MakeSite) -> None:
    site = make_site({**stories(1), "digest.yaml": "language: fr\n",
                      "content/2024-08-01-midnight.md": STORY.format(
                          title="Midnight", date="2024-08-01T00:00:00Z",
                          provider="<b>Bold</b>").replace(
                          "provider:", "webUrl: https://x.example/a\nprovider:")})
    build_site(site)
    article = page(site, "news/2024-08-01-midnight/index.html")
    assert "Lire l’article complet sur &lt;b&gt;Bold&lt;/b&gt; →</a>" in article


@pytest.mark.parametrize(("language", "date", "datetime_", "count", "month", "year"), [
    ("de", "1. August 2024", "3. Mai 2024 um 14:30 UTC", "3 Meldungen", "August 2024",
     "Alle Monate des Jahres 2024 mit ihren Meldungen"),
    ("es", "1 de agosto de 2024", "3 de mayo de 2024, 14:30 UTC", "3 noticias",
     "Agosto de 2024", "Todos los meses de 2024, con sus noticias"),
    ("en-GB", "August 1, 2024", "May 3, 2024 14:30 UTC", "3 stories", "August 2024",
     "Every month of 2024, with its stories"),
])
def test_german_and_spanish_dates_and_counts(make_site: MakeSite, language: str, date: str,
                                             datetime_: str, count: str, month: str,
                                             year: str) -> None:
    site = make_site({**stories(3), "digest.yaml": f"language: {language}\n"})
    build_site(site)
    home = page(site, "index.html")
    assert f">{date}</time>" in home and f">{datetime_}</time>" in home
    assert f'<span class="count">{count}</span>' in page(site, "archive/index.html")
    assert f"<title>{month} · News Digest</title>" in page(site, "archive/2024/08/index.html")
    assert f'<span class="count">{count}</span>' in page(site, "archive/2024/index.html")
    assert f'<meta name="description" content="{year}">' in page(site, "archive/2024/index.html")


def test_a_site_s_file_overrides_strings_and_a_regional_one_overrides_that(
        make_site: MakeSite) -> None:
    site = make_site({**stories(1), "digest.yaml": "language: fr-CA\n",
                      "i18n/fr.yaml": """
                          latest: Nouvelles
                          archive: Anciens numéros
                          stories:
                            one: "{count} nouvelle"
                            other: "{count} nouvelles"
                          """,
                      "i18n/fr-CA.yaml": "latest: Manchettes\n"})
    build_site(site)
    home = page(site, "index.html")
    assert ">Manchettes</a>" in home and ">Anciens numéros</a>" in home
    assert ">Thèmes</a>" in home  # (the built-in French for the rest)
    assert '<span class="count">1 nouvelle</span>' in page(site, "archive/index.html")


def test_a_language_without_a_table_is_english_with_a_warning(make_site: MakeSite) -> None:
    site = make_site({**stories(1), "digest.yaml": "title: Nyūsu\nlanguage: ja\n"})
    config, problems = load_config(site)
    assert [p.format() for p in problems] == [
        "digest.yaml:2: warning: language: there is no translation of the theme's strings "
        "for 'ja', so they are shown in English Hint: Built in: de, en, es, fr. For another "
        "language, write i18n/ja.yaml in the site folder (README.md, Translations, lists "
        "its keys)."]
    assert config.translations.messages == ENGLISH.messages
    assert config.translations.months == ENGLISH.months


def test_a_language_of_the_site_s_own_says_which_strings_stay_in_english(
        make_site: MakeSite) -> None:
    """Italian from the site's file: its plural rule is CLDR's, the strings it does not give
    are English's and named in a warning."""
    site = make_site({**stories(3), "digest.yaml": "language: it\n",
                      "i18n/it.yaml": """
                          latest: Ultime
                          stories: {one: "{count} notizia", other: "{count} notizie"}
                          months: [gennaio, febbraio, marzo, aprile, maggio, giugno, luglio,
                                   agosto, settembre, ottobre, novembre, dicembre]
                          date: "{day} {month} {year}"
                          """})
    config, problems = load_config(site, output=site.parent / "out")
    [problem] = problems
    assert problem.severity is Severity.WARNING and problem.file == "i18n/it.yaml"
    assert problem.message.startswith("37 of the theme's strings are not translated, so "
                                      "they are shown in English: add_stories, also_covered_by")
    build(config)
    assert ">Ultime</a>" in page(site, "index.html") and ">3 maggio 2024 14:30 UTC<" in page(
        site, "index.html")
    assert '<span class="count">3 notizie</span>' in page(site, "archive/index.html")


def test_a_theme_s_own_string_is_read_from_the_site_s_file(make_site: MakeSite) -> None:
    """A key that no built-in table has is one of the site's templates' own (``t("key")``
    or ``"key"|t``), not an unknown one."""
    site = make_site({**stories(1), "digest.yaml": "language: de\n",
                      "i18n/de.yaml": 'by_provider: "Von {provider}"\nsponsored: Anzeige\n',
                      "templates/article.html": (
                          '<p>{{ t("by_provider", provider=story.provider.name) }}</p>\n'
                          '<p>{{ "sponsored"|t }} {{ t("latest") }}</p>\n')})
    build_site(site)
    assert page(site, "news/2024-05-01-story-1/index.html") == (
        "<p>Von Le Monde</p>\n<p>Anzeige Aktuell</p>\n")


def test_a_string_no_table_has_stops_the_build_at_its_template_line(
        make_site: MakeSite) -> None:
    site = make_site({**stories(1), "templates/article.html": "<p>\n{{ 'sponsorde'|t }}</p>\n"})
    with pytest.raises(DigestError) as caught:
        build_site(site)
    [problem] = caught.value.diagnostics
    assert (problem.file, problem.line) == ("templates/article.html", 2)
    assert "there is no string 'sponsorde' in the translations for 'en'" in problem.message


def test_a_placeholder_a_template_does_not_give_stops_the_build(make_site: MakeSite) -> None:
    site = make_site({**stories(1), "templates/article.html": "{{ 'pager_page_of'|t(number=2) }}"})
    with pytest.raises(DigestError) as caught:
        build_site(site)
    assert "the string 'pager_page_of' ('Page {number} of {count}') needs a value for " \
           "{count}" in caught.value.diagnostics[0].message


def test_each_mistake_in_a_site_s_file_is_named_with_its_line(make_site: MakeSite) -> None:
    site = make_site({**stories(1), "digest.yaml": "language: fr\n", "i18n/fr.yaml": """
        latest: Dernières
        also_coverd_by: Aussi chez
        stories:
          one: "{count} papier"
          lots: "{count} papiers"
        page_title: "{titre} (page {number})"
        newer: 3
        months: [janvier, février]
        pager_page_of: "Page {{ .Number }} sur {{ .Count }}"
        archive: "Archives {"
        older: "{0} anciens"
        latest: Récent
        subscribe:
          one: S’abonner
        """})
    config, problems = load_config(site)
    assert [p.format() for p in problems] == [
        "i18n/fr.yaml:12: warning: latest: 'latest' is given twice, on line 1 and again on "
        "line 12; the last one is used Hint: Delete one of the two: YAML keeps only the last "
        "value.",
        "i18n/fr.yaml:2: warning: also_coverd_by: unknown key 'also_coverd_by' is not a "
        "string of any template, so it is ignored Hint: Did you mean 'also_covered_by'?",
        "i18n/fr.yaml:5: error: stories.lots: 'lots' is not a plural category Hint: Plural "
        "forms are CLDR's: zero, one, two, few, many, other (e.g. {one: \"{count} article\", "
        "other: \"{count} articles\"}).",
        "i18n/fr.yaml:6: error: page_title: '{titre} (page {number})' has the placeholder "
        "{titre}, which this string is not given Hint: It is given {number}, {title}; write "
        "a brace itself as {{ or }}.",
        "i18n/fr.yaml:7: error: newer: expected a text, or plural forms, got 3 Hint: Write "
        "e.g. newer: \"...\" (in quotes if the text has a ':' or starts with '{').",
        "i18n/fr.yaml:8: error: months: months must be a list of the 12 month names, "
        "January's first, got ['janvier', 'février'] Hint: Write months: [janvier, février, "
        "mars, avril, mai, juin, juillet, août, septembre, octobre, novembre, décembre]",
        "i18n/fr.yaml:9: error: pager_page_of: 'Page {{ .Number }} sur {{ .Count }}' has a "
        "Hugo placeholder Hint: Write {number} where Hugo writes {{ .Number }}.",
        "i18n/fr.yaml:10: error: archive: 'Archives {' is not a valid text: Single '{' "
        "encountered in format string Hint: A placeholder is a {name}; write a brace itself "
        "as {{ or }}.",
        "i18n/fr.yaml:11: error: older: '{0} anciens' has the placeholder {0}, which this "
        "string is not given Hint: It is given no placeholder; write a brace itself as {{ "
        "or }}.",
        "i18n/fr.yaml:13: error: subscribe: the plural forms have no 'other', which every "
        "count without a form of its own takes Hint: Plural forms are CLDR's: zero, one, "
        "two, few, many, other (e.g. {one: \"{count} article\", other: \"{count} "
        "articles\"}).",
    ]
    assert config.translations.message("latest") == "Récent"  # (the valid ones are kept)


@pytest.mark.parametrize(("text", "message"), [
    ("- id: latest\n  translation: Dernières\n", "i18n/fr.yaml: error: the translations must "
     "be a mapping of keys to texts, got list Hint: Write one string a line: also_covered_by: "
     "Également traité par (Hugo's list of '- id:' entries is not read)."),
    ("latest: [\n", "i18n/fr.yaml:2: error: invalid YAML: "),
])
def test_a_file_that_is_no_table_is_an_error(make_site: MakeSite, text: str,
                                             message: str) -> None:
    site = make_site({"digest.yaml": "language: fr\n", "i18n/fr.yaml": text})
    _config, problems = load_config(site)
    [problem] = problems
    assert problem.format().startswith(message) and problem.severity is Severity.ERROR


def test_errors_in_a_site_s_file_stop_the_cli_build(make_site: MakeSite) -> None:
    from generator.cli import main

    site = make_site({**stories(1), "digest.yaml": "language: es\n",
                      "i18n/es.yaml": "newer: [1]\n"})
    assert main(["build", "--source", str(site), "--quiet"]) == 1
    assert not (site / "build" / "index.html").exists()


def test_every_built_in_table_gives_every_string_with_english_s_placeholders() -> None:
    english = BUILT_IN["en"]
    for language, table in BUILT_IN.items():
        assert table.keys() == english.keys(), language
        months = table[MONTHS]
        assert isinstance(months, tuple) and len(months) == 12 and all(months), language
        for key, value in table.items():
            if key == MONTHS:
                continue
            forms = value.values() if isinstance(value, dict) else [value]
            assert isinstance(value, str) or "other" in value, (language, key)
            for form in forms:
                assert isinstance(form, str)
                used = {name for _t, name, _s, _c in string.Formatter().parse(form) if name}
                assert used == placeholders()[key], (language, key, form)


@pytest.mark.parametrize(("language", "counts"), [
    ("en", {0: "other", 1: "one", 2: "other", 21: "other"}),
    ("de", {0: "other", 1: "one", 2: "other"}),
    ("fr", {0: "one", 1: "one", 2: "other", 1_000_000: "many", 2_000_000: "many"}),
    ("es", {0: "other", 1: "one", 2: "other", 1_000_000: "many"}),
    ("ru", {1: "one", 21: "one", 11: "many", 2: "few", 22: "few", 12: "many", 5: "many"}),
    ("pl", {1: "one", 21: "many", 2: "few", 22: "few", 12: "many"}),
    ("cs", {1: "one", 3: "few", 5: "other"}),
    ("ja", {1: "other"}),
    ("xx", {1: "one", 0: "other"}),  # (a language without a rule: English's)
])
def test_plural_categories_follow_cldr(language: str, counts: dict[int, str]) -> None:
    translations = Translations(language, {}, ENGLISH.months)
    assert {n: translations.plural_category(n) for n in counts} == counts
    assert translations.plural_category("3") == "other"


def test_a_plural_form_the_table_lacks_is_the_other_one() -> None:
    translations = Translations("fr", {"stories": {"one": "{count} article",
                                                   "other": "{count} articles"}},
                                ENGLISH.months)
    assert [translations.text("stories", count=n) for n in (0, 1, 2, 3_000_000)] == [
        "0 article", "1 article", "2 articles", "3000000 articles"]


def test_every_rule_names_only_cldr_categories() -> None:
    assert {rule(n) for rule in PLURAL_RULES.values() for n in range(0, 2_000_001, 7919)} \
        <= {"one", "few", "many", "other"}


def test_the_readme_lists_every_key_with_its_english_text() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n### Translations: `i18n/`\n", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| (.*?) \|", section, re.MULTILINE))
    assert rows.keys() == BUILT_IN["en"].keys()
    for key, value in BUILT_IN["en"].items():
        if isinstance(value, str):
            assert rows[key] == f"`{value}`", key


@pytest.mark.parametrize(("language", "direction"), [
    ("ar", "rtl"), ("ar-EG", "rtl"), ("he", "rtl"), ("he-IL", "rtl"), ("fa", "rtl"),
    ("ur", "rtl"), ("ur_PK", "rtl"), ("AR", "rtl"), ("az-Arab", "rtl"), ("pa-Arab-PK", "rtl"),
    ("sd-Deva", "ltr"), ("en", "ltr"), ("fr-CA", "ltr"), ("zh-Hant-TW", "ltr"), ("", "ltr"),
])
def test_the_direction_of_a_language_is_its_script_s(language: str, direction: str) -> None:
    assert text_direction(language) == direction
