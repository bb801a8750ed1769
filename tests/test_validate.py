"""generator.validate: front matter -> a typed, frozen Story (or TextBody) plus diagnostics."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.diagnostics import Severity
from generator.read import SourceFile, read_source, split_source
from generator.records import Extra, Image, Provider, Story, TextBody
from generator.summary import StorySummary, summarize_story
from generator.validate import Validated, parse_datetime, validate_source

SEEDS = Path(__file__).resolve().parent.parent / "content"
MINIMAL = "---\ntitle: A headline\npublishedDateTime: 2020-06-09T03:58:00Z\n"


def validate(text: str, rel: str = "content/a.md", timezone: ZoneInfo | None = None) -> Validated:
    source = split_source(rel, text)
    assert isinstance(source, SourceFile), source
    return validate_source(source, timezone=timezone or ZoneInfo("UTC"))


def story_of(text: str, rel: str = "content/a.md") -> Story:
    result = validate(text, rel)
    assert isinstance(result.item, Story), result
    return result.item


def messages(result: Validated) -> list[tuple[str, str | None, str]]:
    return [(d.severity.value, d.field, d.message) for d in result.diagnostics]


def seed(name: str) -> Validated:
    source = read_source(SEEDS / name, site_root=SEEDS.parent, max_bytes=5_000_000)
    assert isinstance(source, SourceFile)
    return validate_source(source)


def test_a_seed_validates_into_every_schema_field() -> None:
    result = seed("000_07ceffb361487906.txt")
    assert result.diagnostics == ()
    story = result.item
    assert isinstance(story, Story)
    assert story.source == "content/000_07ceffb361487906.txt"
    assert story.stem == "000_07ceffb361487906"
    assert story.title == "IBM exists facial recognition business, calls for police reform"
    assert story.published == datetime(2020, 6, 9, 3, 58, tzinfo=UTC)
    assert story.excerpt.startswith("The company will stop offering facial recognition")
    assert story.url.startswith("https://www.jpost.com/international/ibm-exists-")
    assert story.amp_url.startswith("https://m.jpost.com/")
    assert (story.category, story.kind, story.quality, story.heat) == ("news", "article", 59, -1)
    assert story.provider == Provider(name="The Jerusalem Post Blogs", domain="jpost.com")
    assert story.topics == ("Computer Vision", "AI")
    assert story.images[0].width == 640 and story.images[0].height == 428
    assert [r.title for r in story.related][:2] == [
        "IBM announces exit of facial recognition business",
        "IBM gets out of facial recognition business",
    ]
    assert story.related[0].provider == Provider(name="ZDNet", domain="zdnet.com")
    assert story.related[0].published == datetime(2020, 6, 9, 1, 9, tzinfo=UTC)
    assert story.draft is False  # "published: false" is not a draft flag


def test_records_are_frozen() -> None:
    story = story_of(MINIMAL + "---\n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        story.title = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.iterdir()))
def test_secured_is_never_kept(name: str) -> None:
    text = (SEEDS / name).read_text(encoding="utf-8")
    result = seed(name)
    secured = [line.split(":", 1)[1].strip().strip('"') for line in text.split("\n")
               if line.startswith("secured:")]
    kept = repr(result.item)
    for value in secured:
        assert value[:20] not in kept
    assert "secured" not in {f.name for f in dataclasses.fields(Story)}


def test_optional_fields_may_be_missing() -> None:
    story = story_of(MINIMAL + "---\n")
    assert (story.excerpt, story.url, story.provider, story.topics, story.images,
            story.related, story.quality, story.body) == ("", "", None, (), (), (), None, "")
    assert story.category == "news" and story.kind == "article"


def test_nulls_are_treated_as_missing() -> None:
    result = validate(MINIMAL + "excerpt: null\nwebUrl: ~\nprovider: null\ntopics: null\n"
                      "images: null\nrelated: null\nquality: null\nheat:\n---\n")
    assert result.diagnostics == ()
    assert isinstance(result.item, Story)
    assert result.item.provider is None and result.item.images == ()


def test_image_without_size_is_kept_and_relative_logo_dropped() -> None:
    story = story_of(MINIMAL + "images:\n  - url: https://x.org/a.jpg\n"
                     "provider:\n  name: P\n  images:\n    - url: /images/logo.png\n---\n")
    assert story.images == (Image(url="https://x.org/a.jpg", width=None, height=None),)
    assert story.provider == Provider(name="P")


def test_the_card_image_is_the_first_with_a_size_and_none_with_a_size_is_a_warning() -> None:
    """Scraped items often begin with a sizeless picture (a logo, a pixel): the card takes
    the first image with a width and a height, as the README says; when none has both, the
    story is shown without a picture, and says so."""
    sized = Image(url="https://x.org/b.jpg", width=800, height=400)
    result = validate(MINIMAL + "images:\n  - url: https://x.org/a.jpg\n    width: 10\n"
                      "  - url: https://x.org/b.jpg\n    width: 800\n    height: 400\n"
                      "related:\n  - title: Other\n    webUrl: https://x.org/o\n"
                      "    images:\n      - url: https://x.org/r.jpg\n"
                      "      - {url: 'https://x.org/s.jpg', width: 2, height: 1}\n---\n")
    assert isinstance(result.item, Story) and result.diagnostics == ()
    assert result.item.card_image == sized
    assert result.item.related[0].image == Image(url="https://x.org/s.jpg", width=2, height=1)
    sizeless = validate(MINIMAL + "images:\n  - url: https://x.org/a.jpg\n"
                        "  - url: https://x.org/c.jpg\n    height: 5\n---\n")
    assert isinstance(sizeless.item, Story) and sizeless.item.card_image is None
    [problem] = sizeless.diagnostics
    assert (problem.severity, problem.field, problem.line) == (Severity.WARNING, "images", 4)
    assert problem.message == ("each of its 2 images lacks a width or a height, so the story "
                               "is shown without a picture")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2020-06-09T03:58:00Z", datetime(2020, 6, 9, 3, 58, tzinfo=UTC)),
        ("2020-06-09T05:58:00+02:00", datetime(2020, 6, 9, 3, 58, tzinfo=UTC)),
        ("'2020-06-09T03:58:00.123Z'", datetime(2020, 6, 9, 3, 58, 0, 123000, tzinfo=UTC)),
        ("2020-06-09 03:58:00", datetime(2020, 6, 9, 1, 58, tzinfo=UTC)),  # naive: site zone
        ("2020-06-09", datetime(2020, 6, 8, 22, 0, tzinfo=UTC)),
    ],
)
def test_dates_are_timezone_aware(written: str, expected: datetime) -> None:
    result = validate(f"---\ntitle: t\npublishedDateTime: {written}\n---\n",
                      timezone=ZoneInfo("Europe/Paris"))
    assert isinstance(result.item, Story), result
    assert result.item.published.tzinfo is not None
    assert result.item.published == expected
    assert result.item.published.utcoffset() is not None


def test_parse_datetime_refuses_what_is_not_a_date() -> None:
    assert parse_datetime("yesterday") is None
    assert parse_datetime("2020-13-45T00:00:00Z") is None
    assert parse_datetime(12345) is None
    aware = parse_datetime("2020-06-09T00:00:00")
    assert aware is not None and aware.utcoffset() == timedelta(0)


@pytest.mark.parametrize(("written", "expected"), [
    ("'Wed, 01 May 2024 10:00:00 +0000'", datetime(2024, 5, 1, 10, tzinfo=UTC)),  # RSS
    ("'Sat, 04 May 2024 12:00:00 GMT'", datetime(2024, 5, 4, 12, tzinfo=UTC)),
    ("'4 May 2024 14:00 +0200'", datetime(2024, 5, 4, 12, tzinfo=UTC)),
    ("'Thu, 02 May 2024 10:00:00 -0000'", datetime(2024, 5, 2, 10, tzinfo=UTC)),
    ("'Thu, 02 May 2024 10:00:00'", datetime(2024, 5, 2, 8, tzinfo=UTC)),  # (site zone)
    ("2024-05-01t10:00:00z", datetime(2024, 5, 1, 10, tzinfo=UTC)),  # (RFC 3339 allows)
    ("'20240501T100000Z'", datetime(2024, 5, 1, 10, tzinfo=UTC)),  # (ISO 8601 basic)
])
def test_rss_dates_and_other_unambiguous_forms_are_read(written: str, expected: datetime
                                                        ) -> None:
    """Items harvested from RSS carry its pubDate (a publisher's trial: each was an error
    that left the story out)."""
    text = f"---\ntitle: t\npublishedDateTime: {written}\n---\n"
    result = validate(text, timezone=ZoneInfo("Europe/Paris"))
    assert isinstance(result.item, Story) and result.diagnostics == ()
    assert result.item.published == expected


@pytest.mark.parametrize("written", ["'Wed, 31 Feb 2024 10:00:00 GMT'", "'May 1, 2024'",
                                     "'12 Foo 2024 10:00'", "'2024-5-1'"])
def test_what_only_looks_like_a_date_is_still_refused(written: str) -> None:
    result = validate(f"---\ntitle: t\npublishedDateTime: {written}\n---\n")
    assert result.item is None and result.diagnostics[0].field == "publishedDateTime"


def test_an_unreadable_date_of_a_related_story_is_a_warning() -> None:
    result = validate(MINIMAL + "related:\n  - {title: A, webUrl: 'https://a.example/'}\n"
                      "  - title: B\n    webUrl: https://b.example/\n"
                      "    publishedDateTime: not a date\n---\n")
    assert isinstance(result.item, Story) and result.item.related[1].published is None
    [problem] = result.diagnostics  # (it was dropped without a word)
    assert (problem.field, problem.line, problem.message) == (
        "related[1].publishedDateTime", 8, "'not a date' is not a date and time; it was ignored")


NEW_YORK = ZoneInfo("America/New_York")


def test_a_time_the_site_s_zone_skips_is_read_with_a_warning_saying_how() -> None:
    """2024-03-10T02:30:00 does not exist in New York (clocks went from 02:00 EST to 03:00
    EDT): it is read as 02:30 EST, 03:30 EDT, and the warning says so and how to write it.
    Pages show it as 03:30 EDT, a time New York's clocks showed (they showed 02:30 EST)."""
    result = validate("---\ntitle: t\npublishedDateTime: 2024-03-10T02:30:00\n---\n",
                      timezone=NEW_YORK)
    assert isinstance(result.item, Story)
    published = result.item.published
    # (PEP 495: such a time is equal to none in another zone: compared in UTC)
    assert published.astimezone(UTC) == datetime(2024, 3, 10, 7, 30, tzinfo=UTC)
    assert (published.hour, published.minute, published.tzname()) == (3, 30, "EDT")
    [problem] = result.diagnostics
    assert (problem.severity, problem.field, problem.line) == (
        Severity.WARNING, "publishedDateTime", 3)
    assert problem.message == (
        "2024-03-10T02:30:00 is a time that does not exist in America/New_York: the clocks "
        "went forward an hour over it (EST to EDT); it was read as 2024-03-10T02:30:00-05:00, "
        "that is 2024-03-10T03:30:00-04:00 (EDT)")
    assert problem.hint == (
        "Write the time with its UTC offset: 2024-03-10T03:30:00-04:00 (EDT) as it was read, "
        "or 2024-03-10T01:30:00-05:00 (EST), an hour earlier, if the source meant that.")


