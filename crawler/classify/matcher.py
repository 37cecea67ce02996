"""Fast multi-pattern matching: many small regexes, one scan, labelled hits.

Why not one named group per pattern: capturing groups defeat `re`'s literal fast path and made a
10 KB scan ~200x slower in measurement. Instead all patterns of a layer are joined into a single
group-free alternation, bucketed by their first literal character (so at each word start `re`
tests one bucket, not every pattern), and each hit is labelled afterwards by re-matching the
matched text against the few patterns of its bucket (cached by text, hits repeat a lot).

Patterns are whole-word by construction: the compiled regex adds `(?<!\\w)` before and `(?!\\w)`
after (Unicode-aware, so Cyrillic works too). Use a trailing `\\w*` for stems ("regenerat\\w*",
German compounds). Inside Chinese/Japanese text (`find(..., cjk=True)`) Han and kana do not count
as word characters, so "PRP注射" still matches "prp". Chinese and Japanese have no spaces
between words, so their own lexicons are compiled with `bounded=False` (no boundaries at all);
their patterns must not use `\\w` and must start with a literal character (so `re` can skip
straight to candidate characters).
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator, NamedTuple

# Label cache entries kept per matcher before it is reset (bounds memory on long crawls).
_LABEL_CACHE_MAX = 20000
_QUANTIFIERS = "?*+{"
# A letter or digit of a script that separates words with spaces (Han, kana and Hangul excluded).
WORD_CHAR = r"[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f]"
_W = "\x00W\x00"  # placeholder for the word-character class in a compiled template
# Most patterns one lexicon pattern may expand into (see `expand`).
_EXPANSION_LIMIT = 64


class Hit(NamedTuple):
    """One pattern occurrence in the scanned text."""

    start: int
    end: int
    label: str  # e.g. "cure", "negation", "condition:diabetes"
    text: str  # the matched text as it appears in the (lowered) scanned text


def syntax_chars(pattern: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, char) of the pattern's unescaped characters outside character classes."""
    in_class = escaped = False
    for i in range(start, len(pattern)):
        ch = pattern[i]
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        else:
            yield i, ch


def _close_paren(pattern: str, open_at: int) -> int:
    """Index of the ')' matching the '(' at `open_at` (-1 if unbalanced)."""
    depth = 0
    for i, ch in syntax_chars(pattern, open_at):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _split_top_level(pattern: str) -> list[str]:
    """Split `pattern` on `|` outside groups and character classes."""
    parts, depth, start = [], 0, 0
    for i, ch in syntax_chars(pattern):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _leading_lookbehinds(pattern: str) -> tuple[list[str], str]:
    """Split off the lookbehind assertions a pattern starts with."""
    lookbehinds = []
    while pattern.startswith(("(?<!", "(?<=")):
        end = _close_paren(pattern, 0)
        if end < 0:
            break
        lookbehinds.append(pattern[:end + 1])
        pattern = pattern[end + 1:]
    return lookbehinds, pattern


def expand(pattern: str, limit: int = _EXPANSION_LIMIT) -> list[str]:
    """Rewrite a leading `(?:a|b)` / `(?:a )?` group as separate patterns, recursively.

    Why: a pattern that starts with a literal can be bucketed by that character; one that
    starts with a group is tried at every word start, which dominated scan time.
    """
    lookbehinds, body = _leading_lookbehinds(pattern)
    if not body.startswith("(?:"):
        return [pattern]
    end = _close_paren(body, 0)
    if end < 0:
        return [pattern]
    after = body[end + 1:]
    alternatives = _split_top_level(body[3:end])
    if after[:1] == "?" and after[1:2] not in ("?", "+"):
        alternatives.append("")
        after = after[1:]
    elif after[:1] in ("*", "+", "{", "?"):
        return [pattern]
    prefix = "".join(lookbehinds)
    out: list[str] = []
    for alt in alternatives:
        out.extend(expand(prefix + alt + after, limit))
        if len(out) > limit:
            return [pattern]
    return out


_SPECIAL = set("\\()[]{}.^$|?*+")


def first_literal(pattern: str) -> tuple[str, str] | None:
    """(first literal character, regex for the rest) or None when the pattern has no literal start.

    Leading lookbehinds are moved after that character: `(?<!x )c...` == `c(?<!x c)...`.
    """
    lookbehinds, body = _leading_lookbehinds(pattern)
    if not body:
        return None
    if body[0] == "\\" and len(body) > 1 and not body[1].isalnum():
        char, rest = body[1], body[2:]
    elif body[0] not in _SPECIAL:
        char, rest = body[0], body[1:]
    else:
        return None
    if (rest and rest[0] in _QUANTIFIERS) or len(_split_top_level(body)) > 1:
        return None
    moved = "".join(f"{lb[:-1]}{re.escape(char)})" for lb in lookbehinds)
    return char, moved + rest


