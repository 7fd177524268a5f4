"""``claimwatch evaluate``: replay public stance data sets through the stream's own NLP functions.

``metrics`` is pure arithmetic; ``rumoureval``, ``emergent`` and ``fnc1`` load a data set, run it
through ``enrich_article`` / ``enrich_comment``, the ``ClaimTracker`` / ``ClaimMatcher`` and the stance
classifier built by ``streams.nlp.models`` (the same factories the Faust agents use), and score the
predictions. ``cli`` is the ``claimwatch evaluate`` sub-command.
"""