def test_a_time_the_site_s_zone_repeats_is_read_as_the_first_with_a_warning() -> None:
    """2024-11-03T01:30:00 happens twice in New York (01:30 EDT, then 01:30 EST)."""
    result = validate("---\ntitle: t\npublishedDateTime: '2024-11-03T01:30:00'\n---\n",
                      timezone=NEW_YORK)
    assert isinstance(result.item, Story)
    # (PEP 495: such a time is equal to none in another zone: compared in UTC)
    assert result.item.published.astimezone(UTC) == datetime(2024, 11, 3, 5, 30, tzinfo=UTC)
    assert result.item.published.tzname() == "EDT"
    assert messages(result) == [("warning", "publishedDateTime",
        "2024-11-03T01:30:00 happens twice in America/New_York: the clocks went back an hour "
        "over it (EDT to EST); it was read as the first, 2024-11-03T01:30:00-04:00 (EDT)")]
    assert result.diagnostics[0].hint == (
        "Write the time with its UTC offset: 2024-11-03T01:30:00-04:00 for the first (EDT), "
        "2024-11-03T01:30:00-05:00 for the second (EST).")


@pytest.mark.parametrize("written", [
    "2024-03-10T02:30:00-05:00", "2024-03-10T07:30:00Z", "'Sun, 10 Mar 2024 02:30:00 -0500'",
    "2024-11-03T01:30:00-04:00", "2024-03-10T01:59:59", "2024-03-10T03:00:00",
    "2024-11-03T00:59:00", "2024-11-03T02:00:00", "2024-03-10",
])
def test_a_time_with_an_offset_or_that_names_one_moment_is_no_warning(written: str) -> None:
    result = validate(f"---\ntitle: t\npublishedDateTime: {written}\n---\n",
                      timezone=NEW_YORK)
    assert isinstance(result.item, Story) and result.diagnostics == ()


