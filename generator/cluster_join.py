"""Join the stories of one connected component of the link graph into event clusters.

Linked stories are joined best link first, but only when the joined group spans at most
one date window and the two groups are also close on average (average linkage), so a chain
of loosely similar stories cannot snowball. Everything here looks only at the component's
own stories and links, so components are independent: an update re-joins only the
components that contain a changed story or link. Editor overrides are applied last.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import partial
from typing import Any

from generator import kernels
from generator.cluster_links import (
    DATE_PENALTY,
    RELATED_BONUS,
    ForwardLink,
    list_url_links,
    score_unshared_pair,
)
from generator.cluster_records import (
    R_LEAD,
    R_LISTED,
    R_OVERRIDE,
    R_OWN,
    R_TIME,
    R_URLS,
    R_VECTOR,
    SECONDS_PER_DAY,
    StoryRecord,
)
from generator.frozen import frozen

LINKAGE_RATIO = 0.55
"""Two groups join only if their average pair score reaches this share of the threshold."""
LINKAGE_SAMPLE = 6
"""At most this many members of each group (earliest first) enter the average-linkage check."""
_MAX_PAIR_SCORE = 1.1
"""More than any pair score can be (a cosine of at most 1, plus the ``related[]`` bonus)."""
OVERRIDE_ALONE = "none"
"""The ``cluster:`` override value that keeps a story in a cluster of its own."""

EvidenceRecord = tuple[str, str, float, tuple[str, ...], bool, bool, bool]
"""(left, right, score, shared_terms, same_url, related_link, override), as in ``Evidence``.
The engine leaves shared_terms empty: only a report reads them, and
``cluster_engine.list_clusters(state, explain=True)`` finds them then (at 100,000 stories,
finding them for every join took 0.6 s of each clean run)."""
GroupRecord = tuple[tuple[str, ...], tuple[EvidenceRecord, ...]]
"""(members, lead first then by time; evidence, strongest first)."""


def join_component(
    component: Sequence[str],
    stories: Mapping[str, StoryRecord],
    forward: Mapping[str, tuple[ForwardLink, ...]],
    url_groups: Mapping[str, Sequence[str]],
    *,
    threshold: float,
    window_days: float,
    sharing: AbstractSet[str] | None = None,
    replay: Replay | None = None,
) -> dict[str, GroupRecord]:
    """The clusters (by id) of one component, given as time-sorted keys of eligible stories
    (``sharing``, if given: every story that shares an address, see :func:`list_sharing`;
    ``replay``: see :class:`Replay`).

    Stories are numbered in component order, and a link (a, b) is coded as the one int
    ``a * size + b``, so links sort by (a, b) as their codes do. :func:`decide_joins` takes
    the decisions; a group is ``touched`` when it holds a changed story, or took a decision
    the last computation did not (with ``replay``).
    """
    size = len(component)
    records = [stories[key] for key in component]
    known, flags = _collect_links(component, stories, records, forward, url_groups, sharing)
    codes = sorted(known)
    codes.sort(key=known.__getitem__, reverse=True)  # best first, ties by (a, b): a sort
    # is stable, reversed too
    if replay is not None:
        place = {key: number for number, key in enumerate(component)}
        joined: set[int] | None = {
            place[a] * size + place[b] for a, b in replay.joined if a in place and b in place
        }
        touched = [key in replay.changed for key in component]
    else:
        joined = None
        touched = [True] * size  # (every decision is taken afresh)
    root, touched, joins = decide_joins(
        codes,
        known,
        {code for code, (same_url, _) in flags.items() if same_url},
        records,
        touched,
        joined,
        window_days,
        LINKAGE_RATIO * threshold,
    )
    members: list[list[int] | None] = [None] * size
    for number, head in enumerate(root):
        found = members[head]
        if found is None:
            members[head] = [number]
        else:
            found.append(number)
    evidence: dict[int, list[EvidenceRecord]] = {}
    for code in joins:
        a, b = divmod(code, size)
        if not touched[root[a]]:
            continue  # (a group no change reached is the last computation's: kept whole)
        same_url, related = flags.get(code, (False, False))
        evidence.setdefault(root[a], []).append(
            (component[a], component[b], round(known[code], 4), (), same_url, related, False)
        )
    groups: dict[str, GroupRecord] = {}
    for index, group in enumerate(members):
        if group is None:
            continue
        if not touched[index] and replay is not None:
            group_id = make_cluster_id(component[min(group)])
            kept_record = replay.groups.get(group_id)
            if kept_record is not None and len(kept_record[0]) == len(group):
                groups[group_id] = kept_record
                continue
        keys = [component[i] for i in sorted(group)]
        groups[make_cluster_id(keys[0])] = make_group(keys, stories, evidence.get(index, []))
    return groups


def decide_joins_python(
    codes: list[int],
    known: dict[int, float],
    same_url: AbstractSet[int],
    records: list[StoryRecord],
    touched: list[bool],
    joined: AbstractSet[int] | None,
    window_days: float,
    floor: float,
) -> tuple[list[int], list[bool], list[int]]:
    """Which links join their groups, best link first (``codes``, each ``a * size + b``
    with ``size = len(records)``; ``known``: their scores; ``same_url``: those of stories
    sharing an address, joined at any dates).

    ``touched`` tells which stories' groups decide afresh; the others take the decision
    the last computation took: join if the link is in ``joined`` (None when there was no
    last computation, and then every story must be touched). ``known`` gains the scores
    of the pairs the average-linkage checks score.

    Returns each story's group (the number of one of its members), whether each group is
    touched (by that number), and the links that joined, in order. Each group keeps its
    members, its earliest members (``sample``: the average-linkage check compares those)
    and its first and last day.
    """
    size = len(records)
    scorer = _PairScorer(records, known, size, window_days=window_days)
    root = list(range(size))
    members: list[list[int] | None] = [[i] for i in range(size)]
    sample = [[i] for i in range(size)]  # each group's earliest members, in order
    first = [record[R_TIME] / 86400.0 for record in records]
    last = list(first)
    joins: list[int] = []
    joined_before = joined if joined is not None else frozenset()
    for code in codes:  # (written out: this runs once per link, 390,000 times for the
        # 100k bench's largest component, most of them between stories already joined)
        a, b = divmod(code, size)
        left, right = root[a], root[b]
        if left == right:
            continue
        low, high = first[left], last[left]
        if first[right] < low:
            low = first[right]
        if last[right] > high:
            high = last[right]
        if touched[left] or touched[right]:
            if code not in same_url and (
                high - low > window_days  # an event's coverage spans at most one window:
                # no chains over weeks (stories sharing an address are joined at any dates)
                or not _are_close_on_average(scorer, sample[left], sample[right], floor=floor)
            ):
                if code in joined_before:
                    touched[left] = touched[right] = True  # joined last time: both differ
                continue
        elif code not in joined_before:
            continue  # the same two groups as last time: the same decision
        kept, gone = members[left], members[right]
        assert kept is not None and gone is not None
        if len(kept) < len(gone):
            left, right, kept, gone = right, left, gone, kept
        for index in gone:
            root[index] = left
        kept.extend(gone)
        members[right] = None
        sample[left] = sorted(sample[left] + sample[right])[:LINKAGE_SAMPLE]
        first[left], last[left] = low, high
        touched[left] = touched[left] or touched[right]
        joins.append(code)
    return root, touched, joins


_JOIN_CONSTANTS = (LINKAGE_SAMPLE, _MAX_PAIR_SCORE, R_TIME, R_VECTOR, R_URLS, R_OWN, R_LISTED,
                   SECONDS_PER_DAY, DATE_PENALTY, RELATED_BONUS)
"""What the compiled join reads from the modules here: the linkage parameters, where a
record keeps each field, and the pair score's constants."""

