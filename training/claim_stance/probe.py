"""Print the claim stance model's probabilities for (claim, statement) pairs, and for each statement
with its negations taken out (``claim_stance.affirmed``): the figures quoted in the model card.

    .venv/bin/python training/claim_stance/probe.py "CLAIM" "STATEMENT" ["STATEMENT" ...]
    .venv/bin/python training/claim_stance/probe.py --card     # the card's examples
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from streams.nlp.claim_stance import ClaimStanceModel, affirmed  # noqa: E402

#: (claim, statement) pairs the card and training/experiments/README.md quote.
CARD = [
    ("Kestrel Exchange has frozen customer withdrawals.", "\"There is no sale process,\" a Kestrel spokeswoman said."),
    ("Norvik Ports has suspended crane operations at its Brenholm terminal, dock workers said.",
     "\"Crane operations have not been suspended,\" a Norvik spokeswoman said."),
    ("Kestrel Exchange, a cryptocurrency trading platform, has suspended customer withdrawals, users said.",
     "\"Crane operations have not been suspended,\" a Norvik spokeswoman said."),
    ("the film had been pulled after a dispute between its Warsaw producers and its London-based sales agent",
     "The film was pulled."),
    ("A criminal group has stolen the personal data of about 1.4 million employees from Kestrel Pay, one of the "
     "largest payroll processors in the Netherlands and Belgium", "\"There is no sale process,\" a spokeswoman said."),
    ("Halvard Aerospace has lost contact with its Kestrel-2 Earth-observation satellite less than a day after launch",
     "\"We have not lost contact with Kestrel-2 at any point since separation,\" chief operating officer Mireille "
     "Dacosta said in an interview."),
    ("Kestrel Exchange has frozen customer withdrawals.",
     "\"Withdrawals have not been suspended at any point today,\" chief executive Daniel Okafor said."),
    ("Kestrel Exchange, a cryptocurrency trading platform, has suspended customer withdrawals, users said.",
     "\"Withdrawals have not been suspended at any point today,\" chief executive Daniel Okafor said."),
]


def probe(model: ClaimStanceModel, claim: str, statement: str) -> dict[str, object]:
    flipped = affirmed(statement)
    return {"claim": claim, "statement": statement,
            "p": {k: round(v, 3) for k, v in model.proba(claim, statement).items()},
            "affirmed": flipped,
            "affirmed_p": None if flipped is None else {k: round(v, 3) for k, v in model.proba(claim, flipped).items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("claim", nargs="?")
    ap.add_argument("statements", nargs="*")
    ap.add_argument("--card", action="store_true", help="the pairs the model card quotes")
    ap.add_argument("--model", help="a claim stance model directory (default: the bundled one)")
    args = ap.parse_args()
    model = ClaimStanceModel(args.model)
    pairs = CARD if args.card else [(args.claim, s) for s in args.statements]
    if not pairs:
        ap.error("give a claim and one or more statements, or --card")
    for claim, statement in pairs:
        print(json.dumps(probe(model, claim, statement), ensure_ascii=False))


if __name__ == "__main__":
    main()