@pytest.mark.parametrize(("zone", "written", "what"), [
    ("Europe/Paris", "2024-03-31T02:30:00", "went forward an hour"),
    ("Europe/Paris", "'Sun, 27 Oct 2024 02:30:00'", "went back an hour"),  # (RSS, no zone)
    ("Australia/Lord_Howe", "2024-10-06T02:15:00", "went forward 30 minutes"),
])
def test_skipped_and_repeated_times_are_found_in_any_zone_and_form(
        zone: str, written: str, what: str) -> None:
    result = validate(f"---\ntitle: t\npublishedDateTime: {written}\n---\n",
                      timezone=ZoneInfo(zone))
    [problem] = result.diagnostics
    assert f"in {zone}: the clocks {what} over it" in problem.message


def test_a_related_story_s_time_the_zone_skips_is_a_warning_at_its_line() -> None:
    result = validate(MINIMAL + "related:\n  - title: B\n    webUrl: https://b.example/\n"
                      "    publishedDateTime: 2024-03-10T02:45:00\n---\n", timezone=NEW_YORK)
    [problem] = result.diagnostics
    assert (problem.field, problem.line) == ("related[0].publishedDateTime", 7)
    related = result.item.related[0].published  # type: ignore[union-attr]
    assert related is not None and (related.hour, related.tzname()) == (3, "EDT")
    assert problem.message.startswith("2024-03-10T02:45:00 is a time that does not exist")


