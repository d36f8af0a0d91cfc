"""What staff read in English, whatever language the resident used: one service under its
English title, and each chosen option as the English flow words it.

A flow's translations share its `translation_key` (Wagtail locales), so requests sent in Welsh
or Polish belong to the same service as the English ones. A choice answer is stored in the
resident's words (an option's value is its label, forms.flows.questions.types.options_of), so
the English label is the option at the same place, or with the same block id, in the same
question of the English flow.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.expressions import Expression
from django.utils import translation
from wagtail.models import Locale, Page

from forms.flows.models import FlowPage, Submission
from forms.flows.questions import answer_for_display

# Question types whose stored value is an option's label in the resident's language.
OPTION_TYPES = frozenset({"radios", "select", "checkboxes"})
# Question types whose stored value is the same in every language but shown in its words.
SAME_VALUE_TYPES = frozenset({"yes_no", "declaration", "date", "money", "whole_number", "quantity"})


def english_service_titles() -> dict[UUID, str]:
    """Each flow's translation key with the title of its service in the site's main language."""
    flows = list(
        FlowPage.objects.filter(locale=Locale.get_default()).values_list("translation_key", "path")
    )
    parents = dict(
        Page.objects.filter(path__in=[path[: -Page.steplen] for _key, path in flows]).values_list(
            "path", "title"
        )
    )
    return {key: parents.get(path[: -Page.steplen], "") for key, path in flows}


def english_service_expression(titles: dict[UUID, str]) -> Expression:
    """A request's service in English, for annotating a queryset (so it sorts and exports): an
    English request's title as it was sent; another's, its flow's service in English (or the
    title it was sent under, where its flow is gone)."""
    prefix = default_language().split("-")[0]
    sent_in_english = (
        Q(language="") | Q(language__iexact=prefix) | Q(language__istartswith=f"{prefix}-")
    )
    whens = [When(sent_in_english, then=F("service_title"))]
    whens += [
        When(flow__translation_key=key, then=Value(title)) for key, title in titles.items() if title
    ]
    return Case(*whens, default=F("service_title"), output_field=CharField())


def english_service_title(submission: Submission) -> str:
    """One request's service in English (the detail page)."""
    annotated = getattr(submission, "english_service", None)
    if annotated:
        return annotated
    flow = submission.flow
    if flow is None or is_english(submission):
        return submission.service_title
    source = flow.source_flow
    parent = source.get_parent()
    return parent.title if parent is not None else submission.service_title


def is_english(submission: Submission) -> bool:
    language = (submission.language or "").split("-")[0].lower()
    return not language or language == default_language().split("-")[0].lower()


def default_language() -> str:
    return Locale.get_default().language_code


QuestionMaps = tuple[dict[str, Any], dict[str, Any]]


def english_answers(
    submission: Submission, cache: dict[tuple[Any, str], QuestionMaps] | None = None
) -> list[dict[str, Any]]:
    """Each answer as staff read it: `label` and `display` in English; `asked` and `resident`
    in the resident's words where those differ (empty otherwise). An export passes one `cache`
    for all its rows, so each flow is read once."""
    english_questions: dict[str, Any] = {}
    asked_questions: dict[str, Any] = {}
    if submission.flow_id is not None and not is_english(submission):
        key = (submission.flow_id, submission.language)
        if cache is None or key not in cache:
            source, asked = _flows(submission)
            maps = (_questions(source), _questions(asked))
            if cache is not None:
                cache[key] = maps
        else:
            maps = cache[key]
        english_questions, asked_questions = maps
    rows = []
    for answer in submission.answers:
        display = str(answer.get("display", ""))
        name = answer.get("name")
        english = display
        if name in english_questions:
            english = _english_display(
                english_questions[name], asked_questions.get(name), answer.get("value"), display
            )
        rows.append(
            {
                "name": name,
                "label": answer.get("source_label") or answer.get("label", ""),
                # the question and the answer as the resident read and gave them, where those
                # were not in English
                "asked": answer.get("label", "") if answer.get("source_label") else "",
                "display": english,
                "resident": display if english != display else "",
            }
        )
    return rows


def _flows(submission: Submission) -> tuple[FlowPage, FlowPage]:
    """(the English flow, the flow in the resident's language) of a request with a flow."""
    source = submission.flow.source_flow  # type: ignore[union-attr]
    asked: FlowPage = source
    try:
        locale = Locale.objects.get_for_language(submission.language)
    except (Locale.DoesNotExist, LookupError):
        return source, source
    if locale.pk != source.locale_id:
        # the translation as it is now, published or not: its options are what was offered
        asked = (
            FlowPage.objects.filter(translation_key=source.translation_key, locale=locale).first()
            or source
        )
    return source, asked


def _questions(flow: FlowPage) -> dict[str, Any]:
    return {question.value["name"]: question for _step, question in flow.iter_questions()}


def _english_display(source: Any, asked: Any, value: Any, display: str) -> str:
    """The stored answer as the English flow shows it; the resident's words if no match."""
    if value is None:
        return display
    if source.block_type in OPTION_TYPES:
        if asked is None or asked.block_type != source.block_type:
            return display
        if isinstance(value, list):
            labels = [_english_option(source, asked, item) for item in value]
            if any(label is None for label in labels):
                return display
            english: Any = labels
        else:
            english = _english_option(source, asked, value)
            if english is None:
                return display
    elif source.block_type in SAME_VALUE_TYPES:
        english = value
    else:
        return display  # typed by the resident: there is no English to show
    with translation.override(default_language()):
        return str(answer_for_display(source, english))


def _english_option(source: Any, asked: Any, label: Any) -> str | None:
    """The English label of the option the resident chose (by its label in their language)."""
    asked_options = asked.value.get("options") or []
    source_options = source.value.get("options") or []
    labels = [option["label"] for option in asked_options]
    if label not in labels:
        # answered in English already (a page not translated yet), or an option edited since
        return label if label in [option["label"] for option in source_options] else None
    index = labels.index(label)
    option_id = _option_id(asked_options, index)
    if option_id:
        for position in range(len(source_options)):
            if _option_id(source_options, position) == option_id:
                return source_options[position]["label"]
    return source_options[index]["label"] if index < len(source_options) else None


def _option_id(options: Any, index: int) -> str | None:
    blocks = getattr(options, "bound_blocks", None)
    return getattr(blocks[index], "original_id", None) if blocks else None
