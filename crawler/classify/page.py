"""Scoring one page: split, scan once, read the page's context, apply the sentence rules, score.

Why one scan of the whole text (not per sentence): it is several times faster, and the hits are
then bucketed into sentences by position. Pages that mix languages are scanned in runs of
consecutive sentences in one language, each run with its own lexicon (one run on most pages).
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace

from crawler.classify.language import detect_language, is_supported, language_runs
from crawler.classify.learned import LearnedModel, adjust, allowed_stances, default_model, rescue
from crawler.classify.lexicon import (
    APPROVED_CONDITIONS, compiled, condition_name, fold_width, is_condition, lexicon_languages, normalise,
)
from crawler.classify.lexicon_voice import VOICE_LAYER
from crawler.classify.matcher import Hit
from crawler.classify.model import Claim, PageScore
from crawler.classify.rules import CLAIM_CUE_KINDS, PageContext, analyse_sentence, may_carry_claims
from crawler.classify.scoring import page_score
from crawler.classify.sentences import split_sentences
from crawler.classify.voice import (
    SPEECH_VOICES, distances_all, is_heading, is_question, page_voice, reported_speech,
)
from crawler.classify.weights import FLAG_THRESHOLD, RULES_VERSION, STANCE_FACTORS, TITLE_CONDITION_WEIGHT


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
                       approved_page=approved_page, n_conditions=len(unapproved))


def _by_sentence(spans: list[tuple[int, int, str]], hits: list[Hit]) -> list[list[Hit]]:
    """Assign each hit to the sentence containing its start (hits between sentences are dropped)."""
    starts = [s for s, _, _ in spans]
    buckets: list[list[Hit]] = [[] for _ in spans]
    for hit in hits:
        i = bisect_right(starts, hit.start) - 1
        if i >= 0 and hit.start < spans[i][1]:
            buckets[i].append(hit)
    return buckets


# Hits that only set context (a product named, an approved use, who speaks): never a claim by themselves.
CONTEXT_ONLY_LABELS = frozenset({"product_type", "approved_product", *VOICE_LAYER})
# Cues of a page that challenges what it reports (refutation, warnings, disclaimers).
CHALLENGE_LABELS = frozenset({"negation_evidence", "reporting", "mitigation"})
# Negators the learned model needs before it may call a sentence "negates".
NEGATION_LABELS = frozenset({"negation", "negation_post", "negation_suffix", "negation_evidence"})
# Categories a heading line still asserts (a number, "no side effects" or "FDA approved" is a claim anywhere).
HEADING_CLAIMS = frozenset({"risk_minimisation", "efficacy_statistics", "regulatory_misrepresentation",
                            "commercial_pressure"})


def _own_condition(hits: list[Hit]) -> str | None:
    """The first unapproved condition a sentence names (None when it names none)."""
    return next((condition_name(h.label) for h in hits if is_condition(h.label)
                 and condition_name(h.label) not in APPROVED_CONDITIONS), None)


def _context_condition(i: int, own: list[str | None], named_other: list[bool], page: PageContext) -> str | None:
    """The condition a sentence that names none is about: its previous neighbour's ("it", "this
    therapy"), else the page's only condition. Never the page's main condition when the page
    names several, nor when the sentence names a condition outside the vocabulary (Crohn's)."""
    if named_other[i]:
        return None
    if i > 0 and own[i - 1] and not named_other[i - 1]:
        return own[i - 1]
    return page.main_condition if page.n_conditions == 1 else None


def _distance(claims: list[Claim], reason: str, keep: frozenset[str] = frozenset()) -> list[Claim]:
    """Asserted claims made someone else's (`reports`), with the reason as a cue."""
    out = []
    for claim in claims:
        if claim.stance != "asserts" or claim.category in keep:
            out.append(claim)
            continue
        out.append(replace(claim, stance="reports", score=claim.score * STANCE_FACTORS["reports"],
                           cues=claim.cues + ((reason,) if reason not in claim.cues else ())))
    return out


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
    voice: str = "unknown"
    # Per sentence: why it is not the page's own statement ("question", "heading", "voice=news
    # speech=said"), None when it is; the learned model may then not make it "asserts".
    distanced: list[str | None] = field(default_factory=list)
    # Per sentence: a negation or refutation cue outside the claim words; without one the learned
    # model may not make it "negates".
    negation_cue: list[bool] = field(default_factory=list)


def _scan(text: str, runs: list[tuple[int, int, str]]) -> tuple[str, list[Hit]]:
    """Normalised text and every lexicon hit, each run scanned with its language's lexicon."""
    lowered, folded = normalise(text), fold_width(text)
    hits: list[Hit] = []
    for start, end, language in runs:
        hits.extend(compiled(lexicon_languages(language)).scan(text, lowered, start, end, folded))
    return lowered, hits


def analyse(text: str, *, title: str = "", language: str | None = None,
            hints: frozenset[str] | None = None) -> RuleAnalysis:
    """Run the rules over one page's text: sentences, their claims, mitigations, context, voice."""
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
    voice, evidence = page_voice(hits + title_hits, hints)
    distant = distances_all(voice, evidence)
    # News relaying a claim unchallenged makes it (the labelling rule); quoting it on a page that
    # warns, refutes or hedges does not.
    challenged = any(h.label in CHALLENGE_LABELS for h in hits)

    per_sentence: list[list[Claim]] = []
    mitigations: list[str] = []
    unread: list[bool] = []
    conditions: list[str | None] = []
    distanced: list[str | None] = []
    negation_cue: list[bool] = []
    buckets = _by_sentence(spans, hits)
    own = [_own_condition(b) for b in buckets]
    named_other = [not o and any(h.label == "other_condition" for h in b) for o, b in zip(own, buckets)]
    for i, ((start, end, sentence), sentence_hits) in enumerate(zip(spans, buckets)):
        context = own[i] or _context_condition(i, own, named_other, page)
        conditions.append(context)
        negation_cue.append(_negated(sentence_hits))
        reason = _distance_reason(text, start, end, sentence, sentence_hits, voice, distant, challenged)
        distanced.append(reason)
        if not sentence_hits or not may_carry_claims(sentence_hits):
            per_sentence.append([])
            unread.append(any(h.label not in CONTEXT_ONLY_LABELS for h in sentence_hits))
            continue
        sentence_page = page if own[i] else replace(page, main_condition=context)
        result = analyse_sentence(start, end, sentence, sentence_hits, lowered, sentence_page)
        claims = list(result.claims)
        if reason:
            claims = _distance(claims, reason, HEADING_CLAIMS if reason == "heading" else frozenset())
        per_sentence.append(claims)
        unread.append(not result.claims and not result.mitigation)
        if result.mitigation and sentence not in mitigations:
            mitigations.append(sentence)
    return RuleAnalysis(lang, spans, per_sentence, mitigations, page.has_product, unread, conditions, voice,
                        distanced, negation_cue)


def _negated(hits: list[Hit]) -> bool:
    """A negator outside every claim cue ("no side effects" is a claim, not a negation)."""
    claim_spans = [(h.start, h.end) for h in hits if h.label in CLAIM_CUE_KINDS]
    return any(h.label in NEGATION_LABELS and not any(s <= h.start < e for s, e in claim_spans) for h in hits)


def _distance_reason(text: str, start: int, end: int, sentence: str, hits: list[Hit], voice: str,
                     distant: bool, challenged: bool) -> str | None:
    """Why this sentence is not the page's own statement, or None (see voice.py)."""
    first = len(sentence) - len(sentence.lstrip())
    opener = any(h.label == "question_start" and h.start == start + first for h in hits)
    if is_question(sentence, opener):
        return "question"
    if distant:
        return f"voice={voice}"
    if voice in SPEECH_VOICES and challenged:
        speech = reported_speech(sentence, hits)
        if speech:
            return f"voice={voice} speech={'_'.join(speech.split())}"
    if is_heading(text, start, end):
        return "heading"
    return None


def classifier_version(model: LearnedModel | None) -> str:
    """Rules version, plus the model artifact's hash when the model takes part."""
    return f"{RULES_VERSION}+model-{model.digest}" if model is not None else RULES_VERSION


def finish(analysis: RuleAnalysis, sentence_claims: list[list[Claim]], version: str) -> PageScore:
    """Page score and result from (possibly model-adjusted) claims per sentence."""
    claims = [claim for group in sentence_claims for claim in group]
    value = page_score(claims, n_mitigations=len(analysis.mitigations), has_product=analysis.has_product)
    return PageScore(score=value, flagged=value >= FLAG_THRESHOLD, language=analysis.language,
                     classifier_version=version, claims=claims, mitigations=list(analysis.mitigations),
                     voice=analysis.voice)


def score(text: str, *, title: str = "", language: str | None = None, use_model: bool = True,
          hints: frozenset[str] | None = None) -> PageScore:
    """Score one page's text (see crawler.classify for the contract).

    The rules propose claims; the learned stance model (when its artifact is present and
    `use_model` is true) decides each claim sentence's stance. `hints`: what the caller knows of
    the page's HTML (schema.org types, og:type, "booking_form", "tel"; voice.hints_from_structured
    reads them from ExtractedPage.structured); they help decide who speaks.
    """
    model = default_model() if use_model else None
    lang = language.split("-")[0].lower() if language else detect_language(f"{title}\n{text}" if title else text or "")
    if not is_supported(lang):  # no lexicon for it: "not scored", never a 0 that reads as clean
        return PageScore(score=0.0, flagged=False, language=lang, classifier_version=classifier_version(model),
                         not_scored=f"language {lang}")
    analysis = analyse(text, title=title, language=language, hints=hints)
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
        distanced = bool(analysis.distanced and analysis.distanced[i])
        if claims:
            allowed = allowed_stances(negation_cue=not analysis.negation_cue or analysis.negation_cue[i],
                                      own_voice=not distanced)
            combined[i] = adjust(claims, prediction, allowed)
        elif not distanced:
            combined[i] = rescue(analysis.spans[i], prediction, analysis.conditions[i])
    return combined