def test_a_bad_date_is_an_error_and_the_story_is_left_out() -> None:
    result = validate("---\ntitle: t\npublishedDateTime: next tuesday\n---\n")
    assert result.item is None
    assert messages(result) == [
        ("error", "publishedDateTime", "'next tuesday' is not a date and time")]  # (it
    # said "publishedDateTime: publishedDateTime 'next tuesday' ...")
    assert result.diagnostics[0].line == 3
    assert "ISO 8601" in (result.diagnostics[0].hint or "")


def test_a_missing_date_falls_back_to_a_dated_file_name_with_a_warning() -> None:
    result = validate("---\ntitle: t\n---\n", rel="content/2021-03-04-t.md")
    assert isinstance(result.item, Story)
    assert result.item.published == datetime(2021, 3, 4, tzinfo=UTC)
    assert [d.severity for d in result.diagnostics] == [Severity.WARNING]


def test_a_story_needs_a_title() -> None:
    result = validate("---\npublishedDateTime: 2020-06-09T03:58:00Z\nexcerpt: x\n---\n")
    assert result.item is None
    assert result.diagnostics[0].severity is Severity.ERROR
    assert "no title" in result.diagnostics[0].message


def test_front_matter_must_be_a_mapping() -> None:
    result = validate("---\n- a\n- b\n---\n")
    assert result.item is None
    assert "mapping" in result.diagnostics[0].message


def test_field_problems_are_warnings_naming_file_line_field_and_value() -> None:
    result = validate(MINIMAL + "webUrl: javascript:alert(1)\nquality: lots\n"
                      "images:\n  - url: https://x.org/a.jpg\n    width: 640px\n"
                      "provder: red\n---\n")
    assert isinstance(result.item, Story)
    assert result.item.url == "" and result.item.quality is None
    assert result.item.images[0].width is None
    found = {d.field: d for d in result.diagnostics}
    assert set(found) == {"webUrl", "quality", "images[0].width", "provder"}  # (and not
    # "images" too, that its only image has no size left: the width's warning says it)
    assert all(d.severity is Severity.WARNING and d.file == "content/a.md"
               for d in result.diagnostics)
    assert found["webUrl"].line == 4 and "'javascript:alert(1)'" in found["webUrl"].message
    assert found["quality"].line == 5 and "'lots'" in found["quality"].message
    assert found["images[0].width"].line == 8 and "'640px'" in found["images[0].width"].message
    assert found["provder"].line == 9 and "unknown field" in found["provder"].message
    # each hint fits its field: 640 pixels for a size, not for a score (it said so)
    assert "640" in (found["images[0].width"].hint or "")
    assert "640" not in (found["quality"].hint or "")


