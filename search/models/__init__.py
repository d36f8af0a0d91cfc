"""Search's own data: editors' synonyms (and, beside them, the query analytics)."""

from search.models.synonyms import Synonym

__all__ = ["Synonym"]