decide_joins: kernels.DecideJoins = (
    decide_joins_python if kernels.join is None else partial(kernels.join, _JOIN_CONSTANTS)
)
""":func:`decide_joins_python`, compiled where it is built (``generator.kernels``)."""


@frozen
class Replay:
    """What re-joining a component may take from the last computation.

    Links are joined best first, and whether a link joins its two groups depends only on
    those groups (their members' times, and the scores of pairs of their members) and on
    the link. So while neither group holds a ``changed`` story, and neither took a decision
    the last computation did not, both are exactly the groups the last computation had at
    that link (by induction over the links, which are ordered the same way), and the
    decision is the one it took: join if the link is among the ``joined`` pairs. Only links
    touching a changed group are scored again: on the 100k bench, after one edited story,
    re-joining its component (nearly every story) takes 1.6 s instead of 3.5 s.

    ``changed`` must hold every story whose record, links or shared addresses changed, and
    both ends of every link that appeared, went or changed (``update_groups`` passes them).
    """

    changed: AbstractSet[str]
    """Stories whose record, links or addresses changed."""
    joined: AbstractSet[tuple[str, str]]
    """(earlier, later) story keys of every link the last computation joined on."""
    groups: Mapping[str, GroupRecord]
    """The last computation's automatic clusters, by id: a group no change reached ends as
    one of them (same members, same joins), and its record is kept."""


