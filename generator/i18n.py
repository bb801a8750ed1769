"""Translations: the strings a theme shows, and human dates, in the site's language.

``digest.yaml``'s ``language`` chooses a table of strings (``i18n_tables``: English,
French, German, Spanish built in), which the site's own ``i18n/<language>.yaml``
overrides string by string or supplies for another language, as Hugo's ``i18n/``
folder does. Templates show a string through the ``t`` filter
(``{{ "also_covered_by"|t }}``, ``{{ "stories"|t(count=n) }}``: see ``render``); page
titles and descriptions are made with ``Translations.text`` when the pages are planned.

A string is text with ``{name}`` placeholders, or a mapping of plural forms chosen by
``count`` with the language's CLDR rule (``PLURAL_RULES``; a language digest has no rule
for uses ``one`` for 1 and ``other`` for the rest). The site's file is checked when the
config is read: a key no template uses, a value that is not text, a placeholder the
string cannot be given, a plural without ``other`` are reported with the file and line.
The loaded table is part of ``SiteConfig``, so a change of it re-renders every page (its
digest is in ``fingerprints.settings_digest`` and in compiled templates' cache key).

Dates are made from each table's month names and formats (CLDR's long date), not by
Babel: importing ``babel.dates`` took 2.7-3 ms of a fresh process beside digest's own
imports and loading a locale's data 10-11 ms more at its first date, then 5.6-6.6 us a
date, against 1.4-3.1 us here (and 34 MB installed), for the four languages built in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, error, shorten, warning
from .frozen import frozen
from .i18n_tables import BUILT_IN
from .read import read_yaml_mapping, with_field_lines

I18N_DIR = "i18n"
"""The site folder of its own translation files (``i18n/fr.yaml``)."""
DEFAULT_LANGUAGE = "en"
"""The table every other falls back on, string by string."""
CATEGORIES = ("zero", "one", "two", "few", "many", "other")
"""CLDR's plural categories: the keys a string's plural forms may have."""
MONTHS = "months"
"""The key of the twelve month names (a list, not a string)."""


Message = str | dict[str, str]
"""What a key of a table gives: a text, or its plural forms by CLDR category (``{"one":
"{count} story", "other": "{count} stories"}``; ``other`` is among them). (A dict rather
than a record: even a ``frozen`` one costs a fresh process 0.1 ms to make.)"""


def _one_if_1(n: int) -> str:
    return "one" if n == 1 else "other"


def _one_if_0_or_1(n: int) -> str:  # (French, Portuguese: "0 article", "1 article")
    return "one" if n in (0, 1) else "many" if n and n % 1_000_000 == 0 else "other"


def _romance(n: int) -> str:  # (Spanish, Italian: "1 millón de noticias" is "many")
    return "one" if n == 1 else "many" if n and n % 1_000_000 == 0 else "other"


def _east_slavic(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    return "few" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "many"


def _polish(n: int) -> str:
    if n == 1:
        return "one"
    return "few" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "many"


def _czech(n: int) -> str:
    return "one" if n == 1 else "few" if 2 <= n <= 4 else "other"


def _no_plural(_n: int) -> str:
    return "other"


PLURAL_RULES: dict[str, Callable[[int], str]] = {
    **dict.fromkeys(("en", "de", "nl", "sv", "da", "nb", "nn", "no", "fi", "et", "el", "hu",
                     "tr", "bg", "ca", "gl", "eu"), _one_if_1),
    **dict.fromkeys(("fr", "pt"), _one_if_0_or_1),
    **dict.fromkeys(("es", "it"), _romance),
    **dict.fromkeys(("ru", "uk", "be"), _east_slavic),
    "pl": _polish,
    **dict.fromkeys(("cs", "sk"), _czech),
    **dict.fromkeys(("ja", "zh", "ko", "vi", "th", "id", "ms"), _no_plural),
}
"""CLDR's plural rules for whole numbers, by language (for counts of stories)."""


RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd",
                           "syr", "ug", "ur", "yi"})
"""Languages written right to left (their primary subtag), unless a script subtag says
otherwise (``sd-Deva``)."""
RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "mand"})
"""ISO 15924 scripts written right to left (``az-Arab``, ``pa-Arab``)."""


