"""Thin Faust agents: decode, call plain functions (streams.nlp), send.

enrich_documents: news.articles + news.comments -> news.statements
track_claims:     news.statements -> alerts (claims and sent alerts kept in tables)
web:              the worker's HTTP endpoints (push ingest)
"""

from . import claims, enrich, web  # noqa: F401
