"""Benchmark event clustering and computed related stories on synthetic stories.

    python -m bench.bench_clusters [--sizes 10000 100000] [--repeat 3] [--seed 1]
                                   [--incremental 10000]

Stories are made in memory, deterministically, in the shape of the news corpus
(titles combined from subjects, verbs, objects and tails; an excerpt of filler words;
40% with a body; 1-3 Zipf-weighted topics; 2-6 related entries; dates over 3 years).
Prints, per size, the median wall and CPU time of a clean computation (clusters and
5 related stories per story; the CPU time counts the children that a run of 3000+
stories forks); and, at the ``--incremental`` size, of an update from the previous state
after editing, adding or deleting one story (plus the state's marshal size and load time,
which a fresh build process pays first).

The engine is fed the way a build feeds it, so the figures time what a build runs:

- the stories' digests are made before timing (a site has them from its files);
- the docs hold the comparison keys a build's story summaries already have (``link_key``
  of each canonical address and normalised title, see ``generator.events.cluster_doc``),
  made before timing, so the engine compares them as given instead of canonicalising
  every address and title itself (``--raw-keys`` times that slower path instead);
- the cyclic garbage collector is paused while timing, as ``build()`` pauses it while
  modeling the site (``--gc`` leaves it running).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import marshal
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from generator.cluster_engine import EngineState, StoryInput, update_engine
from generator.cluster_text import normalize_title
from generator.cluster_urls import canonicalize_url
from generator.clusters import ClusterDoc
from generator.summary import link_key

TOPICS = [
    "AI", "Machine Learning", "Computer Vision", "NLP", "Robotics", "Deep Learning", "IBM AI",
    "AWS AI", "Google AI", "Microsoft AI", "Autonomous Vehicles", "AI Ethics", "Healthcare AI",
    "Chatbots", "Reinforcement Learning", "Edge AI", "AI Chips", "Data Science",
    "Speech Recognition", "Facial Recognition", "Generative AI", "AI Policy", "Drones",
    "Quantum Computing", "Smart Cities",
]  # fmt: skip
PROVIDERS = [
    "jpost.com", "zdnet.com", "venturebeat.com", "techcrunch.com", "theverge.com", "wired.com",
    "technologyreview.com", "reuters.com", "bbc.co.uk", "lemonde.fr", "heise.de", "forbes.com",
    "arstechnica.com", "theregister.com", "engadget.com", "cnet.com", "nature.com",
]  # fmt: skip
SUBJECTS = [
    "IBM", "Amazon", "Google", "Microsoft", "Nvidia", "OpenAI", "Meta", "Apple", "Baidu",
    "Tesla", "DeepMind", "Intel", "Samsung", "A startup", "Researchers", "Regulators", "The EU",
    "Police departments", "Hospitals", "Universities", "Zürich startup", "São Paulo lab",
    "Société Générale", "東京大学", "Kraków engineers", "Montréal institute",
]  # fmt: skip
VERBS = [
    "exits", "unveils", "launches", "bets on", "rethinks", "pauses", "expands", "open-sources",
    "invests in", "warns about", "tests", "scales back", "doubles down on", "acquires",
    "questions", "rolls out", "audits", "bans",
]  # fmt: skip
OBJECTS = [
    "facial recognition business", "a new language model", "robot warehouse",
    "self-driving pilot", "AI chip", "speech assistant", "ethics board", "cloud vision API",
    "medical imaging tool", "drone delivery", "fraud detector", "recommendation engine",
    "translation service", "quantum roadmap", "data-labelling program",
    "chatbot for customers", "smart-city sensors", "reinforcement learning benchmark",
    "edge inference kit", "AI policy",
]  # fmt: skip
TAILS = [
    "", "", "", ", calls for police reform", " amid privacy concerns", " after backlash",
    " in Europe", " — analysts are naïve about it", " despite “hype”", " for $1B",
    ": what it means", " (report)", " & partners", ", sources say", " before 2022",
]  # fmt: skip
_FILLER = (
    "model data training inference network researchers system accuracy dataset benchmark "
    "cloud deployment privacy regulation camera sensor algorithm pipeline compute latency "
    "startup funding partnership release open source evaluation bias fairness safety robot "
    "vehicle language vision speech policy customers platform developers hardware chip "
    "performance scale production industry market users pilot program study results team "
    "engineers company announced said reported according quarter growth the a of and to in "
    "for with on by from that this which while however because also more new first large"
)
WORDS = _FILLER.split()
START = datetime(2019, 1, 1, tzinfo=UTC)
TOPIC_WEIGHTS = [1.0 / (rank + 1) for rank in range(len(TOPICS))]


def make_docs(count: int, seed: int) -> list[ClusterDoc]:
    """``count`` synthetic stories; the same count and seed give the same stories."""
    rng = random.Random(seed)
    minutes = rng.sample(range(3 * 365 * 24 * 60), count)
    return [make_doc(rng, index, minute) for index, minute in enumerate(minutes)]


def make_doc(rng: random.Random, index: int, minute: int) -> ClusterDoc:
    """One synthetic story."""
    title = make_title(rng)
    provider = rng.choice(PROVIDERS)
    text = sentence(rng, 18, 40)
    if rng.random() < 0.4:
        text += " " + " ".join(sentence(rng, 8, 22) for _ in range(rng.randint(8, 25)))
    related = [make_title(rng) for _ in range(rng.randint(2, 6))]
    topics: list[str] = []
    while len(topics) < rng.choice((1, 1, 2, 2, 2, 3)):
        topic = rng.choices(TOPICS, weights=TOPIC_WEIGHTS)[0]
        if topic not in topics:
            topics.append(topic)
    slug = f"story-{index}"
    return ClusterDoc(
        key=slug,
        title=title,
        text=text,
        provider=provider,
        published=START + timedelta(minutes=minute),
        urls=(f"https://www.{provider}/tech/{slug}", f"https://m.{provider}/{slug}/amp"),
        related_urls=tuple(f"https://www.example.org/article/{i}-{index}" for i in range(3)),
        related_titles=tuple(related),
        topics=tuple(topics),
        quality=rng.randint(10, 99),
        has_image=rng.random() < 0.8,
        has_body=rng.random() < 0.4,
    )


def with_built_keys(doc: ClusterDoc) -> ClusterDoc:
    """``doc`` as a build hands it to the engine: addresses and titles replaced by the
    ``link_key`` of their canonical forms (as ``summary`` makes and ``cluster_doc`` passes)."""
    return replace(
        doc,
        urls=tuple(link_key(canonicalize_url(u)) for u in doc.urls if u),
        related_urls=tuple(k for u in doc.related_urls if (k := link_key(canonicalize_url(u)))),
        related_titles=tuple(k for t in doc.related_titles if (k := link_key(normalize_title(t)))),
        title_key=link_key(normalize_title(doc.title)),
    )


def make_title(rng: random.Random) -> str:
    """A headline combined from a subject, a verb, an object and a tail."""
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(TAILS)}"


def sentence(rng: random.Random, low: int, high: int) -> str:
    """A capitalised sentence of filler words."""
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def run_engine(previous: EngineState | None, docs: list[ClusterDoc]) -> EngineState:
    """Clusters and related stories of ``docs``, reusing ``previous``."""
    return run_inputs(previous, make_inputs(docs))


def make_inputs(docs: list[ClusterDoc], *, built: bool = False) -> list[StoryInput]:
    """The engine's inputs for ``docs`` (a site has its stories' digests before clustering:
    the hashes of their files), each doc with a build's keys if ``built``."""
    return [(d.key, digest(d), supply(with_built_keys(d) if built else d)) for d in docs]