class Matcher:
    """Finds non-overlapping, leftmost-first hits of many labelled patterns in one pass."""

    def __init__(self, entries: Iterable[tuple[str, str]], *, sparse: bool = False, bounded: bool = True) -> None:
        """`sparse`: the patterns' first characters are rare in the text (case-sensitive
        acronyms): compile so that `re` skips straight to those characters. `bounded`: add word
        boundaries (False for Chinese/Japanese, whose words are not separated by spaces)."""
        entries = list(dict.fromkeys(entries))  # drop exact duplicates, keep order
        if not entries:
            self._regex = None
            return
        # bucket key -> (label, regex to put after the key, the full variant for labelling)
        buckets: dict[str | None, list[tuple[str, str, str]]] = {}
        for label, pattern in entries:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad lexicon pattern for {label!r}: {pattern!r}: {exc}") from None
            for variant in expand(pattern):
                first = first_literal(variant)
                if first is None:
                    buckets.setdefault(None, []).append((label, variant, variant))
                else:
                    buckets.setdefault(first[0], []).append((label, first[1], variant))
        parts = []
        misc = buckets.pop(None, [])
        if misc:
            parts.append("|".join(f"(?:{p})" for _, p, _ in misc))
        for key, items in buckets.items():
            tails = "|".join(tail for _, tail, _ in items)
            parts.append(f"{re.escape(key)}(?:{tails})")
        if not bounded:
            # No boundaries: a leading literal per bucket lets `re` skip to candidate characters.
            self._template = None
            self._regex = re.compile("|".join(parts))
        elif sparse and not misc:
            # Start with a character class (re's fast skip), then check the word boundary and
            # dispatch on the character already consumed.
            keys = "".join(re.escape(k) for k in buckets)
            dispatch = "|".join(f"(?<={re.escape(k)})(?:{'|'.join(t for _, t, _ in items)})"
                                for k, items in buckets.items())
            self._template = f"[{keys}](?<!{_W}[{keys}])(?:{dispatch})(?!{_W})"
        else:
            self._template = f"(?<!{_W})(?:" + "|".join(parts) + f")(?!{_W})"
        if self._template is not None:
            # `\w` boundaries (fast) for text without Han/kana; WORD_CHAR ones, compiled on first
            # use, for Latin words inside Chinese/Japanese text ("PRP注射").
            self._regex = re.compile(self._template.replace(_W, r"\w"))
        self._cjk_regex: re.Pattern[str] | None = None
        # Candidates used to label a hit, in the alternation's own order: unbucketed patterns
        # first, then the hit's bucket.
        self._candidates: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}
        compiled_misc = [(label, re.compile(full)) for label, _, full in misc]
        for key, items in buckets.items():
            self._candidates[key] = compiled_misc + [(label, re.compile(full)) for label, _, full in items]
        self._candidates[None] = compiled_misc
        self._label_cache: dict[str, tuple[str, ...]] = {}

    def _labels(self, text: str, start: int, end: int) -> tuple[str, ...]:
        """Every label whose pattern matches exactly this hit ("experimental" is both a
        mitigation and research framing), in lexicon order."""
        matched = text[start:end]
        cached = self._label_cache.get(matched)
        if cached is not None:
            return cached
        candidates = self._candidates.get(matched[0], self._candidates[None])
        labels = [label for label, regex in candidates if regex.fullmatch(matched)]
        if not labels:  # pattern depends on context (lookaround): match in place instead
            for label, regex in candidates:
                m = regex.match(text, start)
                if m and m.end() == end:
                    labels.append(label)
                    break
        result = tuple(dict.fromkeys(labels)) or (candidates[0][0],)
        if len(self._label_cache) >= _LABEL_CACHE_MAX:
            self._label_cache.clear()
        self._label_cache[matched] = result
        return result

    def find(self, text: str, start: int = 0, end: int | None = None, *, cjk: bool = False) -> list[Hit]:
        """All hits in `text[start:end]` (already lowered for case-insensitive lexicons); one
        per label. Positions are in `text`. `cjk`: the text has Han/kana, which must not count
        as word characters for the boundaries."""
        regex = self._regex
        if regex is None:
            return []
        if cjk and self._template is not None:
            if self._cjk_regex is None:
                self._cjk_regex = re.compile(self._template.replace(_W, WORD_CHAR))
            regex = self._cjk_regex
        hits: list[Hit] = []
        append, cache = hits.append, self._label_cache
        for m in regex.finditer(text, start, len(text) if end is None else end):
            matched = m.group()
            if not matched:
                continue
            hit_start, hit_end = m.span()
            labels = cache.get(matched) or self._labels(text, hit_start, hit_end)
            if len(labels) == 1:
                append(Hit(hit_start, hit_end, labels[0], matched))
            else:
                hits.extend(Hit(hit_start, hit_end, label, matched) for label in labels)
        return hits
