#!/usr/bin/env python3
"""Write a deterministic synthetic news corpus as a digest site folder.

    python bench/make_corpus.py --n 10000 --seed 1 --out /tmp/digest-bench/site-10000

Creates OUT/content/YYYY-MM-DD-slug.md, one file per story, with YAML front matter in
the schema of the real feed (see the seed stories): category, title, excerpt,
publishedDateTime, webUrl, ampWebUrl, cdnAmpWebUrl, type, quality, heat, published,
provider{name, domain}, topics[], images[]{url, width, height, title},
related[]{title, excerpt, publishedDateTime, webUrl, type, provider, quality, images},
secured.  About 40% of stories also carry a Markdown body (150-600 words with
paragraphs, one bulleted list, one link and some bold text).

Shape of the corpus:
  * 25 topics drawn with Zipf-like weights (1/rank), 1-3 distinct topics per story;
  * 0-2 images, 2-6 related stories per story;
  * distinct publication times spread over three years (2021-01-01 .. 2023-12-31, UTC);
  * some titles with accents, CJK, Greek, emoji, and a few with HTML-special characters.

Only OUT/content/ is replaced; anything else in OUT (a cache folder, a config file) is
left alone.  The same --n and --seed always give byte-identical files.  Stdlib only.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import shutil
import sys
import time
import unicodedata
from datetime import UTC, datetime, timedelta

#: Bumped whenever the output for a given (n, seed) changes; run.py keys its cache on it.
CORPUS_VERSION = 1

TOPICS = (
    "Artificial Intelligence", "Machine Learning", "Robotics", "Computer Vision",
    "Natural Language Processing", "Cloud Computing", "Cybersecurity", "Semiconductors",
    "Self-Driving Cars", "Data Privacy", "Healthcare AI", "Generative AI", "Quantum Computing",
    "Open Source", "Startups", "AI Regulation", "Speech Recognition", "Drones",
    "Edge Computing", "Smart Cities", "Fintech", "Climate Tech", "Space Industry",
    "Wearables", "AR and VR",
)
TOPIC_CUMULATIVE_WEIGHTS = []
_total = 0.0
for _rank in range(len(TOPICS)):
    _total += 1.0 / (_rank + 1)
    TOPIC_CUMULATIVE_WEIGHTS.append(_total)

PROVIDERS = (
    ("Reuters", "reuters.com"), ("TechCrunch", "techcrunch.com"), ("The Verge", "theverge.com"),
    ("ZDNet", "zdnet.com"), ("VentureBeat", "venturebeat.com"), ("Wired", "wired.com"),
    ("Ars Technica", "arstechnica.com"), ("BBC News", "bbc.co.uk"), ("Nature", "nature.com"),
    ("IEEE Spectrum", "spectrum.ieee.org"), ("Le Figaro", "lefigaro.fr"),
    ("Frankfurter Allgemeine", "faz.net"), ("El Mundo", "elmundo.es"),
    ("Nikkei", "nikkei.com"), ("South China Morning Post", "scmp.com"),
    ("Kathimerini", "ekathimerini.com"), ("Forbes", "forbes.com"),
    ("The Register", "theregister.com"), ("Engadget", "engadget.com"),
    ("Tom's Hardware", "tomshardware.com"), ("Neue Zürcher Zeitung", "nzz.ch"),
    ("Público", "publico.pt"), ("Heise", "heise.de"), ("AP News", "apnews.com"),
)

ACTORS = (
    "IBM", "Google", "Microsoft", "Amazon", "Apple", "Nvidia", "Intel", "AMD", "Samsung",
    "Sony", "Baidu", "Alibaba", "Tencent", "Siemens", "Bosch", "OpenAI", "Anthropic",
    "DeepMind", "Hugging Face", "A Berlin startup", "MIT researchers", "Stanford scientists",
    "The European Commission", "Regulators", "City officials", "A hospital network",
    "Café chain Brûlerie", "Société Générale", "Zürich-based Açaí Labs", "Málaga council",
    "ソニー", "百度", "Αθήνα researchers", "Θεσσαλονίκη startup", "Łódź engineers",
)
VERBS = (
    "unveils", "launches", "acquires", "invests in", "abandons", "tests", "expands",
    "pauses", "open-sources", "criticises", "rolls out", "bets on", "rethinks", "delays",
    "partners on", "cuts funding for", "doubles down on", "questions",
)
THINGS = (
    "facial recognition", "a new language model", "warehouse robots", "a self-driving taxi",
    "an AI chip", "a voice assistant", "an ethics board", "a medical imaging tool",
    "delivery drones", "a fraud detector", "a translation service", "a quantum processor",
    "smart traffic lights", "an open dataset", "a coding assistant", "satellite imaging",
    "a privacy sandbox", "edge inference hardware", "a climate model", "AR glasses",
)
ENDINGS = (
    "", "", "", "", "", " amid privacy concerns", " after criticism", " in Europe",
    " for $2 billion", ", sources say", ": what it means", " (analysis)", " — again",
    " despite “safety” worries", " with partners", " in 東京", " στην Ελλάδα",
    " 🚀", " 🤖", " à la française", " for São Paulo", " über alles?",
    ' & "friends"', " <beta>",
)

WORDS = (  # noqa: SIM905  (a word list reads better as prose)
    "the a of and to in for with on by from that this which while also more new "
    "model data training inference network researchers system accuracy dataset benchmark "
    "cloud deployment privacy regulation camera sensor algorithm pipeline compute latency "
    "startup funding partnership release evaluation bias fairness safety robot vehicle "
    "language vision speech policy customers platform developers hardware chip performance "
    "scale production industry market users pilot program study results team engineers "
    "company announced said reported according quarter growth analysts investors officials "
    "patients hospitals cities traffic energy emissions satellites lawmakers court ruling"
).split()
RARE_WORDS = ("naïve", "café", "déjà vu", "façade", "Zürich", "résumé", "Ελλάδα", "東京",
              "coöperate", "piñata", "Øresund", "–", "“so-called”")
SECTIONS = ("tech", "business", "science", "world", "europe", "asia", "markets")

START = datetime(2021, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 3 * 365 * 24 * 3600


def slugify(text: str) -> str:
    """ASCII slug: accents folded, other characters dropped, at most 70 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:70].rstrip("-") or "story"