def supply(doc: ClusterDoc) -> Callable[[], ClusterDoc]:
    """A ``make_doc`` that hands over ``doc``, already made."""
    return lambda: doc


def run_inputs(previous: EngineState | None, inputs: list[StoryInput]) -> EngineState:
    """Clusters and related stories of ``inputs``, reusing ``previous``."""
    return update_engine(previous, inputs, threshold=0.36, window_days=4.0, related_count=5)


def digest(doc: ClusterDoc) -> str:
    """Hash of a doc's fields (what a caller's story digest stands for)."""
    return hashlib.blake2b(repr(doc).encode(), digest_size=16).hexdigest()


def timed(work: Callable[[], object], repeat: int, *, collect: bool = False
          ) -> tuple[float, float, float]:
    """Median wall and CPU seconds of ``work``, and the median wall seconds of releasing
    its result, the cyclic GC paused unless ``collect``
    (CPU of this process and of the children it forked and waited for: a large run splits
    its work across two processes).

    The first clock stops when ``work`` returns, before its result is released: releasing
    the engine state is timed apart (0.5 s at 100,000 stories). A build keeps the state
    until it has saved it for the next build, then releases it."""
    walls, cpus, releases = [], [], []
    for _ in range(repeat):
        gc.collect()
        if not collect:
            gc.disable()
        try:
            wall, cpu = time.perf_counter(), cpu_seconds()
            result = work()
            walls.append(time.perf_counter() - wall)
            cpus.append(cpu_seconds() - cpu)
            release = time.perf_counter()
            del result
            releases.append(time.perf_counter() - release)
        finally:
            gc.enable()
    return statistics.median(walls), statistics.median(cpus), statistics.median(releases)