def text_direction(language: str) -> str:
    """``rtl`` for a language tag written right to left (``ar``, ``he-IL``, ``fa``,
    ``ur``, ``az-Arab``), else ``ltr``: the pages' ``<html dir>``."""
    subtags = language.strip().lower().replace("_", "-").split("-")
    script = next((tag for tag in subtags[1:] if len(tag) == 4 and tag.isalpha()), None)
    if script is not None:
        return "rtl" if script in RTL_SCRIPTS else "ltr"
    return "rtl" if subtags[0] in RTL_LANGUAGES else "ltr"


@frozen
class Translations:
    """The strings of one language, each key's own or else English's."""

    language: str
    """The language (``fr``): its plural rule chooses among a string's forms."""
    messages: dict[str, Message]
    """Every string by key, sorted by key (see ``i18n_tables``; ``months`` apart)."""
    months: tuple[str, ...]
    """The twelve month names as written inside a date ("6 mai 2024")."""

    def message(self, key: str, count: object = None) -> str:
        """The text of ``key`` (of the form ``count`` asks for, if it has forms); a
        ``LookupError`` naming the key if there is none."""
        found = self.messages.get(key)
        if found is None:
            raise LookupError(f"there is no string {key!r} in the translations for "
                              f"{self.language!r} (nor in English's)")
        if isinstance(found, dict):
            return found.get(self.plural_category(count), found["other"])
        return found

    def text(self, key: str, /, **values: object) -> str:
        """``key``'s text with its ``{placeholders}`` filled in from ``values``
        (``count`` also chooses the plural form); a ``LookupError`` if one is missing."""
        message = self.message(key, values.get("count"))
        if "{" not in message and "}" not in message:
            return message
        try:
            return message.format_map(values)
        except KeyError as exc:
            raise LookupError(f"the string {key!r} ({message!r}) needs a value for "
                              f"{{{exc.args[0]}}}") from None

    def plural_category(self, count: object) -> str:
        """The CLDR plural category of ``count`` in this language (``other`` for what
        is not a whole number)."""
        if not isinstance(count, int) or isinstance(count, bool):
            return "other"
        return PLURAL_RULES.get(self.language, _one_if_1)(abs(count))

    def human_dates(self) -> Callable[[datetime], str]:
        """How a reader reads a date: a function of a local time that gives its date
        ("May 6, 2024"), with the time and the zone unless it is midnight (a date given
        without a time): "6 mai 2024 à 14:30 UTC". (A function, so that each date of
        a page costs two ``str.format`` calls.)"""
        date, date_time, months = self.message("date"), self.message("date_time"), \
            self.months

        def human_date(local: datetime) -> str:
            day = date.format(month=months[local.month - 1], day=local.day, year=local.year)
            if not (local.hour or local.minute or local.second):  # a date alone (as sources
                # give one without a time: midnight) is shown without the time nobody gave
                return day
            # the zone's name too (UTC, EDT): a time alone reads as the reader's own
            return date_time.format(date=day, time=f"{local.hour:02d}:{local.minute:02d}",
                                    zone=local.tzname() or "")

        return human_date

    def month_label(self, year: int, month: int) -> str:
        """A month of a year, as inside a sentence ("mai 2024", "mayo de 2024")."""
        return self.text("month_year", month=self.months[month - 1], year=year)

    def month_name(self, month: int) -> str:
        """A month's name on its own, as a list item ("Mai")."""
        return capitalized(self.months[month - 1])


def capitalized(text: str) -> str:
    """``text`` with its first letter a capital (a title: "mai 2024" -> "Mai 2024")."""
    return text[:1].upper() + text[1:]


def language_of(tag: str) -> str:
    """The language of a BCP 47 tag, lower-case (``fr-CA``, ``fr_CA``, ``FR``: ``fr``)."""
    return tag.strip().replace("_", "-").split("-")[0].lower()


def _built_in(language: str) -> Translations:
    """English's table, overlaid with ``language``'s built-in one, if any."""
    table: dict[str, Any] = {**BUILT_IN[DEFAULT_LANGUAGE], **BUILT_IN.get(language, {})}
    return Translations(language, _messages(table), tuple(table.pop(MONTHS)))


def _messages(table: Mapping[str, Any]) -> dict[str, Message]:
    """A table's strings as ``Translations.messages`` (but ``months``), keys sorted."""
    return {key: dict(sorted(value.items())) if isinstance(value, dict) else value
            for key, value in sorted(table.items()) if key != MONTHS}


