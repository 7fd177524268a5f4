"""Which stance decisions reach the ``alerts`` topic: the tracker's rules (``negative_toward``,
``would_alert``) with the service's models, and ``model_denials`` for denials only a news model saw."""

from __future__ import annotations

import pytest

from schemas import ClaimRecord, SeenStatement, StatementExtracted
from streams.evaluate.common import Scored, alerts_block
from streams.nlp.embeddings import Embedder
from streams.nlp.models import make_tracker, tracker_config
from streams.nlp.stance import CueStanceClassifier, StanceDecision
from streams.nlp.tracker import ClaimTracker, TrackerConfig
from streams.settings import Settings

from .factories import find, seed_statements
from .test_tracker import check_golden

BASE = seed_statements()
NO_REACTION = find(BASE, "There was also no reaction from the Syrian regime")  # the AFP narrator's own sentence


def run_service(settings: Settings) -> tuple[ClaimTracker, dict[str, ClaimRecord], list]:
    claims: dict[str, ClaimRecord] = {}
    tracker = make_tracker(claims, {}, settings)
    outputs = [tracker.process(s) for s in BASE]
    return tracker, claims, outputs


@pytest.fixture(scope="module")
def default_run() -> tuple[ClaimTracker, dict[str, ClaimRecord], list]:
    return run_service(Settings())


def test_golden_seed_alerts_with_the_service_models(default_run) -> None:  # type: ignore[no-untyped-def]
    tracker, claims, outputs = default_run
    check_golden(tracker, claims, [a for o in outputs for a in o.alerts])


def test_would_alert_agrees_with_process_on_the_seeds() -> None:
    tracker = make_tracker({}, {}, Settings())
    cfg = tracker.config
    alerted_pairs = quiet_pairs = released = 0
    for statement in BASE:
        out = tracker.process(statement)
        released += sum(1 for a in out.alerts if a.denial.statement_id != statement.event_id)
        base = tracker.stance.classify(statement, None)
        # Its own alerts: joining a claim can also release a buffered denial of another statement.
        alerted = {a.claim.claim_id for a in out.alerts if a.denial.statement_id == statement.event_id}
        own = [r for r in out.stances if r.statement_id == statement.event_id]
        best = max((r.match.score for r in own if r.claim_id in alerted), default=0.0)
        for r in own:
            claim = tracker.claims[r.claim_id]
            if r.claim_id in alerted:
                # Judged on the claim as it stood: its own alert is now recorded on it.
                claim = claim.model_copy(update={"alerted_statement_ids": [
                    s for s in claim.alerted_statement_ids if s != statement.event_id]})
                assert tracker.would_alert(statement, claim, r.match, r.decision, base), statement.text
                alerted_pairs += 1
            elif r.match.score >= best - cfg.best_margin:  # below the margin of a better match: not asked
                assert not tracker.would_alert(statement, claim, r.match, r.decision, base), statement.text
                quiet_pairs += 1
    assert alerted_pairs + released == 9 and quiet_pairs > 50


def test_model_denials_add_no_alert_on_the_seeds(default_run) -> None:  # type: ignore[no-untyped-def]
    # Why the bundled news model is trained on FNC-1 body sentences: the earlier one, trained on Emergent
    # headlines, added false alerts on the seeds ("He spoke on condition of anonymity ..." as a denial).
    tracker, _, default = default_run
    assert tracker.config.model_denials
    _, _, cues_only = run_service(Settings(model_denials=False))
    alerts = {(a.alert_id, a.stance) for o in default for a in o.alerts}
    assert alerts == {(a.alert_id, a.stance) for o in cues_only for a in o.alerts}
    assert len(alerts) == 9


class OneDecision:
    """A stance classifier that says ``decision`` toward every claim and ``comment`` without one."""

    def __init__(self, decision: StanceDecision) -> None:
        self.decision = decision

    def classify(self, statement: StatementExtracted, claim: ClaimRecord | None = None, *,
                 relatedness: float | None = None) -> StanceDecision:
        return self.decision if claim is not None else StanceDecision("comment", 0.5)


def narrator_after_the_claims(decision: StanceDecision, *, model_denials: bool, embedder: Embedder,  # type: ignore[no-untyped-def]
                              statement: StatementExtracted = NO_REACTION):
    claims: dict[str, ClaimRecord] = {}
    seen: dict[str, SeenStatement] = {}
    tracker = ClaimTracker(claims, seen, embedder=embedder, stance=CueStanceClassifier(),
                           config=TrackerConfig(model_denials=model_denials))
    for s in BASE:
        if s.event_id != NO_REACTION.event_id:
            tracker.process(s)
    tracker.stance = OneDecision(decision)
    return tracker, tracker.process(statement)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


