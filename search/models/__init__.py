"""Search's own data: editors' synonyms and the query analytics."""

from search.models.analytics import (
    VIEW_REPORTS_PERMISSION,
    FlowFromSearch,
    SearchClick,
    SearchLog,
)
from search.models.synonyms import Synonym

__all__ = ["VIEW_REPORTS_PERMISSION", "FlowFromSearch", "SearchClick", "SearchLog", "Synonym"]