ENGLISH = _built_in(DEFAULT_LANGUAGE)
"""The default theme's own strings."""


@cache
def placeholders() -> dict[str, frozenset[str]]:
    """The placeholders each built-in key's text may use (English's): asked only of a
    site's own file, so made then (with ``string``: 1 ms of every build's imports)."""
    from string import Formatter

    return {key: frozenset(name for form in (message.values() if isinstance(message, dict)
                                             else (message,))
                           for _text, name, _spec, _conv in Formatter().parse(form) if name)
            for key, message in ENGLISH.messages.items()}


def load_translations(source: Path, language: str, *,
                      template_keys: Callable[[], frozenset[str]] | None = None,
                      well_formed: bool = True,
                      ) -> tuple[Translations, tuple[Diagnostic, ...]]:
    """The translations of ``language`` for the site in ``source``: the built-in table
    (English's strings where it has none), overlaid with the site's ``i18n/<language>.yaml``
    (``i18n/fr.yaml``, then ``i18n/fr-CA.yaml`` for ``fr-CA``), and the problems found in
    those files. ``template_keys`` gives the keys the site's templates show (asked only
    when a file has a key no built-in table has). A tag that is not ``well_formed`` is
    warned about already (see ``config``): the strings it leaves in English are not."""
    base = language_of(language)
    translations = _built_in(base)
    problems: list[Diagnostic] = []
    names = [f"{I18N_DIR}/{name}.yaml" for name in dict.fromkeys((base, language.strip()))]
    found = [name for name in names if (source / name).is_file()]
    messages, months = dict(translations.messages), translations.months
    for name in found:
        table = _read_table(source / name, name, problems, template_keys)
        months = tuple(table.pop(MONTHS, months))
        messages.update(_messages(table))
    if base not in BUILT_IN and well_formed:
        problems.extend(_untranslated(language, found, messages, months))
    return Translations(base, dict(sorted(messages.items())), months), tuple(problems)


def _untranslated(language: str, found: list[str], messages: Mapping[str, Message],
                  months: tuple[str, ...]) -> list[Diagnostic]:
    """The warning for a language with no built-in table, for the strings of the default
    theme that stay in English (every one, without a file of the site's)."""
    if not found:
        return [warning("digest.yaml", f"there is no translation of the theme's strings for "
                                       f"{language!r}, so they are shown in English",
                        field="language",
                        hint=f"Built in: {', '.join(sorted(BUILT_IN))}. For another language, "
                             f"write {I18N_DIR}/{language_of(language)}.yaml in the site "
                             "folder (README.md, Translations, lists its keys).")]
    english = ENGLISH.messages
    missing = [key for key in english if messages[key] == english[key]]
    if months == ENGLISH.months:
        missing.append(MONTHS)
    if not missing:
        return []
    shown = ", ".join(sorted(missing)[:8]) + (", ..." if len(missing) > 8 else "")
    return [warning(found[-1], f"{len(missing)} of the theme's strings are not translated, "
                               f"so they are shown in English: {shown}",
                    hint="Give each of them in the file (README.md, Translations, lists "
                         "the keys and their English text).")]


def _read_table(path: Path, name: str, problems: list[Diagnostic],
                template_keys: Callable[[], frozenset[str]] | None) -> dict[str, Any]:
    """The valid entries of the site's translation file ``path`` (shown as ``name``);
    what is wrong with the others goes to ``problems``, at their lines."""
    found: list[Diagnostic] = []
    data, text = read_yaml_mapping(
        path, name, found, what="the translations",
        mapping="the translations must be a mapping of keys to texts",
        hint="Write one string a line: also_covered_by: Également traité par (Hugo's list "
             "of '- id:' entries is not read).")
    if data is None:
        problems.extend(found)
        return {}
    table: dict[str, Any] = {}
    own: frozenset[str] | None = None
    for key, value in data.items():
        if key == MONTHS:
            months = _months(name, value, found)
            if months is not None:
                table[key] = months
            continue
        if not isinstance(key, str) or key not in placeholders():
            own = own if own is not None else (template_keys() if template_keys else
                                               frozenset())
            if not isinstance(key, str) or key not in own:
                found.append(_unknown_key(name, key))
                continue
        checked = _message(name, key, value, found)
        if checked is not None:
            table[key] = checked
    problems.extend(with_field_lines(found, path, name, text))
    return table


