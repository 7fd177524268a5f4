"""Input events: what a producer (archive replay, RSS/Atom feed, HTTP push) publishes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Event


class ArticlePublished(Event):
    """A news article. ``occurred_at`` is its publication time."""

    kind: Literal["article"] = "article"
    document_id: str = Field(min_length=1)
    title: str = ""
    body: str = Field(min_length=1, description="Plain text; paragraphs separated by blank lines.")
    outlet: str | None = None
    byline: str | None = None
    author: str | None = Field(
        default=None,
        description="Who wrote it, when it is someone's own statement rather than an outlet's report "
        "(a social media post, a press release): its sentences without a speaker of their own are "
        "then attributed to the author instead of the outlet's narrator.",
    )
    url: str | None = None
    language: str = "en"
    subheadings: list[str] = Field(default_factory=list)


class CommentPosted(Event):
    """A reader comment on an article (or a reply in a thread). ``occurred_at`` is when it was posted."""

    kind: Literal["comment"] = "comment"
    document_id: str = Field(min_length=1, description="The comment's own id.")
    article_id: str = Field(min_length=1, description="The article (or thread source) it is posted under.")
    author: str
    text: str
    parent_id: str | None = Field(default=None, description="The comment it replies to, if any.")
    url: str | None = None
