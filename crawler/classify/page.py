"""Scoring one page: split, scan once, read the page's context, apply the sentence rules, score.

Why one scan of the whole text (not per sentence): it is several times faster, and the hits are
then bucketed into sentences by position.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from crawler.classify.language import detect_language
from crawler.classify.learned import StanceModel, default_model
from crawler.classify.lexicon import (
    APPROVED_CONDITIONS, CompiledLexicon, compiled, condition_name, is_condition, lexicon_languages, normalise,
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


@dataclass
class RuleAnalysis:
    """What the rules found on a page, sentence by sentence (before the learned model)."""

    language: str
    spans: list[tuple[int, int, str]]
    sentence_claims: list[list[Claim]]  # aligned with spans
    mitigations: list[str]
    has_product: bool


def analyse(text: str, *, title: str = "", language: str | None = None) -> RuleAnalysis:
    """Run the rules over one page's text: sentences, their claims, mitigations, context."""
    text = text or ""
    if language:
        lang = language.split("-")[0].lower()  # "en-GB" -> "en"
    else:
        lang = detect_language(f"{title}\n{text}" if title else text)
    lexicon: CompiledLexicon = compiled(lexicon_languages(lang))
    lowered = normalise(text)
    hits = lexicon.scan(text, lowered)
    title_hits = lexicon.scan(title, normalise(title)) if title else []
    page = _page_context(hits, title_hits)

    spans = split_sentences(text)
    per_sentence: list[list[Claim]] = []
    mitigations: list[str] = []
    for (start, end, sentence), sentence_hits in zip(spans, _by_sentence(spans, hits)):
        if not sentence_hits or not may_carry_claims(sentence_hits):
            per_sentence.append([])
            continue
        result = analyse_sentence(start, end, sentence, sentence_hits, lowered, page)
        per_sentence.append(list(result.claims))
        if result.mitigation and sentence not in mitigations:
            mitigations.append(sentence)
    return RuleAnalysis(lang, spans, per_sentence, mitigations, page.has_product)


def classifier_version(model: StanceModel | None) -> str:
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
    adjusted = [model.adjust(sentence, claims, analysis.language)
                for (_, _, sentence), claims in zip(analysis.spans, analysis.sentence_claims)]
    return finish(analysis, adjusted, classifier_version(model))