def quote(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    if '"' in text or "\\" in text:
        return json.dumps(text, ensure_ascii=False)
    return f'"{text}"'  # no control characters in our vocabulary


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def pick_topics(rng: random.Random) -> list[str]:
    count = rng.choice((1, 1, 1, 2, 2, 3))
    chosen: list[str] = []
    while len(chosen) < count:
        topic = rng.choices(TOPICS, cum_weights=TOPIC_CUMULATIVE_WEIGHTS)[0]
        if topic not in chosen:
            chosen.append(topic)
    return chosen


def make_sentence(rng: random.Random, low: int, high: int, rare: float = 0.0) -> str:
    """LOW..HIGH words; with chance RARE per word, one of them is a non-ASCII word."""
    words = rng.choices(WORDS, k=rng.randint(low, high))
    if rare and rng.random() < rare * len(words):
        words[rng.randrange(len(words))] = rng.choice(RARE_WORDS)
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def make_title(rng: random.Random) -> str:
    return f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(THINGS)}{rng.choice(ENDINGS)}"


def make_body(rng: random.Random) -> str:
    """150-600 words: paragraphs, one bulleted list, one link, some bold."""
    budget = rng.randint(185, 580)  # the closing link paragraph adds about 8 words
    list_at = rng.randint(1, 3)
    paragraphs: list[str] = []
    words = 0
    while True:
        if len(paragraphs) == list_at:
            items = [make_sentence(rng, 3, 9) for _ in range(rng.randint(3, 5))]
            paragraphs.append("\n".join(f"- {item}" for item in items))
            words += sum(item.count(" ") + 1 for item in items)
            continue
        sentences: list[str] = []
        for _ in range(rng.randint(2, 5)):
            sentence = make_sentence(rng, 8, 22, rare=0.02)
            size = sentence.count(" ") + 1
            if words + size > budget:
                break
            sentences.append(sentence)
            words += size
        if not sentences:
            break
        if not paragraphs:
            sentences[0] = f"**{sentences[0][:-1]}**."
        paragraphs.append(" ".join(sentences))
    if len(paragraphs) <= list_at:  # the budget ran out before the list's turn
        paragraphs.append("- " + make_sentence(rng, 3, 6) + "\n- " + make_sentence(rng, 3, 6))
    link = f"https://example.org/{rng.choice(SECTIONS)}/{rng.randrange(10**6)}"
    paragraphs.append(f"Read more in [the full {rng.choice(WORDS)} report]({link}).")
    return "\n\n".join(paragraphs) + "\n"


def make_image(rng: random.Random, domain: str, indent: str, title: str | None) -> list[str]:
    width = rng.choice((640, 800, 1024, 1200, 1600))
    height = int(width * rng.choice((0.5, 0.5625, 0.666, 0.75)))
    url = f"https://images.{domain}/media/{rng.randrange(16**8):08x}.jpg"
    lines = [f"{indent}- url: {quote(url)}", f"{indent}  width: {width}",
             f"{indent}  height: {height}"]
    if title is not None:
        lines.append(f"{indent}  title: {quote(title)}")
    return lines


