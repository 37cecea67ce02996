"""Scoring one page: split, scan once, read the page's context, apply the sentence rules, score.

Why one scan of the whole text (not per sentence): it is several times faster, and the hits are
then bucketed into sentences by position. Pages that mix languages are scanned in runs of
consecutive sentences in one language, each run with its own lexicon (one run on most pages).
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from crawler.classify.language import detect_language, language_runs
from crawler.classify.learned import LearnedModel, adjust, default_model, rescue
from crawler.classify.lexicon import (
    APPROVED_CONDITIONS, compiled, condition_name, fold_width, is_condition, lexicon_languages, normalise,
)
from crawler.classify.matcher import Hit
from crawler.classify.model import Claim, PageScore
from crawler.classify.rules import PageContext, analyse_sentence, may_carry_claims
from crawler.classify.scoring import page_score
from crawler.classify.sentences import split_sentences
from crawler.classify.weights import FLAG_THRESHOLD, RULES_VERSION, TITLE_CONDITION_WEIGHT


def _page_context(hits: list[Hit], title_hits: list[Hit]) -> PageContext:
    """Product presence, main condition and approved-context flag for the whole page."""
    counts: Counter[str] = Counter()
    products = approved_products = 0
    for weight, group in ((1, hits), (TITLE_CONDITION_WEIGHT, title_hits)):
        for hit in group:
            if is_condition(hit.label):
                counts[condition_name(hit.label)] += weight
            elif hit.label == "product_type":
                products += weight
            elif hit.label == "approved_product":
                approved_products += weight
    unapproved = Counter({k: v for k, v in counts.items() if k not in APPROVED_CONDITIONS})
    approved_mentions = sum(v for k, v in counts.items() if k in APPROVED_CONDITIONS)
    unapproved_mentions = sum(unapproved.values())
    approved_page = (approved_mentions > unapproved_mentions
                     or (approved_products > products and not unapproved_mentions))
    main = unapproved.most_common(1)[0][0] if unapproved else None
    return PageContext(has_product=bool(products or approved_products), main_condition=main,
                       approved_page=approved_page)


def _by_sentence(spans: list[tuple[int, int, str]], hits: list[Hit]) -> list[list[Hit]]:
    """Assign each hit to the sentence containing its start (hits between sentences are dropped)."""
    starts = [s for s, _, _ in spans]
    buckets: list[list[Hit]] = [[] for _ in spans]
    for hit in hits:
        i = bisect_right(starts, hit.start) - 1
        if i >= 0 and hit.start < spans[i][1]:
            buckets[i].append(hit)
    return buckets


# Hits that only set context (a product named, an approved use): never a claim by themselves.
CONTEXT_ONLY_LABELS = frozenset({"product_type", "approved_product"})


@dataclass
class RuleAnalysis:
    """What the rules found on a page, sentence by sentence (before the learned model)."""

    language: str
    spans: list[tuple[int, int, str]]
    sentence_claims: list[list[Claim]]  # aligned with spans
    mitigations: list[str]
    has_product: bool
    # Per sentence: the rules saw something relevant (a lexicon hit) but made no claim of it,
    # and the condition it (or else the page) is about. The learned model may read these.
    unread: list[bool] = field(default_factory=list)
    conditions: list[str | None] = field(default_factory=list)


def _scan(text: str, runs: list[tuple[int, int, str]]) -> tuple[str, list[Hit]]:
    """Normalised text and every lexicon hit, each run scanned with its language's lexicon."""
    lowered, folded = normalise(text), fold_width(text)
    hits: list[Hit] = []
    for start, end, language in runs:
        hits.extend(compiled(lexicon_languages(language)).scan(text, lowered, start, end, folded))
    return lowered, hits


def analyse(text: str, *, title: str = "", language: str | None = None) -> RuleAnalysis:
    """Run the rules over one page's text: sentences, their claims, mitigations, context."""
    text = text or ""
    if language:
        lang = language.split("-")[0].lower()  # "en-GB" -> "en"
    else:
        lang = detect_language(f"{title}\n{text}" if title else text)
    spans = split_sentences(text)
    lowered, hits = _scan(text, language_runs(text, spans, lang, bool(language)))
    title_hits = (_scan(title, language_runs(title, [(0, len(title), title)], lang, bool(language)))[1]
                  if title else [])
    page = _page_context(hits, title_hits)

    per_sentence: list[list[Claim]] = []
    mitigations: list[str] = []
    unread: list[bool] = []
    conditions: list[str | None] = []
    for (start, end, sentence), sentence_hits in zip(spans, _by_sentence(spans, hits)):
        own = next((condition_name(h.label) for h in sentence_hits if is_condition(h.label)
                    and condition_name(h.label) not in APPROVED_CONDITIONS), None)
        conditions.append(own or page.main_condition)
        if not sentence_hits or not may_carry_claims(sentence_hits):
            per_sentence.append([])
            unread.append(any(h.label not in CONTEXT_ONLY_LABELS for h in sentence_hits))
            continue
        result = analyse_sentence(start, end, sentence, sentence_hits, lowered, page)
        per_sentence.append(list(result.claims))
        unread.append(not result.claims and not result.mitigation)
        if result.mitigation and sentence not in mitigations:
            mitigations.append(sentence)
    return RuleAnalysis(lang, spans, per_sentence, mitigations, page.has_product, unread, conditions)


def classifier_version(model: LearnedModel | None) -> str:
    """Rules version, plus the model artifact's hash when the model takes part."""
    return f"{RULES_VERSION}+model-{model.digest}" if model is not None else RULES_VERSION


def finish(analysis: RuleAnalysis, sentence_claims: list[list[Claim]], version: str) -> PageScore:
    """Page score and result from (possibly model-adjusted) claims per sentence."""
    claims = [claim for group in sentence_claims for claim in group]
    value = page_score(claims, n_mitigations=len(analysis.mitigations), has_product=analysis.has_product)
    return PageScore(score=value, flagged=value >= FLAG_THRESHOLD, language=analysis.language,
                     classifier_version=version, claims=claims, mitigations=list(analysis.mitigations))


def score(text: str, *, title: str = "", language: str | None = None, use_model: bool = True) -> PageScore:
    """Score one page's text (see crawler.classify for the contract).

    The rules propose claims; the learned stance model (when its artifact is present and
    `use_model` is true) decides each claim sentence's stance.
    """
    analysis = analyse(text, title=title, language=language)
    model = default_model() if use_model else None
    if model is None:
        return finish(analysis, analysis.sentence_claims, classifier_version(None))
    return finish(analysis, combine(analysis, model), classifier_version(model))


def combine(analysis: RuleAnalysis, model: LearnedModel) -> list[list[Claim]]:
    """Rules propose, the model decides stance; it may also read relevant sentences the rules could not."""
    combined: list[list[Claim]] = [[] for _ in analysis.spans]
    wanted = [i for i, (claims, unread) in enumerate(zip(analysis.sentence_claims, analysis.unread))
              if claims or unread]
    predictions = model.predict_many([analysis.spans[i][2] for i in wanted],
                                     [analysis.sentence_claims[i] for i in wanted], analysis.language)
    for i, prediction in zip(wanted, predictions):
        claims = analysis.sentence_claims[i]
        combined[i] = adjust(claims, prediction) if claims else rescue(analysis.spans[i], prediction,
                                                                       analysis.conditions[i])
    return combined