def test_a_key_given_twice_is_a_warning_at_its_line_and_the_last_value_is_published() -> None:
    text = ("---\n"                                   # 1
            "title: One\n"                            # 2
            "publishedDateTime: 2020-06-09T03:58:00Z\n"  # 3
            "images:\n"                               # 4
            "  - url: https://img.example/a.jpg\n"    # 5
            "    url: https://img.example/b.jpg\n"    # 6
            "    width: 640\n"                        # 7
            "    height: 360\n"                       # 8
            "title: Two\n"                            # 9
            "---\nBody\n")
    result = validate(text)
    assert isinstance(result.item, Story) and result.item.title == "Two"
    assert [image.url for image in result.item.images] == ["https://img.example/b.jpg"]
    assert [(d.severity, d.line, d.field, d.message) for d in result.diagnostics] == [
        (Severity.WARNING, 6, "images[0].url",
         "'url' is given twice, on line 5 and again on line 6; the last one is used"),
        (Severity.WARNING, 9, "title",
         "'title' is given twice, on line 2 and again on line 9; the last one is used"),
    ]
    assert all(d.hint for d in result.diagnostics)


def test_a_merged_key_overridden_is_not_a_warning() -> None:
    text = (MINIMAL + "related:\n  - &one {title: A, webUrl: 'https://a.example/1'}\n"
            "  - <<: *one\n    title: B\n---\n")
    result = validate(text)
    assert result.diagnostics == ()
    assert isinstance(result.item, Story)
    assert [r.title for r in result.item.related] == ["A", "B"]


def test_a_story_image_given_as_a_path_on_another_site_is_a_warning() -> None:
    result = validate(MINIMAL + "images:\n  - url: /relative/img.png\n    width: 99\n"
                      "  - {url: 'https://x.org/a.jpg', width: 9, height: 9}\n---\n")
    assert isinstance(result.item, Story)
    assert [i.url for i in result.item.images] == ["https://x.org/a.jpg"]
    [problem] = result.diagnostics  # (it was left out without a word)
    assert (problem.severity, problem.field, problem.line) == \
        (Severity.WARNING, "images[0].url", 5)  # (the url's own line)
    assert "'/relative/img.png'" in problem.message and "https://" in (problem.hint or "")


def test_topics_are_cleaned_and_deduplicated() -> None:
    story = story_of(MINIMAL + "topics:\n  - AI\n  - ' Computer   Vision '\n  - AI\n"
                     "  - ai\n  - computer vision\n---\n")
    assert story.topics == ("AI", "Computer Vision")  # (one topic whatever the case)


def test_a_story_s_topics_differing_only_by_accents_are_one_with_a_warning() -> None:
    """The publisher's trial gave one story Café, Cafe, CAFÉ and café: one topic, named as
    first given, and a warning for each spelling that is one with it only by its accents
    (CAFÉ and café differ from Café only by case, as AI and ai do: no warning)."""
    result = validate(MINIMAL + "topics:\n  - Café\n  - Cafe\n  - CAFÉ\n  - café\n"
                      "  - AI\n  - ai\n---\n")
    assert isinstance(result.item, Story) and result.item.topics == ("Café", "AI")
    [problem] = result.diagnostics
    assert (problem.severity, problem.field, problem.line) == (Severity.WARNING, "topics[1]", 6)
    assert problem.message == ("the topic 'Cafe' is 'Café', given before it, but for "
                               "accents: they are one topic, named 'Café' here")
    assert "'Resume' and 'Résumé'" in (problem.hint or "")


def test_draft_true_marks_a_draft_and_published_false_does_not() -> None:
    assert story_of(MINIMAL + "draft: true\n---\n").draft is True
    assert story_of(MINIMAL + "published: false\n---\n").draft is False
    result = validate(MINIMAL + "draft: maybe\n---\n")
    assert isinstance(result.item, Story) and result.item.draft is False
    assert [d.field for d in result.diagnostics] == ["draft"]
    assert "published" in result.diagnostics[0].message
    assert "draft: true" in (result.diagnostics[0].hint or "")


