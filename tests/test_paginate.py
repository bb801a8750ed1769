"""``pages.paginate`` and ``pages.Pager``: how a listing is cut into pages and numbered."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from generator.config import NEWEST_FIRST, STABLE
from generator.pages import Pager, paginate

items = st.lists(st.integers(), max_size=60)
sizes = st.integers(min_value=1, max_value=8)


@given(items, sizes, st.sampled_from([STABLE, NEWEST_FIRST]))
def test_every_item_is_on_one_page_in_order(listed: list[int], size: int,
                                            pagination: str) -> None:
    pages = paginate(listed, size, pagination)
    assert [item for _number, chunk in pages for item in chunk] == listed
    numbers = [number for number, _chunk in pages]
    expected = range(1, len(pages) + 1)
    assert numbers == (list(expected) if pagination == NEWEST_FIRST else list(reversed(expected)))


@given(items, sizes)
def test_numbered_from_the_oldest_the_older_pages_are_full_and_the_first_holds_the_rest(
        listed: list[int], size: int) -> None:
    (front, first), *older = paginate(listed, size, STABLE)
    assert front == len(older) + 1
    assert all(len(chunk) == size for _number, chunk in older)
    assert len(first) == len(listed) if len(listed) < 2 * size else size <= len(first) < 2 * size


@given(items, sizes, st.integers())
def test_an_added_newest_item_leaves_every_older_page_as_it_was(
        listed: list[int], size: int, added: int) -> None:
    before = dict(paginate(listed, size, STABLE)[1:])
    after = dict(paginate([added, *listed], size, STABLE)[1:])
    assert {number: after[number] for number in before} == before
    assert len(after) - len(before) in (0, 1)


def test_newest_first_pages_shift_when_an_item_is_added() -> None:
    assert paginate([3, 2, 1], 2, NEWEST_FIRST) == [(1, [3, 2]), (2, [1])]
    assert paginate([4, 3, 2, 1], 2, NEWEST_FIRST) == [(1, [4, 3]), (2, [2, 1])]
    assert paginate([], 2, NEWEST_FIRST) == paginate([], 2, STABLE) == [(1, [])]


def test_a_pager_links_newer_and_older_pages_in_either_numbering() -> None:
    hugo = [Pager(n, 3, "topics/ai/") for n in (1, 2, 3)]
    assert [(p.path_of(p.number), p.previous_path, p.next_path, p.older_number)
            for p in hugo] == [
        ("topics/ai/", None, "topics/ai/page/2/", 2),
        ("topics/ai/page/2/", "topics/ai/", "topics/ai/page/3/", 3),
        ("topics/ai/page/3/", "topics/ai/page/2/", None, None)]
    stable = [Pager(n, 3, "topics/ai/", newest_first=False) for n in (3, 2, 1)]
    assert [(p.path_of(p.number), p.previous_path, p.next_path, p.older_number, p.is_front)
            for p in stable] == [
        ("topics/ai/", None, "topics/ai/page/2/", 2, True),
        ("topics/ai/page/2/", "topics/ai/", "topics/ai/page/1/", 1, False),
        ("topics/ai/page/1/", "topics/ai/page/2/", None, None, False)]
    assert [p.shows_total for p in stable] == [True, False, False]
    assert all(p.shows_total for p in hugo)
    assert hugo[1].shown(hugo[1].shows_total) != Pager(2, 4, "topics/ai/").shown(True)  # (a
    # page that shows the count: a page more changes it)
    oldest = Pager(1, 3, "topics/ai/", newest_first=False)
    assert oldest.shown(oldest.shows_total) == Pager(1, 4, "topics/ai/", newest_first=False
                                                     ).shown(False)  # (a page
    # more changes neither its number nor its neighbours)
    assert stable[1].shown(False) != Pager(2, 4, "topics/ai/", newest_first=False
                                           ).shown(False)  # (its
    # newer neighbour is no longer the first page)
