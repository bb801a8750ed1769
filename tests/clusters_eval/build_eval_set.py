"""Build ``eval_set.json``, the labelled evaluation set for event clustering.

    python -m tests.clusters_eval.build_eval_set [--shared /work/shared]

Sources, each story with a gold ``event`` label set by hand:
- every real item of ``shared/corpus/*.md`` (most report distinct events);
- the four front-matter seeds of ``shared/seeds/`` (one event: IBM leaves facial recognition);
- the entries of those items' ``related[]`` lists, promoted to stories of their own (real
  headlines, excerpts, dates and providers: many are other outlets' coverage of the same
  event, others are merely on the same topic or company);
- ``variants.yaml``: hand-written stories in real coverage patterns.

The output is committed, so the tests do not need ``shared/``. Labels live here, in
``EVENT_BY_KEY_PREFIX`` (corpus and seed items) and ``EVENT_BY_URL`` (related entries,
by a distinctive piece of their webUrl); everything unlabelled is its own event.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent

EVENT_BY_KEY_PREFIX = {
    "seed-000": "ibm-exits-facial-recognition",
    "seed-001": "ibm-exits-facial-recognition",
    "seed-003": "ibm-exits-facial-recognition",
    "seed-004": "ibm-exits-facial-recognition",
    "2021-06-11-google-claims-it-is-using-ai-": "google-ai-chip-floorplans",
    "2021-08-05-ireland-joins-3m-european-eth": "ireland-ethical-ai-masters",
    "2021-08-11-microsoft-is-using-ml-to-help": "ms-fusion-ransomware",
    "2023-12-14-openais-ilya-sutskever-has-a-": "openai-superalignment-paper",
    "2023-12-15-krutrim-indias-own-ai-model-l": "ola-krutrim-launch",
    "2024-02-26-feature-singapore-embraces-ai": "singapore-ai-feature",
    "2021-03-11-hugging-face-raises-40-millio": "hugging-face-series-b",
    "2021-08-10-computer-vision-startup-zebra": "zebra-nanox",
    "2021-03-04-mediatek-mt9638-ai-chip-will-": "mediatek-mt9638",
    "2024-02-28-please-include-csiro-ai-and-a": "csiro-ai-competition",
    "2021-03-04-prosthetic-offers-real-time-m": "prosthetic-nerve-signals",
    "2021-03-05-azure-arc-enabled-machine-lea": "azure-arc-ml-preview",
    "2021-03-09-alphabets-waymo-says-its-tech": "waymo-crash-simulation",
    "2024-02-01-exclusive-ai-healthcare-softw": "cohere-health-series-b",
    "2021-03-11-electrifai-achieves-aws-machi": "electrifai-aws-competency",
    "2021-08-11-first-look-at-teslas-new-visi": "tesla-vision-autopark",
}
"""Gold event of real items that share their event with other stories, by key prefix."""

EVENT_BY_URL = {
    # IBM leaves facial recognition, 2020-06-08/09 (the House bill is a different event)
    "ibm-announces-exit-of-facial-recognition": "ibm-exits-facial-recognition",
    "us-ibm-facial-recognition-idUSKBN23G01T": "ibm-exits-facial-recognition",
    "ibm-exits-facial-recognition-business-calls-for-police": "ibm-exits-facial-recognition",
    "ibm-is-exiting-the-face-recognition-business": "ibm-exits-facial-recognition",
    "ibm-turns-away-facial-recognition": "ibm-exits-facial-recognition",
    "knowtechie.com/?p=121777": "ibm-exits-facial-recognition",
    "ibm-ends-all-facial-recognition-work": "ibm-exits-facial-recognition",
    "ibm-stop-selling-facial-recognition": "ibm-exits-facial-recognition",
    # Google's chip-floorplanning paper in Nature, 2021-06-09
    "google-says-its-ai-is-much-faster": "google-ai-chip-floorplans",
    "google-has-used-ai-to-gamify": "google-ai-chip-floorplans",
    "google-using-artificial-intelligence-to-design": "google-ai-chip-floorplans",
    "google-is-using-ai-to-design-processors": "google-ai-chip-floorplans",
    "d41586-021-01558-y": "google-ai-chip-floorplans",
    "d41586-021-01515-9": "google-ai-chip-floorplans",
    "google-uses-ai-to-speed-up-chip-design": "google-ai-chip-floorplans",
    "google-using-ai-design-chips-faster": "google-ai-chip-floorplans",
    "iphoneincanada.ca/news/google-ai-chips": "google-ai-chip-floorplans",
    "artificial-intelligence-may-be-better-humans": "google-ai-chip-floorplans",
    # others
    "ireland-at-centre-of-3m-european": "ireland-ethical-ai-masters",
    "embodied-ai-superintelligence-and-the-master": "embodied-ai-op-ed",
    "254584-embodied-ai-superintelligence": "embodied-ai-op-ed",
    "microsoft-releases-fusion-ransomware": "ms-fusion-ransomware",
    "microsoft-announces-new-ransomware-detection": "ms-fusion-ransomware",
    "microsoft-introduces-ransomware-detection": "ms-fusion-ransomware",
    "microsoft-adds-fusion-ransomware": "ms-fusion-ransomware",
    "microsoft-reveals-new-solution-to-identify": "ms-fusion-ransomware",
    "openais-plan-to-prevent-superintelligent": "openai-superalignment-paper",
    "ola-founder-bhavish-aggarwal-launches": "ola-krutrim-launch",
    "news/general/krutrim-indias-own-ai-model": "ola-krutrim-launch",
    "singapore-embraces-ai-to-solve-everyday": "singapore-ai-feature",
    "microsoft-invest-32-bln-eur-germany": "ms-germany-investment",
    "microsoft-to-inject-e3b-in-germany": "ms-germany-investment",
    "microsoft-to-invest-32bn-in-doubling": "ms-germany-investment",
    "Microsoft-Germany-investment-AI-data-centers": "ms-germany-investment",
    "identify-and-disrupt-nation-state-cyber": "ms-openai-state-hackers",
    "foreign-adversaries-are-using-generative": "ms-openai-state-hackers",
    "north-korea-iran-ai-hacking-microsoft": "ms-openai-state-hackers",
    "microsofts-ai-growth-is-helping-cloud": "ms-cloud-gains-on-aws",
    "microsoft-ai-growth-helping-azure-cloud": "ms-cloud-gains-on-aws",
    "microsofts-ai-push-closing-the-gap": "ms-cloud-gains-on-aws",
    "microsoft-vision-net-9-development": "dotnet-9-plans",
    "microsoft-reveals-whats-to-come-in-net-9": "dotnet-9-plans",
    "microsoft-cloud-for-sustainability-gains": "ms-sustainability-ai",
    "drive-sustainability-transformation-faster": "ms-sustainability-ai",
}
"""Gold event of promoted ``related[]`` entries, by a distinctive piece of their webUrl."""


def main() -> None:
    """Write eval_set.json next to this file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared"))
    args = parser.parse_args()
    stories = build_stories(args.shared)
    text = json.dumps(stories, ensure_ascii=False, indent=1, sort_keys=True)
    (HERE / "eval_set.json").write_text(text + "\n", encoding="utf-8")


