"""Recall and precision of `tracker import` on real reports (issue 13, point 5).

For each report in tests/data/reports/ (the text and its hand-made reading), and for the
shipped 保和镇 report against its hand-made seed:
- items: the enumerated items the import finds, matched to the expected ones by their
  first words, in the same part;
- figures: the indicator drafts the rules make from each part's text, matched to the
  expected figures by value and measure;
- units: the units `units_named` finds, matched to the expected list.
Recall is matched / expected, precision matched / found (n/a when nothing was found).

    python benchmarks/import_scores.py
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from tracker.importing.rules import draft_item, section_role, units_named
from tracker.importing.structure import outline

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "tests" / "data" / "reports"


@dataclass(frozen=True)
class Score:
    expected: int
    found: int
    matched: int

    @property
    def recall(self) -> float | None:
        return self.matched / self.expected if self.expected else None

    @property
    def precision(self) -> float | None:
        return self.matched / self.found if self.found else None

    def __add__(self, other: Score) -> Score:
        return Score(
            self.expected + other.expected, self.found + other.found, self.matched + other.matched
        )


def _item_starts(text: str) -> list[tuple[int, str]]:
    """(part number, the item's text from its marker) for every item the import finds."""
    return [
        (section.number, text[item.start : item.end])
        for section in outline(text).sections
        for item in section.items
    ]


def item_score(text: str, expected: list[dict[str, object]]) -> Score:
    found = _item_starts(text)
    matched = sum(
        any(part == want["part"] and words.startswith(str(want["starts"])) for part, words in found)
        for want in expected
    )
    return Score(len(expected), len(found), matched)


def _figures(text: str) -> Counter[tuple[float, str]]:
    found: Counter[tuple[float, str]] = Counter()
    for section in outline(text).sections:
        role = section_role(section.heading)
        for draft in draft_item(text[section.start : section.end], role):
            if draft.kind.value == "indicator" and draft.baseline and draft.measure:
                found[(float(str(draft.baseline.value)), str(draft.measure.value))] += 1
    return found


def figure_score(text: str, expected: list[dict[str, object]]) -> Score:
    found = _figures(text)
    wanted = Counter((float(str(f["value"])), str(f["measure"])) for f in expected)
    return Score(sum(wanted.values()), sum(found.values()), sum((wanted & found).values()))


def unit_score(text: str, expected: list[str]) -> Score:
    found = units_named(text)
    matched = sum(any(want in name or name in want for name in found) for want in expected)
    return Score(len(expected), len(found), matched)


def corpus() -> list[tuple[str, str, dict[str, list]]]:  # type: ignore[type-arg]
    """(name, text, expected) for each report of the corpus."""
    rows = []
    for path in sorted(REPORTS.glob("*.expected.yaml")):
        slug = path.name.removesuffix(".expected.yaml")
        text = (REPORTS / f"{slug}.txt").read_text(encoding="utf-8")
        reading = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows.append((slug, text, reading))
    return rows


def shipped() -> tuple[str, Score, Score, Score]:
    """The shipped 保和镇 report against its hand-made seed: items by (part, ordinal), the
    seed's indicators by value and measure, the units it lists."""
    from tracker.services.seed_file import load_seed_file

    seed = load_seed_file(ROOT / "seed_data" / "baohe-2021.yaml")
    text, document = seed.text, seed.document
    wanted = {(c.section, c.item) for c in document.commitments}
    found = {(s.number, i.number) for s in outline(text).sections for i in s.items}
    items = Score(len(wanted), len(found), len(wanted & found))
    figures = figure_score(
        text,
        [
            {"value": c.baseline, "measure": c.measure}
            for c in document.commitments
            if c.kind.value == "indicator"
        ],
    )
    units = unit_score(text, [unit.name for unit in document.units if unit.name in text])
    return ("baohe-2021 (shipped)", items, figures, units)


def scores() -> list[tuple[str, Score, Score, Score]]:
    return [shipped()] + [
        (
            slug,
            item_score(text, reading.get("items") or []),
            figure_score(text, reading.get("figures") or []),
            unit_score(text, reading.get("units") or []),
        )
        for slug, text, reading in corpus()
    ]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="the same run (it takes seconds); for the CI check"
    )
    parser.parse_args()
    rows = scores()
    print("| report | items found/expected | recall | precision | figures | recall | precision "
          "| units | recall | precision |")  # fmt: skip
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    total = [Score(0, 0, 0)] * 3
    for slug, *parts in rows:
        total = [t + p for t, p in zip(total, parts, strict=True)]
        cells = [
            f"{p.matched}/{p.expected} ({p.found} found) | {_pct(p.recall)} | {_pct(p.precision)}"
            for p in parts
        ]
        print(f"| {slug} | " + " | ".join(cells) + " |")
    cells = [
        f"{p.matched}/{p.expected} ({p.found} found) | {_pct(p.recall)} | {_pct(p.precision)}"
        for p in total
    ]
    print("| **all** | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