def make_related(rng: random.Random, published: datetime) -> list[str]:
    name, domain = rng.choice(PROVIDERS)
    title = make_title(rng)
    when = published - timedelta(seconds=rng.randrange(60, 72 * 3600))
    url = f"https://www.{domain}/{rng.choice(SECTIONS)}/{slugify(title)}-{rng.randrange(10**6)}"
    lines = [f"  - title: {quote(title)}",
             f"    excerpt: {quote(make_sentence(rng, 12, 30)[:-1] + ' ...')}",
             f"    publishedDateTime: {iso(when)}",
             f"    webUrl: {quote(url)}"]
    if rng.random() < 0.5:
        lines.append(f"    ampWebUrl: {quote(url + '/amp')}")
    lines += ["    type: article", "    provider:", f"      name: {quote(name)}",
              f"      domain: {domain}", f"    quality: {rng.randint(5, 99)}"]
    if rng.random() < 0.6:
        lines.append("    images:")
        lines += make_image(rng, domain, "      ", None)
    return lines


def make_story(rng: random.Random, published: datetime, slug_base_seen: dict[str, int]
               ) -> tuple[str, str]:
    """Return (file name, file text) for one story."""
    title = make_title(rng)
    base = slugify(title)
    seen = slug_base_seen.get(base, 0) + 1
    slug_base_seen[base] = seen
    slug = base if seen == 1 else f"{base}-{seen}"
    name, domain = rng.choice(PROVIDERS)
    article_id = rng.randrange(10**5, 10**7)
    path = f"{rng.choice(SECTIONS)}/{slug}-{article_id}"
    amp_host = f"amp.{domain}"
    cdn_host = amp_host.replace(".", "-") + ".cdn.ampproject.org"
    lines = [
        "---", "category: news", f"title: {quote(title)}",
        f"excerpt: {quote(make_sentence(rng, 15, 45, rare=0.03)[:-1] + ' ...')}",
        f"publishedDateTime: {iso(published)}",
        f"webUrl: {quote(f'https://www.{domain}/{path}')}",
        f"ampWebUrl: {quote(f'https://{amp_host}/{path}')}",
        f"cdnAmpWebUrl: {quote(f'https://{cdn_host}/c/s/{amp_host}/{path}')}",
        "type: article", f"quality: {rng.randint(5, 99)}",
        f"heat: {rng.choice((-1, -1, -1, 0, rng.randint(1, 900)))}",
        f"published: {'true' if rng.random() < 0.3 else 'false'}", "",
        "provider:", f"  name: {quote(name)}", f"  domain: {domain}", "", "topics:",
    ]
    lines += [f"  - {topic}" for topic in pick_topics(rng)]
    image_count = rng.choice((0, 1, 1, 1, 2))
    if image_count:
        lines += ["", "images:"]
        for _ in range(image_count):
            lines += make_image(rng, domain, "  ", title)
    lines += ["", "related:"]
    for _ in range(rng.randint(2, 6)):
        lines += make_related(rng, published)
    secured = base64.b64encode(rng.randbytes(rng.randint(32, 96))).decode()
    lines += ["", f"secured: {quote(secured)}", "---"]
    text = "\n".join(lines) + "\n"
    if rng.random() < 0.4:
        text += "\n" + make_body(rng)
    return f"{published:%Y-%m-%d}-{slug}.md", text


def write_corpus(*, count: int, seed: int, site: str) -> str:
    """Replace SITE/content with COUNT stories; return the content folder."""
    content = os.path.join(site, "content")
    if os.path.isdir(content):
        shutil.rmtree(content)
    os.makedirs(content)
    rng = random.Random(f"digest-corpus/{CORPUS_VERSION}/{seed}")
    offsets = rng.sample(range(SPAN_SECONDS), count)  # distinct: a total order by date
    slug_base_seen: dict[str, int] = {}
    for offset in offsets:
        published = START + timedelta(seconds=offset)
        file_name, text = make_story(rng, published, slug_base_seen)
        with open(os.path.join(content, file_name), "wb") as handle:
            handle.write(text.encode("utf-8"))
    return content


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of stories")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", required=True, help="site folder; OUT/content/ is replaced")
    args = parser.parse_args(argv)
    if not 1 <= args.n <= SPAN_SECONDS:
        parser.error(f"--n must be between 1 and {SPAN_SECONDS}, got {args.n}")
    started = time.perf_counter()
    content = write_corpus(count=args.n, seed=args.seed, site=args.out)
    print(f"wrote {args.n} stories to {content} in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