def cpu_seconds() -> float:
    """CPU seconds used so far by this process (to the microsecond) and by its waited-for
    children (to the clock tick, 10 ms: they only run in large computations)."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


def bench_incremental(docs: list[ClusterDoc], repeat: int, *, built: bool, collect: bool
                      ) -> None:
    """Print update times after one edit, one addition and one deletion (``built``: feed
    docs with a build's keys, see :func:`with_built_keys`)."""
    state = run_inputs(None, make_inputs(docs, built=built))
    data = marshal.dumps(state.to_data())  # type: ignore[arg-type]
    load = timed(lambda: EngineState.from_data(marshal.loads(data)), repeat, collect=collect)
    print(f"  state: {len(data) / 1e6:.1f} MB marshalled; load {load[0] * 1000:.0f} ms "
          f"(cpu {load[1] * 1000:.0f} ms)")
    rng = random.Random(9)
    middle = len(docs) // 2
    edited = list(docs)
    edited[middle] = replace(docs[middle], title=make_title(rng))
    extra = make_doc(rng, len(docs), 3 * 365 * 24 * 60 // 2)
    cases = {
        "edit one": edited,
        "add one": [*docs, extra],
        "delete one": docs[:middle] + docs[middle + 1 :],
        "nothing changed": docs,
    }
    digests = {d.key: digest(d) for d in docs}
    original = {d.key: d for d in docs}
    fed = {d.key: with_built_keys(d) if built else d for d in docs}
    for name, changed in cases.items():
        inputs: list[StoryInput] = []
        for doc in changed:
            unchanged = original.get(doc.key) is doc
            given = fed[doc.key] if unchanged else with_built_keys(doc) if built else doc
            inputs.append((doc.key, digests[doc.key] if unchanged else digest(doc),
                           supply(given)))
        wall, cpu, _ = timed(lambda inputs=inputs: update_engine(  # type: ignore[misc]
            state, inputs, threshold=0.36, window_days=4.0, related_count=5), repeat,
            collect=collect)
        print(f"  update after {name:<15}: {wall * 1000:6.1f} ms (cpu {cpu * 1000:6.1f} ms)")


def main() -> None:
    """Print the median times for each size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--incremental", type=int, default=10_000)
    parser.add_argument("--raw-keys", action="store_true",
                        help="feed raw addresses and titles for the engine to canonicalise")
    parser.add_argument("--gc", action="store_true",
                        help="leave the cyclic garbage collector running while timing")
    args = parser.parse_args()
    for size in args.sizes:
        docs = make_docs(size, args.seed)
        inputs = make_inputs(docs, built=not args.raw_keys)
        wall, cpu, release = timed(lambda inputs=inputs: run_inputs(None, inputs),  # type: ignore[misc]
                                   args.repeat, collect=args.gc)
        state = run_inputs(None, inputs)
        print(f"N={size:>7}: clean {wall:6.2f} s (cpu {cpu:6.2f} s), median of {args.repeat}; "
              f"{len(state.events)} clusters; then {release:4.2f} s to release the state")
    if args.incremental:
        print(f"N={args.incremental:>7}, incremental (median of {args.repeat}):")
        bench_incremental(make_docs(args.incremental, args.seed), args.repeat,
                          built=not args.raw_keys, collect=args.gc)


if __name__ == "__main__":
    main()