def test_a_file_without_front_matter_is_a_text_body() -> None:
    result = validate("\n\n  IBM exits   facial recognition \n\nFirst paragraph.\n",
                      rel="content/002.txt")
    assert result.diagnostics == ()
    body = result.item
    assert isinstance(body, TextBody)
    assert (body.source, body.stem, body.title) == ("content/002.txt", "002",
                                                    "IBM exits facial recognition")
    assert body.text == "First paragraph."
    assert body.modified.tzinfo is not None


def test_the_body_after_front_matter_is_kept_as_markdown() -> None:
    story = story_of(MINIMAL + "---\n\nSome *text*.\n")
    assert story.body == "Some *text*."
    assert story.body_format == "markdown"


def test_a_publisher_s_own_fields_are_kept_as_extra_without_a_warning() -> None:
    result = validate(MINIMAL + "author: Jane Doe\nsponsored: true\nlabel: Opinion\n"
                      "rating: 4.5\nissue: 12\nnothing:\nbyline:\n  name: Jane\n"
                      "  roles: [editor, writer]\n2024: a year\nsecured: s3cr3t\n---\n")
    assert result.diagnostics == ()
    story = result.item
    assert isinstance(story, Story)
    assert list(story.extra) == ["author", "sponsored", "label", "rating", "issue", "nothing",
                                 "byline", "2024"]  # (in the file's order; never ``secured``)
    assert story.extra["author"] == "Jane Doe" and story.extra["sponsored"] is True
    assert story.extra["rating"] == 4.5 and story.extra["issue"] == 12
    assert story.extra["nothing"] is None and story.extra["2024"] == "a year"
    byline = story.extra["byline"]
    assert isinstance(byline, Extra) and byline["roles"] == ("editor", "writer")
    assert "secured" not in story.extra and "s3cr3t" not in repr(story)
    # a record: immutable, hashable, picklable (to workers), and kept in its summary
    with pytest.raises(TypeError):
        story.extra["author"] = "X"  # type: ignore[index]
    assert hash(story) == hash(dataclasses.replace(story))
    assert pickle.loads(pickle.dumps(story)) == story
    summary = summarize_story(story, "digest", date_prefix="2020-06-09")
    assert StorySummary.from_tuple(summary.to_tuple()).extra == story.extra
    assert summary.extra["byline"] == byline
    assert validate(MINIMAL + "---\n").item.extra == {}  # type: ignore[union-attr]


@pytest.mark.parametrize(("field", "known"), [
    ("titel", "title"), ("excerp", "excerpt"), ("Topics", "topics"), ("tpye", "type"),
    ("publishedDate", "publishedDateTime"), ("published_date_time", "publishedDateTime"),
    ("image", "images"), ("webURL", "webUrl"),
])
def test_a_field_like_a_known_one_is_warned_about_as_a_typo(field: str, known: str) -> None:
    result = validate(MINIMAL + f"excerpt: An excerpt.\n{field}: value\n---\n")
    [problem] = result.diagnostics
    assert (problem.severity, problem.line, problem.field) == (Severity.WARNING, 5, field)
    assert problem.message == (f"unknown field {field!r} is not read as {known!r}; it is only "
                               "kept for templates (story.extra)")
    assert (problem.hint or "").startswith(f"Did you mean '{known}'?")
    assert result.item.extra == {field: "value"}  # type: ignore[union-attr]


@pytest.mark.parametrize("field", ["author", "sponsored", "label", "subtitle", "categories",
                                   "tags", "date", "summary", "description", "colour"])
def test_a_field_unlike_any_known_one_is_not_warned_about(field: str) -> None:
    assert validate(MINIMAL + f"{field}: value\n---\n").diagnostics == ()


def test_a_value_templates_cannot_be_given_is_warned_about_and_left_out() -> None:
    result = validate(MINIMAL + "logo: !!binary aGVsbG8=\ntags: !!set {a, b}\n"
                      "loop: &x [1, *x]\nauthor: Jane\n---\n")
    found = {d.field: d for d in result.diagnostics}
    assert set(found) == {"logo", "tags", "loop"}
    assert found["logo"].line == 4 and "a bytes value" in found["logo"].message
    assert "a set value" in found["tags"].message
    assert "nested more than 50 deep" in found["loop"].message
    assert result.item.extra == {"author": "Jane"}  # type: ignore[union-attr]