def build_stories(shared: Path) -> list[dict[str, Any]]:
    """All labelled stories, sorted by key; related entries deduplicated by webUrl."""
    stories: dict[str, dict[str, Any]] = {}
    seen_urls: set[str] = set()
    items = [(p.stem, p) for p in sorted((shared / "corpus").glob("*.md")) if p.name != "README.md"]
    items += [(f"seed-{p.name[:3]}", p) for p in sorted((shared / "seeds").glob("*.txt"))]
    for key, path in items:
        front = read_front_matter(path)
        if front is None:
            continue  # the plain-text seed body: the site merges it into seed 000
        story = make_story(key, front, topics=front.get("topics") or [])
        story["event"] = next((e for k, e in EVENT_BY_KEY_PREFIX.items() if key.startswith(k)), key)
        stories[key] = story
        seen_urls.update(story["urls"])
    for _key, path in items:
        front = read_front_matter(path)
        for entry in (front or {}).get("related") or []:
            url = entry.get("webUrl") or ""
            if not url or url in seen_urls:
                continue
            seen_urls.add(url)
            rkey = "rel-" + slug(f"{provider_of(entry)}-{entry.get('title', '')}")[:70]
            story = make_story(rkey, entry, topics=(front or {}).get("topics") or [])
            story["event"] = next((e for k, e in EVENT_BY_URL.items() if k in url), rkey)
            stories[rkey] = story
    for variant in yaml.safe_load((HERE / "variants.yaml").read_text(encoding="utf-8")):
        variant["published"] = _iso(variant["published"])
        stories[variant["key"]] = {
            "related_urls": [],
            "related_titles": [],
            "quality": None,
            "has_image": False,
            "has_body": False,
            **variant,
        }
    return [stories[k] for k in sorted(stories)]


def read_front_matter(path: Path) -> dict[str, Any] | None:
    """The YAML front matter of a news item, or None for a file without one."""
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"^---\s*$", text, maxsplit=2, flags=re.M)
    if not text.startswith("---") or len(parts) < 3:
        return None
    data = yaml.safe_load(parts[1])
    return data if isinstance(data, dict) else None


def make_story(key: str, data: dict[str, Any], *, topics: list[str]) -> dict[str, Any]:
    """One story record in the shape of ClusterDoc (without the gold label)."""
    related = data.get("related") or []
    urls = [data[f] for f in ("webUrl", "originalUrl", "ampWebUrl", "cdnAmpWebUrl") if data.get(f)]
    return {
        "key": key,
        "title": str(data.get("title") or ""),
        "text": str(data.get("excerpt") or ""),
        "provider": provider_of(data),
        "published": _iso(data["publishedDateTime"]),
        "urls": urls,
        "related_urls": [r["webUrl"] for r in related if r.get("webUrl")],
        "related_titles": [str(r["title"]) for r in related if r.get("title")],
        "topics": [str(t) for t in topics],
        "quality": data.get("quality"),
        "has_image": bool(data.get("images")),
        "has_body": False,
    }


def provider_of(data: dict[str, Any]) -> str:
    """The provider's domain, else its name, else ''."""
    provider = data.get("provider") or {}
    return str(provider.get("domain") or provider.get("name") or "")


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _iso(value: Any) -> str:
    """A YAML timestamp (datetime or string) as an ISO 8601 string in UTC."""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("+00:00", "Z")


if __name__ == "__main__":
    main()
