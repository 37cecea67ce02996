"""Who is speaking: only the page's own voice makes claims that count (issue 15).

Every page here is the team's own writing (fictional clinics, outlets and agencies).
"""
from __future__ import annotations

import pytest

from crawler.classify import score
from crawler.classify.learned import Prediction, adjust, allowed_stances, default_model
from crawler.classify.model import Claim
from crawler.classify.page import analyse, combine
from crawler.classify.voice import hints_from_structured


def asserted(result) -> list[Claim]:
    return [c for c in result.claims if c.stance == "asserts"]


NEWS_PAGES = {
    "en": ("Published on 3 May. By our health reporter.\n"
           "A clinic in Lakeside told reporters that its stem cells cure autism.\n"
           "\"Our injections reverse multiple sclerosis,\" the director said.\n"
           "There is no evidence that these injections work, said a neurologist at the city hospital.\n"
           "Subscribe to our newsletter for more news."),
    "es": ("Redacción. Actualizado el 3 de mayo.\n"
           "Según el director de la clínica, sus células madre curan el autismo.\n"
           "\"Nuestras inyecciones revierten la esclerosis múltiple\", dijo el director.\n"
           "No hay evidencia de que estas inyecciones funcionen, explicó una neuróloga."),
    "fr": ("Rédaction. Mis à jour le 3 mai.\n"
           "Selon le directeur de la clinique, ses cellules souches guérissent l'autisme.\n"
           "On attribue à ces cellules le pouvoir de guérir la sclérose en plaques, a déclaré une patiente.\n"
           "Aucune preuve ne montre que ces injections fonctionnent, explique une neurologue."),
}


@pytest.mark.parametrize("language", sorted(NEWS_PAGES))
def test_reported_speech_on_a_news_page_is_not_the_pages_claim(language: str) -> None:
    result = score(NEWS_PAGES[language], language=language)
    assert result.voice == "news"
    assert not result.flagged, [(c.sentence, c.stance, c.cues) for c in result.claims]
    assert not [c for c in asserted(result) if c.category in ("cure", "unapproved_indication")]


def test_credulous_news_stating_a_cure_in_its_own_voice_still_counts() -> None:
    text = ("Published on 3 May. By our health reporter.\n"
            "The director said the clinic opened last spring.\n"
            "Stem cell injections cure autism in children within three months.\n"
            "Families travel from abroad for the treatment, which costs $9,000.")
    result = score(text, language="en")
    assert result.flagged
    assert any(c.category == "cure" and c.stance == "asserts" for c in result.claims)


@pytest.mark.parametrize("text,language", [
    ("Can stem cell therapy cure arthritis?\nIs stem cell therapy FDA-approved for autism?", "en"),
    ("¿Pueden las células madre curar la artrosis?\n¿Está aprobada la terapia con células madre para el autismo?",
     "es"),
    ("Kann eine Stammzelltherapie Arthrose heilen\nHilft Stammzelltherapie bei Autismus", "de"),
    ("幹細胞治療で関節症は治るのでしょうか。\n自閉症に幹細胞治療は効くのか。", "ja"),
])
def test_questions_and_question_headings_assert_nothing(text: str, language: str) -> None:
    result = score(text, language=language)
    assert not result.flagged
    assert not asserted(result), [(c.sentence, c.category, c.cues) for c in result.claims]


def test_the_answer_under_a_question_heading_is_where_the_claim_is() -> None:
    text = ("Can stem cells cure arthritis?\n"
            "Yes: our stem cell injections cure knee arthritis in most patients.\n"
            "Book a free consultation today.")
    result = score(text, language="en")
    assert result.flagged
    assert all("?" not in c.sentence for c in asserted(result))


def test_a_menu_heading_naming_a_condition_is_not_a_claim() -> None:
    text = "Stem Cell Therapy for Autism\nStem Cell Therapy for Parkinson's\nAbout Us\nContact"
    result = score(text, language="en")
    assert not result.flagged
    assert not [c for c in asserted(result) if c.category in ("cure", "unapproved_indication")]


@pytest.mark.parametrize("text,language", [
    ("Abstract\nBackground: mesenchymal stem cells were infused in 24 patients with knee osteoarthritis.\n"
     "Methods: a randomized controlled trial. Results: pain scores improved and cartilage regenerated.\n"
     "Keywords: stem cells; osteoarthritis; cartilage. doi:10.0000/example.2026.1\n"
     "References\n1. Smith A, et al. Cells in joints.", "en"),
    ("Аннотация\nМезенхимальные стволовые клетки вводили 24 пациентам с рассеянным склерозом.\n"
     "Результаты: у пациентов наблюдалось улучшение, клетки восстанавливают миелин.\n"
     "Ключевые слова: стволовые клетки, рассеянный склероз. doi:10.0000/example.2026.2\n"
     "Список литературы\n1. Иванов И. et al.", "ru"),
])
def test_an_academic_abstract_is_not_flagged(text: str, language: str) -> None:
    result = score(text, language=language)
    assert result.voice == "academic"
    assert not result.flagged
    assert not asserted(result)


def test_a_regulator_naming_the_only_approved_products_makes_no_claim() -> None:
    text = ("Consumer update from the agency.\n"
            "The only stem cell products approved by the FDA are blood-forming cells from cord blood.\n"
            "Consumers should report problems to MedWatch; the agency sends warning letters to clinics "
            "that market unapproved treatments for arthritis and autism.")
    result = score(text, language="en")
    assert result.voice == "regulator"
    assert not result.flagged
    assert not asserted(result)