def _unknown_key(name: str, key: object) -> Diagnostic:
    """The warning for a key that is no string of the theme's."""
    from difflib import get_close_matches  # (only a file with a mistake needs it)

    close = get_close_matches(str(key), [*placeholders(), MONTHS], n=1, cutoff=0.75)
    hint = f"Did you mean {close[0]!r}?" if close else (
        "The default theme's keys are listed in README.md (Translations); a string of "
        "your own templates' is read when one of them shows it: {{ \"key\"|t }}.")
    return warning(name, f"unknown key {shorten(key)} is not a string of any template, so "
                         "it is ignored", field=str(key), hint=hint)


def _months(name: str, value: object, found: list[Diagnostic]) -> tuple[str, ...] | None:
    """The twelve month names of a file, or None (an error in ``found``)."""
    if isinstance(value, list) and len(value) == 12 \
            and all(isinstance(month, str) and month.strip() for month in value):
        return tuple(value)
    found.append(error(name, f"months must be a list of the 12 month names, January's "
                             f"first, got {shorten(value)}", field=MONTHS,
                       hint="Write months: [janvier, février, mars, avril, mai, juin, "
                            "juillet, août, septembre, octobre, novembre, décembre]"))
    return None


def _message(name: str, key: str, value: object, found: list[Diagnostic]
             ) -> str | dict[str, str] | None:
    """A string of a file as a table holds it (its text, or its plural forms), or None
    (an error in ``found``)."""
    if isinstance(value, str):
        return value if _placeholders_ok(name, key, key, value, found) else None
    if not isinstance(value, dict):
        found.append(error(name, f"expected a text, or plural forms, got {shorten(value)}",
                           field=key, hint=f"Write e.g. {key}: \"...\" (in quotes if the "
                                           "text has a ':' or starts with '{').",))
        return None
    wrong = [category for category in value if category not in CATEGORIES]
    if wrong or "other" not in value:
        what, where = (f"{shorten(wrong[0])} is not a plural category", f"{key}.{wrong[0]}") \
            if wrong else ("the plural forms have no 'other', which every count without a "
                           "form of its own takes", key)
        found.append(error(name, what, field=where, hint="Plural forms are CLDR's: zero, one, "
                           "two, few, many, other (e.g. {one: \"{count} article\", "
                           "other: \"{count} articles\"})."))
        return None
    forms = {}
    for category, text in value.items():
        where = f"{key}.{category}"
        if not isinstance(text, str):
            found.append(error(name, f"expected a text, got {shorten(text)}", field=where))
        elif _placeholders_ok(name, key, where, text, found):
            forms[category] = text
    return forms if len(forms) == len(value) else None


def _placeholders_ok(name: str, key: str, where: str, text: str,
                     found: list[Diagnostic]) -> bool:
    """Whether ``text`` is a valid text for ``key`` (its placeholders those the key is
    given); if not, an error in ``found``."""
    allowed = placeholders().get(key)
    hugo = _HUGO_FIELD.search(text)
    if hugo is not None:
        problem = "has a Hugo placeholder"
        hint = f"Write {{{hugo[1].lower()}}} where Hugo writes {hugo[0]}."
    else:
        try:
            used = list(_fields(text))
        except ValueError as exc:
            used, problem = [], f"is not a valid text: {exc}"
            hint = "A placeholder is a {name}; write a brace itself as {{ or }}."
        else:
            bad = next((field for field in used if not field.isidentifier()
                        or (allowed is not None and field not in allowed)), None)
            if bad is None:
                return True
            problem = f"has the placeholder {{{bad}}}, which this string is not given"
            hint = ("It is given " + ", ".join(f"{{{n}}}" for n in sorted(allowed))
                    if allowed else "It is given no placeholder") + \
                "; write a brace itself as {{ or }}."
    found.append(error(name, f"{shorten(text)} {problem}", field=where, hint=hint))
    return False


_HUGO_FIELD = re.compile(r"\{\{-?\s*\.(\w+)\s*-?\}\}")
"""A placeholder as Hugo's translation files write it: ``{{ .Count }}``."""


def _fields(text: str) -> Iterable[str]:
    """The placeholders of a text (a ``ValueError`` if its braces do not pair; a
    placeholder with a conversion or a format, ``{count!r}``, is given as itself)."""
    from string import Formatter

    for _literal, field, spec, conversion in Formatter().parse(text):
        if field is not None:
            yield field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec
                                                                       else "")