def _collect_links(
    component: Sequence[str],
    stories: Mapping[str, StoryRecord],
    records: Sequence[StoryRecord],
    forward: Mapping[str, tuple[ForwardLink, ...]],
    url_groups: Mapping[str, Sequence[str]],
    sharing: AbstractSet[str] | None,
) -> tuple[dict[int, float], dict[int, tuple[bool, bool]]]:
    """The component's links by code: their scores, and (same_url, related_link) of those
    with either set (``sharing``: see :func:`join_component`)."""
    size = len(component)
    place = {key: i for i, key in enumerate(component)}
    known: dict[int, float] = {}
    flags: dict[int, tuple[bool, bool]] = {}
    for at, key in enumerate(component):
        base = at * size
        for other, score, related in forward.get(key, ()):
            code = base + place[other]
            known[code] = score
            if related:
                flags[code] = (False, True)
        if sharing is not None and key not in sharing:
            continue
        for url in records[at][R_URLS]:
            members = url_groups[url]
            if len(members) > 1:
                for earliest, later in list_url_links(members, stories):
                    if earliest == key and (code := base + place[later]) not in known:
                        known[code] = 1.0
                        flags[code] = (True, False)
    return known, flags


def list_sharing(url_groups: Mapping[str, Sequence[str]]) -> set[str]:
    """The stories that share an address with another story. (Knowing them spares reading
    every story's addresses: on the 100k bench, 0.3 s of finding and joining components.)"""
    return {key for members in url_groups.values() if len(members) > 1 for key in members}


def make_group(
    keys: Sequence[str], stories: Mapping[str, StoryRecord], evidence: Iterable[EvidenceRecord]
) -> GroupRecord:
    """A cluster of time-sorted ``keys``: lead first, then the rest by time; evidence sorted."""
    lead = min(keys, key=lambda key: lead_rank(key, stories[key]))
    found = sorted(evidence, key=lambda e: (-e[2], e[0], e[1]))
    return (lead, *(key for key in keys if key != lead)), tuple(found)


def lead_rank(key: str, record: StoryRecord) -> tuple[Any, ...]:
    """Sort key of the lead rule: quality, then image, then body, then earliest, then key."""
    quality, has_image, has_body = record[R_LEAD]
    return -quality, not has_image, not has_body, record[R_TIME], key