def test_a_privacy_policy_asking_readers_to_contact_us_makes_no_claim() -> None:
    text = ("Privacy Policy\n"
            "This privacy policy explains how Verdant Stem Cell Clinic processes personal data under the GDPR.\n"
            "We use cookies to measure visits; third parties never receive your personal information.\n"
            "If you have questions about your data, please contact us.")
    result = score(text, language="en")
    assert result.voice == "legal"
    assert not result.flagged
    assert not asserted(result)


@pytest.mark.parametrize("text,language", [
    ("Verdant Clinic: regenerative care for knee arthritis.\n"
     "We have seen many of our patients improve after a single injection of stem cells.\n"
     "Umbilical cord cells are immune-privileged and do not cause a rejection reaction.\n"
     "No serious adverse events: minimal risk, minimal recovery time.\n"
     "Book a free consultation with our team.", "en"),
    ("Clínica Sol: terapia con células madre para la artrosis.\n"
     "Hemos visto a muchos pacientes mejorar tras una sola infusión de células madre.\n"
     "Las células son inmunoprivilegiadas y no causan rechazo.\n"
     "Riesgo mínimo y recuperación mínima. Agende su consulta con nuestros especialistas.", "es"),
    ("Praxis Lindenhof: Stammzelltherapie bei Arthrose.\n"
     "Die Zellen sind immunprivilegiert, es gibt keine Abstoßungsreaktion.\n"
     "Minimales Risiko und kurze Ausfallzeit. Termin vereinbaren mit unserem Team.", "de"),
])
def test_soft_selling_on_a_clinic_page_is_detected(text: str, language: str) -> None:
    result = score(text, language=language)
    assert result.voice == "seller"
    assert any(c.category == "risk_minimisation" and c.stance == "asserts" for c in result.claims)
    assert result.flagged, (result.score, [(c.sentence, c.category, c.stance) for c in result.claims])


SELLER = ("{name} offers stem cell therapy for knee arthritis and back pain.\n"
          "At {name}, mesenchymal stem cells regenerate cartilage.\n"
          "{name} has treated over 2,000 patients with multiple sclerosis and Parkinson's.\n"
          "Book a free consultation with {name} today.")


def test_replacing_the_clinic_name_does_not_change_stance() -> None:
    stances = []
    for name in ("Verdant Clinic", "our hospital", "Clinica Montenegro", "Nordlicht Zentrum"):
        result = score(SELLER.format(name=name), language="en")
        stances.append(sorted((c.category, c.stance) for c in result.claims))
        assert result.flagged
    assert all(s == stances[0] for s in stances), stances


def test_the_model_never_negates_a_sentence_without_a_negation_cue() -> None:
    prediction = Prediction({"none": 0.05, "asserts": 0.3, "negates": 0.6, "reports": 0.05}, {})
    claim = Claim(sentence="Our cells heal joints.", category="cure", condition=None, stance="asserts",
                  score=0.7, start=0, end=20, cues=("cure=heal",))
    no_cue = adjust([claim], prediction, allowed_stances(negation_cue=False, own_voice=True))
    assert [c.stance for c in no_cue] == ["asserts"]
    with_cue = adjust([claim], prediction, allowed_stances(negation_cue=True, own_voice=True))
    assert [c.stance for c in with_cue] == ["negates"]
    model = default_model()
    if model is None:
        pytest.skip("no model artifact")
    pages = [SELLER.format(name=n) for n in ("Verdant Clinic", "Klinik Sonnenhof")] + [
        "Our exosome drip regenerates the brain after a stroke.\nPatients regain speech in weeks."]
    for text in pages:
        analysis = analyse(text, language="en")
        for i, claims in enumerate(combine(analysis, model)):
            if not analysis.negation_cue[i]:
                assert all(c.stance != "negates" for c in claims), claims


def test_a_claim_names_the_condition_of_its_own_sentence() -> None:
    text = ("Our stem cell programme helps patients with type 2 diabetes lower their insulin.\n"
            "The same cells reverse Crohn's disease in weeks.\n"
            "Stem cells also repair myelin in multiple sclerosis.\n"
            "They restore walking within months.\n"
            "Book a free consultation.")
    result = score(text, language="en")
    by_sentence = {c.sentence: c.condition for c in result.claims if c.category in ("cure", "unapproved_indication")}
    crohn = [s for s in by_sentence if "Crohn" in s]
    assert crohn and by_sentence[crohn[0]] != "diabetes"
    pronoun = [s for s in by_sentence if s.startswith("They restore")]
    assert pronoun and by_sentence[pronoun[0]] == "multiple_sclerosis"


def test_html_hints_decide_the_voice_when_text_is_thin() -> None:
    text = "Stem cell therapy for knee arthritis.\nCartilage regeneration with your own cells."
    assert score(text, language="en", hints=frozenset({"MedicalClinic", "tel"})).voice == "seller"
    assert score(text, language="en", hints=frozenset({"ScholarlyArticle"})).voice == "academic"
    assert score(text, language="en").voice == "unknown"
    structured = '{"json-ld": [{"@type": "NewsArticle", "headline": "x"}], "opengraph": []}'
    assert "newsarticle" in hints_from_structured(structured)
    assert hints_from_structured("") == frozenset()