def test_control_characters_are_removed_from_text_fields_with_a_warning_each() -> None:
    """They passed the build silently: the feeds dropped them, the HTML kept them, and
    ``digest check`` then reported 50 invalid code points at "line 1" of pages, never
    naming the content file (a publisher's trial). Each field is warned about at its
    line, and the story's text is the same everywhere (pages, feeds, API)."""
    result = validate(
        '---\ntitle: "Control \\e char \\x0b vtab \\x08 bs \\0 nul \\uFFFE end"\n'
        'excerpt: "Excerpt with \\x1f unit sep and \\x7f del \\x85"\n'
        "publishedDateTime: 2024-05-01T10:00:00Z\n"
        'provider:\n  name: "Prov \\x0c ff"\ntopics: ["AI\\x0b", "Robots"]\n'
        'related:\n  - title: "Rel \\x01 ated"\n    webUrl: https://example.com/r\n'
        'images:\n  - url: https://example.com/i.png\n    title: "\\U0001FFFE pic"\n'
        "---\n")
    story = result.item
    assert isinstance(story, Story)
    assert story.title == "Control char vtab bs nul end"
    assert story.excerpt == "Excerpt with  unit sep and  del"
    assert story.provider == Provider(name="Prov  ff")
    assert story.topics == ("AI", "Robots")
    assert story.related[0].title == "Rel  ated"
    assert story.images[0].title == "pic"
    found = [(d.severity, d.line, d.field) for d in result.diagnostics]
    assert found == [(Severity.WARNING, 2, "title"), (Severity.WARNING, 3, "excerpt"),
                     (Severity.WARNING, 6, "provider.name"), (Severity.WARNING, 7, "topics[0]"),
                     (Severity.WARNING, 13, "images[0].title"),
                     (Severity.WARNING, 9, "related[0].title")]
    first = result.diagnostics[0]
    assert "(U+0000, U+0008, U+000B, U+001B, U+FFFE)" in first.message
    assert first.message.endswith("which HTML and XML do not allow; they were removed")
    assert "Word or PDF" in (first.hint or "")


def test_a_tab_or_a_line_break_in_a_title_is_a_space() -> None:
    story = story_of('---\ntitle: "Tab\\there,\\nnew line\\r\\n and  \\u2028 more "\n'
                     "publishedDateTime: 2024-05-01T10:00:00Z\n---\n")
    assert story.title == "Tab here, new line and more"
    folded = story_of("---\ntitle: >-\n  Folded\n\n  over lines\n"
                      "publishedDateTime: 2024-05-01T10:00:00Z\n---\n")
    assert folded.title == "Folded over lines"


def test_a_title_of_control_characters_only_is_an_error() -> None:
    result = validate('---\ntitle: "\\x08\\x0b"\npublishedDateTime: 2024-05-01T10:00:00Z\n'
                      "---\n")
    assert result.item is None
    assert [(d.severity, d.field) for d in result.diagnostics] == [
        (Severity.WARNING, "title"), (Severity.ERROR, "title")]


@pytest.mark.parametrize(("body", "line"), [
    ("Ascii \x0b text\n\nwith \x7f more\n", 6),
    ("Curly \u201cquotes\u201d, a \xa0no-break space\n\nand \x08 \x85 \ufdd0 \U0010FFFF\n", 8),
])
def test_control_characters_are_removed_from_a_body_with_a_warning_at_the_first(
        body: str, line: int) -> None:
    """A body copied out of Word or a PDF brought them into every page showing the story
    and its lead, and ``digest check`` failed on invalid code points at "line 1"."""
    result = validate(MINIMAL + "---\n\n" + body)
    story = result.item
    assert isinstance(story, Story)
    assert "\x0b" not in story.body and "\x7f" not in story.body and "\x08" not in story.body
    assert story.body.count("\n\n") == 1  # (line breaks kept)
    [found] = result.diagnostics
    assert (found.severity, found.field, found.line) == (Severity.WARNING, "body", line)
    assert found.message.startswith("control characters or non-characters (U+")
    clean = validate(MINIMAL + "---\n\nCurly \u201cquotes\u201d, \xa0 tab\there\r\n")
    assert clean.diagnostics == ()