def apply_overrides(
    groups: Mapping[str, GroupRecord],
    overridden: Sequence[str],
    stories: Mapping[str, StoryRecord],
) -> dict[str, GroupRecord]:
    """Automatic clusters plus overridden stories (time-sorted keys), by cluster id:
    "none" keeps a story alone, any other value joins (or starts) the cluster it names."""
    result = dict(groups)
    wanted: dict[str, list[str]] = {}
    for key in overridden:
        value = stories[key][R_OVERRIDE]
        if value.strip().lower() == OVERRIDE_ALONE:
            result[make_cluster_id(key)] = make_group([key], stories, [])
        else:
            wanted.setdefault(slug_override(value), []).append(key)
    for cluster_id, keys in sorted(wanted.items()):
        existing = groups.get(cluster_id)
        base = existing[0] if existing else ()
        group = sorted({*base, *keys}, key=lambda k: (stories[k][R_TIME], k))
        anchor = group[0]
        forced: list[EvidenceRecord] = [
            (anchor, key, 1.0, (), False, False, True) for key in keys if key != anchor
        ]
        old: list[EvidenceRecord] = list(existing[1]) if existing else []
        result[cluster_id] = make_group(group, stories, old + forced)
    return result


def make_cluster_id(earliest_key: str) -> str:
    """Stable id of an automatic cluster, from the key of its earliest story."""
    return "evt-" + hashlib.sha1(earliest_key.encode("utf-8")).hexdigest()[:12]


def slug_override(value: str) -> str:
    """The cluster id an editor's ``cluster:`` value names (lower-case ASCII, hyphens)."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "cluster"


class _PairScorer:
    """Scores of pairs of one component's stories (by number), each computed once."""

    def __init__(
        self,
        records: Sequence[StoryRecord],
        known: dict[int, float],
        size: int,
        *,
        window_days: float,
    ) -> None:
        self.records = records
        """The component's records, by number."""
        self.known = known
        """Scores found so far, by pair code (links' scores to begin with); it grows."""
        self.size = size
        """How many stories the component has (the pair code's base)."""
        self.window_days = window_days
        """The date window."""
        self.keys: list[tuple[frozenset[str], frozenset[str], frozenset[str]] | None] = [
            None
        ] * size
        """Stories' (addresses, own keys, listed keys), by number, made when first asked for."""

    def score(self, a: int, b: int) -> float:
        """The score of stories ``a < b``, not yet known (kept for the next time): 1.0 if
        they share an address, else :func:`score_unshared_pair` (``related[]`` linking them
        when either lists one of the other's own keys)."""
        keys = self.keys
        urls, own, listed = keys[a] or self._keys(a)
        other_urls, other_own, other_listed = keys[b] or self._keys(b)
        if not urls.isdisjoint(other_urls):
            found = 1.0
        else:
            related = not listed.isdisjoint(other_own) or not other_listed.isdisjoint(own)
            found = score_unshared_pair(
                self.records[a], self.records[b], related=related, window_days=self.window_days
            )
        self.known[a * self.size + b] = found
        return found

    def _keys(self, number: int) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """The story's addresses, own keys and listed keys, as sets (made once)."""
        record = self.records[number]
        found = self.keys[number] = (
            frozenset(record[R_URLS]),
            frozenset(record[R_OWN]),
            frozenset(record[R_LISTED]),
        )
        return found


def _are_close_on_average(
    scorer: _PairScorer, first: Sequence[int], second: Sequence[int], *, floor: float
) -> bool:
    """Whether the mean pair score between two groups' samples (their earliest members, in
    order) reaches ``floor``."""
    if len(first) == 1 and len(second) == 1:
        return True
    known, size = scorer.known, scorer.size
    total = 0.0
    pairs = len(first) * len(second)
    remaining = pairs
    for a in first:
        for b in second:
            score = known.get(a * size + b if a < b else b * size + a)
            if score is None:
                score = scorer.score(a, b) if a < b else scorer.score(b, a)
            total += score
            remaining -= 1
            if total / pairs >= floor:
                return True  # scores are never negative: the mean can only grow
            if (total + _MAX_PAIR_SCORE * remaining) / pairs < floor:
                return False
    return total / pairs >= floor