NEWS_DENY = StanceDecision("deny", 0.8, ["news model: deny p=0.80"], "news stance model", models=("news",))


def test_an_outlets_own_denial_alerts_only_with_model_denials(embedder: Embedder) -> None:
    _, off = narrator_after_the_claims(NEWS_DENY, model_denials=False, embedder=embedder)
    assert not off.alerts
    tracker, on = narrator_after_the_claims(NEWS_DENY, model_denials=True, embedder=embedder)
    assert len(on.alerts) >= 1
    alert = on.alerts[0]
    assert alert.denial.speaker_kind == "narrator" and alert.stance == "deny"
    assert alert.denial.speaker == NO_REACTION.outlet
    # A denial neither founds nor joins a claim.
    assert not on.created and not on.updated
    assert all(NO_REACTION.event_id not in c.statement_ids for c in tracker.claims.values())
    assert tracker.seen[NO_REACTION.event_id].outcome == "negative"


def test_a_news_model_denial_needs_a_sentence_that_refutes(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same narrator sentence and the same model verdict, without the word that says something did
    not happen: a statement of fact in the story, which the model can read as a denial because of the
    story it tells. It must not alert, and it may still found or join claims as any statement does."""
    plain = NO_REACTION.model_copy(update={"event_id": "stmt-plain-reaction",
                                           "text": "There was also a reaction from the Syrian regime."})
    _, out = narrator_after_the_claims(NEWS_DENY, model_denials=True, embedder=embedder, statement=plain)
    assert not out.alerts
    _, out = narrator_after_the_claims(NEWS_DENY, model_denials=True, embedder=embedder)
    assert out.alerts  # the control: with "no reaction" it alerts
    monkeypatch.setattr("streams.nlp.tracker.states_refutation", lambda text: True)
    _, out = narrator_after_the_claims(NEWS_DENY, model_denials=True, embedder=embedder, statement=plain)
    assert out.alerts  # without the rule the plain sentence would alert: the rule is what stops it


@pytest.mark.parametrize(("text", "refutes"), [
    ("The council worker, who asked not to be named, said engineers had been on the dam since Thursday.", False),
    ("An officer, who was not authorised to speak publicly, said two men had been detained.", False),
    ("An officer, who asked not to be named, said no one had been detained.", True),
    ("The spider was eventually removed with tweezers.", False),
    ("He has withdrawn from the role.", False),
    ("A report that he died is nothing but a lie.", True),
    ("Scientists cast doubt on the claims.", True),
    ("Don't start stocking up on torches.", True),
    ("The ministry hasn't confirmed it.", True),
    ("Officials denied the report.", True),
    ("There will be no ceasefire.", True),
])
def test_states_refutation(text: str, refutes: bool) -> None:
    from streams.nlp.news_stance import states_refutation

    assert states_refutation(text) is refutes


def test_the_narrators_cue_only_negation_is_background(embedder: Embedder) -> None:
    cue_only = StanceDecision("deny", 0.8, ['negated existence "no reaction"'], "deny cue")
    _, out = narrator_after_the_claims(cue_only, model_denials=True, embedder=embedder)
    assert not out.alerts
    non_confirm = StanceDecision("non_confirm", 0.8, ["news model"], "", models=("news",))
    _, out = narrator_after_the_claims(non_confirm, model_denials=True, embedder=embedder)
    assert not out.alerts


def test_the_setting_reaches_the_tracker(monkeypatch: pytest.MonkeyPatch) -> None:
    assert tracker_config(Settings()).model_denials is True
    monkeypatch.setenv("CLAIMWATCH_MODEL_DENIALS", "false")
    assert tracker_config(Settings()).model_denials is False


def test_alerts_block_arithmetic() -> None:
    items = [Scored("a", "disagree", "disagree", "deny"), Scored("b", "disagree", "agree", "support"),
             Scored("c", "discuss", "disagree", "deny"), Scored("d", "agree", "agree", "support"),
             Scored("e", "disagree", "discuss", "comment")]
    block = alerts_block(items, {"a", "c", "d"}, "disagree")
    # 3 alerted, 1 of them gold disagree (a); 3 gold disagree (a, b, e).
    assert block["alerted"] == 3 and block["of_which_gold_disagree"] == 1 and block["gold"] == 3
    assert block["precision"] == pytest.approx(1 / 3) and block["recall"] == pytest.approx(1 / 3)
    assert block["f1"] == pytest.approx(1 / 3)
    empty = alerts_block(items, set(), "disagree")
    assert empty["precision"] == 0.0 and empty["recall"] == 0.0 and empty["f1"] == 0.0


# -- decisions of the claim stance model (models=("pair",)) --------------------------------------------

PAIR_DENY = StanceDecision("deny", 0.9, ["claim stance model: deny p=0.90"], "claim stance model", models=("pair",))
PAIR_NON_CONFIRM = StanceDecision("non_confirm", 0.8, ["claim stance model: non_confirm p=0.80"], "claim stance model",
                                  models=("pair",))


def speaker_after_the_claims(decision: StanceDecision, embedder: Embedder, *, kind: str = "organisation",
                             document_kind: str = "article", config: TrackerConfig | None = None,
                             text: str = "The ministry said the report about the truce was wrong."):  # type: ignore[no-untyped-def]
    from schemas.statements import Attribution

    statement = NO_REACTION.model_copy(update={
        "event_id": "stmt-pair", "text": text, "document_kind": document_kind,
        "attribution": Attribution(speaker="The ministry", speaker_kind=kind, content=text, content_start=0,
                                   content_end=len(text))})
    tracker = ClaimTracker({}, {}, embedder=embedder, stance=CueStanceClassifier(), config=config or TrackerConfig())
    for s in BASE:
        if s.event_id != NO_REACTION.event_id:
            tracker.process(s)
    tracker.stance = OneDecision(decision)
    return tracker, tracker.process(statement)


def test_a_claim_stance_model_denial_alerts_for_any_speaker_who_can_deny(embedder: Embedder) -> None:
    tracker, out = speaker_after_the_claims(PAIR_DENY, embedder)
    assert out.alerts and all(a.stance == "deny" for a in out.alerts)
    assert not out.created and tracker.seen["stmt-pair"].outcome == "negative"
    _, out = speaker_after_the_claims(PAIR_NON_CONFIRM, embedder)
    assert out.alerts and {a.severity for a in out.alerts} <= {"low", "medium"}  # non_confirm_max_severity


def test_the_outlets_own_voice_needs_words_that_refute(embedder: Embedder) -> None:
    _, out = narrator_after_the_claims(PAIR_DENY, model_denials=True, embedder=embedder)
    assert out.alerts  # "There was also no reaction ...": a negation
    plain = NO_REACTION.model_copy(update={"event_id": "stmt-plain", "text": "There was also a reaction from the regime."})
    _, out = narrator_after_the_claims(PAIR_DENY, model_denials=True, embedder=embedder, statement=plain)
    assert not out.alerts
    _, out = narrator_after_the_claims(PAIR_NON_CONFIRM, model_denials=True, embedder=embedder)
    assert not out.alerts  # the outlet does not "decline to confirm" a claim


def test_comment_alerts_have_their_own_severity_and_can_be_switched_off(embedder: Embedder) -> None:
    _, out = speaker_after_the_claims(PAIR_DENY, embedder, kind="author", document_kind="comment")
    assert out.alerts and {a.severity for a in out.alerts} == {"low"}
    _, out = speaker_after_the_claims(PAIR_DENY, embedder, kind="author", document_kind="comment",
                                      config=TrackerConfig(comment_severity="medium"))
    assert {a.severity for a in out.alerts} == {"medium"}
    tracker, out = speaker_after_the_claims(PAIR_DENY, embedder, kind="author", document_kind="comment",
                                            config=TrackerConfig(comment_alerts=False))
    assert not out.alerts and not out.created  # still a denial: it founds nothing


def test_a_denial_too_weakly_matched_to_alert_founds_no_rival_claim(embedder: Embedder) -> None:
    tracker, out = speaker_after_the_claims(PAIR_DENY, embedder, config=TrackerConfig(deny_threshold=0.99))
    assert not out.alerts and not out.created and tracker.seen["stmt-pair"].outcome == "negative"


def test_the_severity_and_comment_settings_reach_the_tracker() -> None:
    cfg = tracker_config(Settings(comment_alerts=False, comment_alert_severity="medium", non_confirm_max_severity="low"))
    assert (cfg.comment_alerts, cfg.comment_severity, cfg.non_confirm_max_severity) == (False, "medium", "low")


def test_a_denial_answers_the_earliest_claim_it_matches(embedder: Embedder) -> None:
    """Two claims the denial matches equally well (a report, and the same words founded again later as
    background): with ``earliest_claim_only`` it alerts the report that started the story, once."""
    from datetime import timedelta

    truce = find(BASE, "Turkey and Russia had agreed")

    def two_claims(earliest_only: bool):  # type: ignore[no-untyped-def]
        tracker = ClaimTracker({}, {}, embedder=embedder, stance=OneDecision(PAIR_DENY),
                               config=TrackerConfig(earliest_claim_only=earliest_only))
        later = truce.model_copy(update={"event_id": "stmt-later-copy", "occurred_at": truce.occurred_at + timedelta(hours=2)})
        for s in (later, truce):  # the later copy is created first: arrival order is not event time
            tracker.create_claim(s, truce.text, [], [])
        return tracker, tracker.process(speaker_statement())

    def speaker_statement() -> StatementExtracted:
        from schemas.statements import Attribution

        text = "Turkey and Russia had not agreed a nationwide truce plan for Syria, the ministry said."
        return truce.model_copy(update={
            "event_id": "stmt-answer", "text": text, "occurred_at": truce.occurred_at + timedelta(hours=5),
            "attribution": Attribution(speaker="The ministry", speaker_kind="organisation", content=text,
                                       content_start=0, content_end=len(text))})

    tracker, every = two_claims(False)
    assert len(every.alerts) == 2
    tracker, first = two_claims(True)
    assert len(first.alerts) == 1
    assert first.alerts[0].claim.first_seen_at == truce.occurred_at
    assert tracker.seen["stmt-answer"].claim_ids == [first.alerts[0].claim.claim_id]


def test_a_speaker_does_not_deny_what_the_same_article_has_them_say(embedder: Embedder) -> None:
    """An official quoted twice in one article ("We can confirm that Paper 1 was compromised", then
    "Tighe said there was no evidence that any other subject had been affected") does not deny the
    claim his own first quote founded; another speaker in that article, or he in a later one, does."""
    from datetime import timedelta

    from schemas.statements import Attribution

    truce = find(BASE, "Turkey and Russia had agreed")
    said = truce.model_copy(update={"attribution": truce.attribution.model_copy(update={
        "speaker": "Colonel Boris Lazic (defence ministry)", "speaker_kind": "person"})})

    def answer(speaker: str, document_id: str) -> StatementExtracted:
        text = "Turkey and Russia had not agreed a nationwide truce plan for Syria."
        return truce.model_copy(update={
            "event_id": f"stmt-{speaker}-{document_id}", "document_id": document_id, "index": truce.index + 3,
            "text": text, "occurred_at": truce.occurred_at + timedelta(minutes=1),
            "attribution": Attribution(speaker=speaker, speaker_kind="organisation", content=text,
                                       content_start=0, content_end=len(text))})

    def alerts(statement: StatementExtracted) -> int:
        tracker = ClaimTracker({}, {}, embedder=embedder, stance=OneDecision(PAIR_DENY))
        tracker.create_claim(said, said.text, [], [])
        return len(tracker.process(statement).alerts)

    assert alerts(answer("Lazic", said.document_id)) == 0
    assert alerts(answer("the Lazic", said.document_id)) == 0
    assert alerts(answer("a foreign ministry spokesman", said.document_id)) == 1
    assert alerts(answer("Lazic", "a-later-article")) == 1


@pytest.mark.parametrize(("text", "founds"), [
    ("Austrian police are turning back anyone who arrives from Slovenia without a valid visa, two officers said.", True),
    ("Erdogan accused the West of not just supporting Kurdish militia but even Islamic State jihadists.", True),
    ("\"I'm not going anywhere,\" Gareth Voss told analysts on a conference call on Friday morning.", False),
    ("\"The records shown are not from our production systems at Kestrel Pay,\" Ilse Dammers said.", False),
    ("\"Nobody has been turned back for asking for asylum at Marzfeld,\" Lukas Brandstetter said.", False),
])
def test_a_negated_sentence_founds_no_claim(embedder: Embedder, text: str, founds: bool) -> None:
    """A negated assertion is an answer ("I'm not going anywhere") or background, not a claim to watch;
    "without" and "not just ... but" do not negate a report. ``claim_negated_sentences`` lets them found."""
    from schemas.statements import Attribution

    truce = find(BASE, "Turkey and Russia had agreed")
    statement = truce.model_copy(update={"event_id": "stmt-negated", "text": text, "attribution": Attribution(
        speaker="Voss", speaker_kind="person", verb="say", content=text, content_start=0, content_end=len(text))})

    def created(negated_claims: bool) -> int:
        tracker = ClaimTracker({}, {}, embedder=embedder, config=TrackerConfig(negated_claims=negated_claims))
        return len(tracker.process(statement).created)

    assert created(False) == int(founds)
    assert created(True) == 1
    assert not tracker_config(Settings()).negated_claims
    assert tracker_config(Settings(claim_negated_sentences=True)).negated_claims


def test_the_linking_setting_reaches_the_tracker() -> None:
    assert tracker_config(Settings()).earliest_claim_only
    assert not tracker_config(Settings(earliest_claim_only=False)).earliest_claim_only