def test_control_characters_are_removed_from_a_plain_text_body() -> None:
    result = validate("Title \x08 here\n\nText \x0c body.\n", rel="content/b.txt")
    body = result.item
    assert isinstance(body, TextBody)
    assert (body.title, body.text) == ("Title here", "Text  body.")
    assert [(d.severity, d.line) for d in result.diagnostics] == [(Severity.WARNING, 1)]
    only = validate("\x08\x01\n\x1f\n", rel="content/c.txt")
    assert only.item is None
    assert [d.severity for d in only.diagnostics] == [Severity.WARNING, Severity.ERROR]
    assert "nothing but control characters" in only.diagnostics[1].message


def test_a_related_story_without_a_web_url_is_a_warning() -> None:
    """It was dropped without a word unless one of the site's stories had its title (a
    publisher's trial), where one without a title, or with a bad URL, is warned about."""
    result = validate(MINIMAL + "related:\n  - title: Elsewhere\n    excerpt: Text.\n"
                      "  - {title: Given, webUrl: 'https://b.example/'}\n"
                      "  - {title: Bad, webUrl: 'ftp://c.example/'}\n---\n")
    assert isinstance(result.item, Story) and len(result.item.related) == 3
    assert [(d.severity, d.line, d.field, d.message, d.hint) for d in result.diagnostics] == [
        (Severity.WARNING, 5, "related[0]", "related story 'Elsewhere' has no webUrl: it is "
         "shown only if a story of this site has that title, else left out",
         "Give its webUrl (the story at its source)."),
        (Severity.WARNING, 8, "related[2].webUrl", "'ftp://c.example/' is not an http(s) URL; "
         "it is not linked", "Only http:// and https:// URLs are used in links and images.")]


def test_aliases_and_redirect_from_are_the_story_s_old_addresses() -> None:
    result = validate(MINIMAL + "aliases: [/news/2020-06-09-old/, /old/index.html, /old/]\n"
                      "redirect_from: /legacy\n---\n")
    assert isinstance(result.item, Story) and not result.diagnostics
    assert result.item.aliases == ("news/2020-06-09-old/", "old/", "legacy/")
    assert result.item.extra == Extra(())  # (not kept as the story's own fields)


def test_an_alias_that_is_no_path_of_this_site_is_warned_about_at_its_line() -> None:
    result = validate(MINIMAL + "aliases:\n  - https://example.org/x/\n  - /a/../b/\n"
                      "  - 7\n  - /kept/\nredirect_from: {a: 1}\n---\n")
    assert isinstance(result.item, Story) and result.item.aliases == ("kept/",)
    found = [(d.line, d.field, d.message) for d in result.diagnostics]
    assert found == [
        (5, "aliases[0]", "'https://example.org/x/' is a URL, not a path on this site; "
                          "no redirect is made"),
        (6, "aliases[1]", "'/a/../b/' has a '.' or '..' step or a hidden folder; "
                          "no redirect is made"),
        (7, "aliases[2]", "7 is not a path; no redirect is made"),
        (9, "redirect_from", "redirect_from should be a list of paths, got {'a': 1}; "
                             "it is ignored"),
    ]


@pytest.mark.parametrize(("url", "message", "hint"), [
    ("/static/img/hero.jpg", "'/static/img/hero.jpg' names static/img/hero.jpg, which is not "
     "in the site's static/ (and templates/static/ and the default theme's); the image is not "
     "shown", "Add the file as static/img/hero.jpg"),  # (a path of this site: no site here,
    # so no file: see test_site_images for the files found)
    ("static/img/hero.jpg", "'static/img/hero.jpg' names static/img/hero.jpg, which is not "
     "in the site's static/ (and templates/static/ and the default theme's); the image is not "
     "shown", "Add the file as static/img/hero.jpg"),
    ("//cdn.example.com/x.jpg", "'//cdn.example.com/x.jpg' is a URL without its scheme; the "
     "image is not shown", "'https://cdn.example.com/x.jpg'"),
])
def test_an_image_given_as_a_path_is_warned_about_as_such(url: str, message: str,
                                                          hint: str) -> None:
    result = validate(MINIMAL + f"images:\n  - url: {url}\n    width: 640\n    height: 360\n"
                      "---\n")
    assert isinstance(result.item, Story) and result.item.images == ()
    [found] = result.diagnostics
    assert (found.line, found.field, found.message) == (5, "images[0].url", message)
    assert found.hint is not None and hint in found.hint
