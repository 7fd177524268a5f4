"""A synthetic news archive for load and scale-out tests: many independent stories, each a claim,
a later denial and reader comments, written from templates with a fixed seed.

    claimwatch synth OUT.jsonl --stories 40 --seed 7

Each story draws its own names (countries, people, companies) so that stories do not restate each
other; within a story, a wire report makes the claim, other outlets repeat or deny it over the next
hours, and readers comment under the first report. The text is template English, not news: it
exercises the pipeline (enrichment, claim clustering, denials across outlets and partitions), it
does not measure detection quality (``claimwatch evaluate`` does that on human-labelled data).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

COUNTRIES = [
    "Albania", "Armenia", "Bolivia", "Botswana", "Chile", "Colombia", "Croatia", "Ecuador", "Estonia",
    "Ethiopia", "Finland", "Georgia", "Ghana", "Guatemala", "Honduras", "Iceland", "Jamaica", "Kenya",
    "Latvia", "Lithuania", "Malawi", "Mongolia", "Morocco", "Namibia", "Nepal", "Nicaragua", "Norway",
    "Panama", "Paraguay", "Peru", "Portugal", "Romania", "Rwanda", "Senegal", "Serbia", "Slovakia",
    "Slovenia", "Tanzania", "Tunisia", "Uganda", "Uruguay", "Zambia",
]
FIRST = ["Anna", "Boris", "Carla", "Daniel", "Elena", "Farid", "Greta", "Hassan", "Irene", "Jonas", "Katya",
         "Luis", "Maria", "Nikolai", "Olga", "Pavel", "Rosa", "Samir", "Tomas", "Ursula", "Viktor", "Yusuf"]
LAST = ["Alvarez", "Berger", "Costa", "Dimitrov", "Eriksen", "Fischer", "Garcia", "Horvat", "Ivanova",
        "Jansen", "Kovac", "Lindqvist", "Moreno", "Novak", "Okafor", "Petrov", "Quispe", "Rossi", "Silva",
        "Tanaka", "Urbina", "Varga", "Weber", "Zielinski"]
COMPANY = ["Northwind", "Bluepeak", "Corvid", "Dunmore", "Elmstone", "Foxglove", "Granite", "Harbor",
           "Ironwood", "Juniper", "Kestrel", "Lakeside", "Meridian", "Nimbus", "Oakridge", "Pinecrest"]
WIRES = ["Global Wire", "Continental Press", "Daily Ledger", "Evening Courier", "Morning Herald", "World Report"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


@dataclass(frozen=True)
class Frame:
    """One kind of story: the claim, who repeats it, the denial, a non-confirmation, and comments."""

    title: str
    claim: str
    background: str
    repeat: str
    denial: str
    non_confirm: str
    comments: tuple[str, ...]


FRAMES = [
    Frame(
        title="{a} and {b} agree ceasefire in {region}",
        claim="{a} and {b} have agreed a nationwide ceasefire in {region} that will take effect at midnight, "
              "the foreign ministry of {a} said on {day}.",
        background="Fighting in {region} has displaced thousands of families this year.",
        repeat="The state news agency of {a} reported that {a} and {b} had agreed a ceasefire in {region}.",
        denial='"News of an agreement on a ceasefire in {region} is incorrect," said {p2}, a spokesman for the '
               "government of {b}.",
        non_confirm="The presidency of {b} said it could not confirm that a ceasefire had been agreed.",
        comments=("Is there any confirmation of this ceasefire from {b}?", "This is fake, {b} never agreed to "
                  "anything.", "Good news for the families in {region} if it holds."),
    ),
    Frame(
        title="{c1} to buy {c2}",
        claim="{c1} has agreed to buy its rival {c2} for {n} billion dollars, {c1} chief executive {p1} told "
              "reporters on {day}.",
        background="Shares in both companies have fallen sharply since the spring.",
        repeat="Analysts said the purchase of {c2} by {c1} would create the largest firm in its sector.",
        denial='"There is no agreement to sell {c2} to {c1}, and the reports are false," said {p2}, a '
               "spokeswoman for {c2}.",
        non_confirm="The competition authority of {a} said it could not confirm that any deal had been filed.",
        comments=("Has {c2} confirmed the sale?", "Not true, {c2} already said there is no deal.",
                  "About time these two merged."),
    ),
    Frame(
        title="{a} finance minister resigns",
        claim="Finance minister {p1} of {a} has resigned over the bond scandal, state television in {a} "
              "reported on {day}.",
        background="The bond scandal has dominated politics in {a} for months.",
        repeat="Opposition leaders in {a} welcomed the resignation of finance minister {p1}.",
        denial='"The minister has not resigned and remains in office," said {p2}, a spokesman for the prime '
               "minister of {a}.",
        non_confirm="The parliament of {a} said it could not confirm that the minister had resigned.",
        comments=("Did {p1} really resign or is this a rumour?", "Fake news, {p1} is still minister.",
                  "Good riddance if true."),
    ),
    Frame(
        title="{a} postpones presidential election",
        claim="The presidential election in {a} will be postponed until next year, the election commission of "
              "{a} said on {day}.",
        background="Voter registration in {a} has been slow in the rural provinces.",
        repeat="Diplomats in {city} said the election in {a} had been postponed until next year.",
        denial='"Reports that the election has been postponed are false; the vote will go ahead as planned," '
               "said {p2}, the chairman of the election commission of {a}.",
        non_confirm="The ruling party of {a} said it could not confirm any change to the election date.",
        comments=("Who says the election is postponed?", "Not true, the commission denied it this morning.",
                  "Another delay, typical."),
    ),
    Frame(
        title="{a} to reopen border with {b}",
        claim="{a} will reopen its border with {b} to trade next week, the interior ministry of {a} said on "
              "{day}.",
        background="The border between {a} and {b} has been closed since a dispute over tariffs.",
        repeat="Truck drivers waiting near {city} welcomed news that {a} would reopen the border with {b}.",
        denial='"The border with {b} will remain closed, and the reports of a reopening are untrue," said {p2}, '
               "a spokesman for the interior ministry of {a}.",
        non_confirm="Customs officials in {b} said they could not confirm that the border would reopen.",
        comments=("Is the border really reopening?", "False, the ministry says it stays closed.",
                  "Finally some good news for traders."),
    ),
    Frame(
        title="{a} regulator approves {c1} vaccine",
        claim="The medicines regulator of {a} has approved the new malaria vaccine made by {c1}, the health "
              "ministry of {a} said on {day}.",
        background="Malaria cases in {a} rose by a third last year.",
        repeat="Doctors in {city} said the approval of the {c1} vaccine would save thousands of lives.",
        denial='"No decision on the {c1} vaccine has been taken, and the reports of an approval are wrong," '
               "said {p2}, a spokeswoman for the medicines regulator of {a}.",
        non_confirm="{c1} said it could not confirm that the regulator had approved its vaccine.",
        comments=("Has the regulator actually approved it?", "That is false, the regulator denied it.",
                  "Great news for the children of {a}."),
    ),
]


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in used:
            used.add(name)
            return name


def _story(index: int, rng: random.Random, start: datetime, used: set[str]) -> Iterator[dict[str, Any]]:
    frame = FRAMES[index % len(FRAMES)]
    a, b = rng.sample(COUNTRIES, 2)
    c1, c2 = rng.sample(COMPANY, 2)
    slots = {
        "a": a, "b": b, "c1": f"{c1} {rng.choice(['Holdings', 'Group', 'Industries'])}",
        "c2": f"{c2} {rng.choice(['Systems', 'Foods', 'Energy'])}", "p1": _name(rng, used), "p2": _name(rng, used),
        "region": f"the {rng.choice(['north', 'south', 'east', 'west'])} of {b}", "city": f"the capital of {a}",
        "day": rng.choice(DAYS), "n": str(rng.randint(2, 40)),
    }
    wire, other, third = rng.sample(WIRES, 3)
    t0 = start + timedelta(hours=6 * index, minutes=rng.randint(0, 300))
    base = f"synth-{index:04d}"

    def fill(text: str) -> str:
        return text.format(**slots)

    yield {"kind": "article", "document_id": f"{base}-a", "occurred_at": t0.isoformat(), "outlet": wire,
           "title": fill(frame.title), "body": "\n\n".join(fill(t) for t in (frame.claim, frame.background))}
    t1 = t0 + timedelta(minutes=rng.randint(30, 120))
    yield {"kind": "article", "document_id": f"{base}-b", "occurred_at": t1.isoformat(), "outlet": other,
           "title": fill(frame.title), "body": "\n\n".join(fill(t) for t in (frame.repeat, frame.background))}
    t2 = t1 + timedelta(minutes=rng.randint(30, 180))
    yield {"kind": "article", "document_id": f"{base}-c", "occurred_at": t2.isoformat(), "outlet": third,
           "title": fill("Denial over " + frame.title[0].lower() + frame.title[1:]),
           "body": "\n\n".join(fill(t) for t in (frame.denial, frame.non_confirm, frame.background))}
    for k, comment in enumerate(frame.comments):
        at = t0 + timedelta(minutes=10 + 25 * k + rng.randint(0, 20))
        yield {"kind": "comment", "document_id": f"{base}-a-c{k}", "article_id": f"{base}-a",
               "occurred_at": at.isoformat(), "author": f"reader{rng.randint(1, 999)}", "text": fill(comment)}


def generate(stories: int, seed: int = 7, start: datetime | None = None) -> list[dict[str, Any]]:
    """The archive as JSONL-ready dicts, in event-time order (same ``stories`` and ``seed``, same output)."""
    rng = random.Random(seed)
    start = start or datetime(2024, 3, 4, 6, 0, tzinfo=timezone.utc)
    used: set[str] = set()
    events = [event for i in range(stories) for event in _story(i, rng, start, used)]
    return sorted(events, key=lambda e: (e["occurred_at"], e["document_id"]))


def write_archive(path: Path, stories: int, seed: int = 7) -> int:
    """Write ``generate(stories, seed)`` to ``path`` as JSONL; returns the number of events."""
    events = generate(stories, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for event in events:
            out.write(json.dumps(event, ensure_ascii=False) + "\n")
    return len(events)
