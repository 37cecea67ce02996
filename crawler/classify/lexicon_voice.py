"""Who is speaking, per language: page-voice cues, reported speech, question openers, soft selling.

Why a separate data module: these cue kinds are new concepts (the page's voice, reported speech)
that span all eight languages, and reading them side by side keeps the languages consistent.
lexicon.py merges `CUES[language]` into that language's own CUES (same pattern conventions as
lexicon.py: lowercase, whole words for spaced languages; Chinese and Japanese patterns start with
a literal character and never use `\\w`). All wording is the team's own.

Kinds:
- `voice_<voice>`: evidence that the page is written by a seller, a news outlet, an academic, a
  regulator, a hospital transplant unit, a patient, a directory or is legal boilerplate
  (counted over the whole page by voice.py);
- `speech`: reported speech ("he said", "according to", "on leur attribue"): on a page whose
  voice is not the seller's, a claim in such a sentence is someone else's;
- `question_start`: a question opener at the start of a sentence ("How does ...", "Kann ...");
- `other_condition`: a condition outside the normalised vocabulary (Crohn's, psoriasis): a
  sentence naming one is not about the page's main condition;
- `risk_minimisation`, `cure`, `patient_outcome`, `benefit`: soft selling that never says "cure"
  (patients seen improving, no serious adverse events, cells that cause no reaction, minimal risk
  and recovery time, healing the whole body).
"""
from __future__ import annotations

_EN = {
    # Weak evidence (half weight in voice.py): words ordinary pages use too.
    "weak_academic": (r"results", r"methods?", r"background", r"university", r"journal"),
    "weak_regulator": (r"regulat(?:e|es|ed|ory|ion|ions)",),
    "voice_seller": (
        r"our (?:clinic|center|centre|patients|doctors|physicians|specialists|team|medical team|protocols?|"
        r"treatments?|therap(?:y|ies)|facility|facilities|stem cell (?:treatments?|therap(?:y|ies)))",
        r"book (?:a |an |your )?(?:free )?(?:consultation|appointment|call)", r"contact us", r"call us",
        r"free consultation", r"request (?:a |your )?(?:quote|consultation|call ?back)", r"whatsapp",
        r"we offer", r"we provide", r"we treat", r"treatment (?:cost|price)s?", r"(?:cost|price) of treatment",
        r"schedule (?:a |your )?(?:consultation|visit|appointment)", r"financing", r"payment plans?",
    ),
    "voice_news": (
        r"(?:he|she|they) (?:said|says|told)", r"said in (?:an|a) (?:interview|statement)", r"reporters?",
        r"news", r"correspondent", r"editor", r"associated press", r"reuters", r"updated", r"published on",
        r"subscribe", r"(?:told|tells) (?:the |our )?(?:newspaper|station|reporters?)", r"interview\w*",
    ),
    "voice_academic": (
        r"abstract", r"conclusions?:", r"keywords?", r"doi", r"et al", r"references", r"department of", r"pubmed", r"randomi[sz]ed", r"cohort",
        r"in vitro", r"in vivo", r"mice", r"murine", r"rats?", r"p ?< ?0", r"meta-analysis", r"systematic review",
        r"preclinical", r"corresponding author", r"affiliations?",
    ),
    "voice_regulator": (
        r"consumers?", r"warning letters?", r"enforcement", r"public health", r"(?:the )?agency", r"medwatch",
        r"report (?:adverse events|problems)", r"unapproved", r"guidance",
        r"health authorit\w*", r"injunction", r"compliance action",
    ),
    "voice_hospital": (
        r"transplant (?:unit|centre|center|programme|program|team)", r"ha?ematology", r"donor\w*",
        r"bone[- ]marrow transplant\w*", r"leuka?emia", r"lymphoma", r"myeloma", r"university hospital",
        r"nhs", r"oncology",
    ),
    "voice_patient": (
        r"i was diagnosed", r"my (?:journey|story|doctor|neurologist|diagnosis|symptoms)", r"i decided",
        r"i (?:had|felt|went|flew|travell?ed)", r"my (?:son|daughter|husband|wife|mother|father)",
    ),
    "voice_legal": (
        r"privacy (?:policy|notice|statement)", r"cookies?", r"gdpr", r"personal (?:data|information)",
        r"terms (?:and|&) conditions", r"terms of (?:use|service)", r"data (?:controller|protection|subject)",
        r"third part(?:y|ies)", r"consent to", r"processing", r"opt[- ]out", r"disclos(?:e|ure)",
    ),
    "voice_directory": (
        r"compare (?:clinics|prices|providers)", r"(?:top|best) \d* ?(?:clinics|providers|centers|centres)",
        r"listings?", r"verified (?:reviews|clinics)", r"find (?:a|the best) (?:clinic|provider|doctor)",
        r"(?:get|request) (?:free )?quotes",
    ),
    "speech": (
        r"said", r"says", r"told", r"according to", r"explain(?:s|ed)", r"added", r"noted", r"recalls?",
        r"claim(?:s|ed)?", r"believes?", r"promis(?:e|es|ed)", r"advertis(?:e|es|ed)",
        r"(?:has|have) worked on", r"works on", r"(?:his|her|their) (?:research|work|lab|team)",
        r"(?:researchers|scientists|authors|investigators|the study|the authors) (?:found|report\w*|show\w*|"
        r"observed|conclud\w*)",
    ),
    "question_start": (
        r"what", r"how", r"why", r"when", r"who", r"which", r"where", r"can", r"could", r"is", r"are", r"does",
        r"do", r"should", r"will", r"would",
    ),
    "other_condition": (
        r"crohn'?s?", r"colitis", r"psoria\w*", r"eczema", r"dermatitis", r"cirrho\w*", r"hepatitis",
        r"asthma", r"migraines?", r"obesity", r"infertility", r"cancers?", r"tumou?rs?", r"hiv", r"wounds?",
        r"burns", r"acne", r"scars?", r"wrinkles?",
    ),
    "risk_minimisation": (
        r"immun[eo]-?privileged", r"(?:does|do|will) not (?:cause|trigger|provoke) (?:any |an )?(?:immune )?"
        r"(?:reaction|rejection|response)",
        r"minimal(?:ly)? (?:risks?|invasive,? minimal risk)", r"minimal (?:downtime|recovery(?: time)?)",
        r"no (?:serious |major )?(?:adverse|side) (?:events?|reactions?)", r"very low risk",
        r"(?:well|safely) tolerated",
    ),
    "cure": (r"systemic (?:healing|repair|regeneration)", r"heal\w* (?:the|your) (?:whole|entire) body",),
    "patient_outcome": (
        r"we (?:have )?(?:seen|observed|witnessed) (?:\w+ ){0,3}?patients",
        r"(?:patients|clients) (?:\w+ ){0,2}?(?:improv\w*|get better|progress\w*)",
    ),
}

_ES = {
    # Weak evidence (half weight in voice.py): words ordinary pages use too.
    "weak_academic": (r"resultados", r"métodos?", r"conclusi(?:ón|ones)", r"universidad", r"revista"),
    "weak_regulator": (r"regulaci(?:ón|ones)",),
    "voice_seller": (
        r"nuestr[oa]s? (?:clínicas?|centros?|pacientes|médicos|especialistas|equipo|tratamientos?|terapias?|"
        r"protocolos?)", r"(?:agende|agenda|reserve|reserva|solicite|solicita|pida|pide) (?:su |tu |una )?"
        r"(?:cita|consulta|valoración|cotización)", r"contáctenos", r"contáctanos", r"llámenos", r"whatsapp",
        r"consulta gratuita", r"ofrecemos", r"financiamiento",
    ),
    "voice_news": (
        r"(?:dijo|afirmó|declaró|explicó|señaló|aseguró|añadió)", r"periodista", r"redacción", r"noticias?",
        r"agencia efe", r"europa press", r"entrevista\w*", r"actualizado",
    ),
    "voice_academic": (
        r"resumen", r"palabras clave", r"doi", r"et al", r"referencias", r"bibliografía", r"aleatorizad\w*", r"ratones",
        r"in vitro", r"in vivo", r"revisión sistemática", r"metaanálisis",
    ),
    "voice_regulator": (
        r"consumidores", r"cofepris", r"anmat", r"aemps", r"ministerio de salud", r"alerta sanitaria",
        r"salud pública", r"no autorizad\w*", r"sanci(?:ón|ones)",
    ),
    "voice_hospital": (r"trasplante de médula\w*", r"hematología", r"donantes?", r"leucemia", r"linfoma",
                       r"hospital universitario", r"unidad de trasplante"),
    "voice_patient": (r"me diagnosticaron", r"mi (?:historia|experiencia|médico|diagnóstico)", r"decidí",
                      r"mi (?:hijo|hija|esposo|esposa|madre|padre)"),
    "voice_legal": (r"política de privacidad", r"cookies?", r"datos personales", r"aviso (?:legal|de privacidad)",
                    r"términos y condiciones", r"rgpd", r"responsable del tratamiento", r"terceros"),
    "voice_directory": (r"compar(?:e|a|ar) (?:clínicas|precios)", r"mejores clínicas", r"reseñas verificadas"),
    "speech": (r"dijo", r"dice", r"afirm(?:a|ó|an)", r"declar(?:a|ó)", r"explic(?:a|ó)", r"señal(?:a|ó)",
               r"asegur(?:a|ó|an)", r"añadi?ó", r"según", r"promet(?:e|en|ía|ían|ió|ieron|iendo)", r"ha trabajado en",
               r"(?:los )?investigadores (?:hallaron|encontraron|observaron|reportaron)"),
    "question_start": (r"qué", r"cómo", r"por qué", r"cuándo", r"cuál\w*", r"quién\w*", r"dónde", r"puede\w*",
                       r"funciona\w*", r"sirven?"),
    "other_condition": (r"crohn", r"colitis", r"psoriasis", r"eccema", r"dermatitis", r"cirrosis", r"hepatitis",
                        r"asma", r"obesidad", r"infertilidad", r"cáncer", r"tumor\w*", r"heridas?", r"acné",
                        r"cicatri\w*", r"arrugas"),
    "risk_minimisation": (r"inmunoprivilegiad\w*", r"no (?:causan?|provocan?|generan?) (?:ninguna )?"
                          r"(?:reacción|rechazo)", r"riesgo mínimo", r"mínimo riesgo",
                          r"(?:recuperación|tiempo de recuperación) mínim[oa]",
                          r"sin (?:eventos|efectos) adversos (?:graves|serios)", r"bien tolerad\w*"),
    "cure": (r"curación sistémica", r"sanación (?:sistémica|integral)"),
    "patient_outcome": (r"hemos (?:visto|observado) (?:\w+ ){0,3}?pacientes",
                        r"pacientes (?:\w+ ){0,2}?mejor(?:an|aron|ía)"),
}

_PT = {
    # Weak evidence (half weight in voice.py): words ordinary pages use too.
    "weak_academic": (r"resultados", r"métodos?", r"conclus(?:ão|ões)", r"universidade", r"revista"),
    "weak_regulator": (r"regulament\w*",),
    "voice_seller": (
        r"nossa? (?:clínica|equipe|centro)", r"nossos? (?:pacientes|médicos|especialistas|tratamentos?|protocolos?)",
        r"(?:agende|marque|solicite) (?:sua |uma )?(?:consulta|avaliação)", r"fale conosco", r"entre em contato",
        r"whatsapp", r"oferecemos", r"orçamento",
    ),
    "voice_news": (r"(?:disse|afirmou|declarou|explicou|contou|relatou)", r"jornalista", r"redação",
                   r"notícias?", r"reportagem", r"entrevista\w*", r"atualizado"),
    "voice_academic": (r"resumo", r"palavras-chave", r"doi", r"et al", r"referências", r"randomizad\w*",
                       r"camundongos", r"ratos", r"in vitro", r"in vivo", r"revisão sistemática"),
    "voice_regulator": (r"anvisa", r"consumidores", r"ministério da saúde", r"saúde pública", r"não (?:autorizad|aprovad|registrad)\w*", r"vigilância sanitária"),
    "voice_hospital": (r"transplante de medula\w*", r"hematologia", r"doador\w*", r"leucemia", r"linfoma",
                       r"hospital universitário"),
    "voice_patient": (r"fui diagnosticad[oa]", r"minha (?:história|experiência|jornada)", r"decidi",
                      r"meu (?:filho|marido|pai|médico)", r"minha (?:filha|esposa|mãe)"),
    "voice_legal": (r"política de privacidade", r"cookies?", r"dados pessoais", r"lgpd", r"termos de uso",
                    r"controlador", r"titular dos dados", r"terceiros", r"tratamento de dados"),
    "voice_directory": (r"compar(?:e|ar) (?:clínicas|preços)", r"melhores clínicas"),
    "speech": (r"disse", r"diz", r"afirm(?:a|ou|am)", r"declar(?:a|ou)", r"explic(?:a|ou)", r"cont(?:a|ou)",
               r"relat(?:a|ou)", r"segundo", r"de acordo com", r"promet(?:e|em|ia|iam|eu|eram)", r"vendem", r"tem trabalhado em",
               r"(?:os )?pesquisadores (?:observaram|encontraram|relataram)"),
    "question_start": (r"o que", r"como", r"por que", r"porque", r"quando", r"qual", r"quais", r"quem",
                       r"onde", r"pode\w*", r"funciona\w*"),
    "other_condition": (r"crohn", r"colite", r"psoríase", r"eczema", r"dermatite", r"cirrose", r"hepatite",
                        r"asma", r"obesidade", r"infertilidade", r"câncer", r"cancro", r"tumor\w*", r"feridas?",
                        r"acne", r"cicatri\w*", r"rugas"),
    "risk_minimisation": (r"imunoprivilegiad\w*", r"não (?:causam?|provocam?|geram?) (?:nenhuma )?(?:reação|rejeição)",
                          r"risco mínimo", r"mínimo risco", r"recuperação (?:mínima|rápida)",
                          r"sem eventos adversos (?:graves|sérios)", r"bem tolerad\w*"),
    "cure": (r"cura sistêmica", r"cicatrização sistêmica"),
    "patient_outcome": (r"(?:temos|já) (?:visto|observado) (?:\w+ ){0,3}?pacientes",
                        r"pacientes (?:\w+ ){0,2}?melhor(?:am|aram)"),
}

_DE = {
    # Weak evidence (half weight in voice.py): words ordinary pages use too.
    "weak_academic": (r"ergebnisse", r"methoden?", r"schlussfolgerung\w*", r"universität\w*", r"fachzeitschrift"),
    "weak_regulator": (r"regulier\w*", r"behördlich\w*"),
    "voice_seller": (
        r"unser(?:e|er|en|em)? (?:klinik|praxis|patient\w*|ärzt\w*|team|behandlung\w*|therapie\w*|zentrum)",
        r"termin (?:vereinbaren|buchen)", r"kontaktieren sie uns", r"rufen sie uns an", r"whatsapp",
        r"kostenlose\w* (?:beratung|erstgespräch)", r"wir bieten", r"kosten der behandlung",
    ),
    "voice_news": (r"(?:sagte|sagt|erklärte|betonte|berichtete)", r"redaktion", r"nachrichten", r"reporter\w*",
                   r"dpa", r"interview\w*", r"aktualisiert"),
    "voice_academic": (r"zusammenfassung", r"schlüsselwörter", r"doi", r"et al", r"literaturverzeichnis",
                       r"randomisiert\w*", r"mäuse\w*", r"ratten", r"in vitro", r"in vivo", r"übersichtsarbeit"),
    "voice_regulator": (r"verbraucher\w*", r"bundesinstitut", r"paul-ehrlich-institut", r"behörde\w*",
                        r"gesundheitsamt", r"öffentliche gesundheit", r"nicht zugelassen\w*", r"warnt",
                        r"swissmedic", r"arzneimittelgesetz"),
    "voice_hospital": (r"knochenmarktransplantation\w*", r"stammzelltransplantation\w*", r"hämatologie",
                       r"spender\w*", r"leukämie\w*", r"lymphom\w*", r"universitätsklinik\w*"),
    "voice_patient": (r"ich (?:hatte|war|bekam|entschied|fühlte)", r"meine? (?:geschichte|erfahrung|diagnose|sohn|tochter|mann|frau)",
                      r"bei mir wurde"),
    "voice_legal": (r"datenschutz\w*", r"cookies?", r"dsgvo", r"personenbezogene\w* daten", r"impressum",
                    r"nutzungsbedingungen", r"verantwortliche\w*", r"dritte\w*", r"einwilligung"),
    "voice_directory": (r"kliniken vergleichen", r"beste\w* kliniken", r"anbieter vergleichen"),
    "speech": (r"sagte", r"sagt", r"erklärt\w*", r"betont\w*", r"berichtet\w*", r"laut", r"zufolge",
               r"versprechen", r"versprach\w*", r"verspricht", r"werben", r"wirbt", r"behauptet\w*", r"arbeitet an",
               r"(?:die )?forscher (?:fanden|beobachteten|berichten)"),
    "question_start": (r"was", r"wie", r"warum", r"wann", r"wer", r"welche\w*", r"wo", r"kann", r"können",
                       r"ist", r"sind", r"gibt es", r"hilft", r"helfen", r"wirkt", r"lohnt"),
    "other_condition": (r"morbus crohn", r"crohn", r"colitis", r"psoriasis", r"ekzem\w*", r"neurodermitis",
                        r"zirrhose", r"hepatitis", r"asthma", r"adipositas", r"unfruchtbarkeit", r"krebs\w*",
                        r"tumor\w*", r"wunde\w*", r"akne", r"narbe\w*", r"falten"),
    "risk_minimisation": (r"immunprivilegiert\w*", r"(?:keine|ohne) (?:immun|abstoßungs)?reaktion\w*",
                          r"minimal(?:es)? risiko", r"kurze\w* (?:ausfallzeit|erholungszeit)",
                          r"keine (?:schweren|ernsthaften) nebenwirkungen", r"gut verträglich"),
    "cure": (r"ganzheitliche\w* heilung", r"systemische\w* heilung"),
    "patient_outcome": (r"wir (?:haben|sehen) (?:\w+ ){0,3}?patient\w*", r"patient\w* (?:\w+ ){0,2}?verbesser\w*"),
}

_FR = {
    # Weak evidence (half weight in voice.py): words ordinary pages use too.
    "weak_academic": (r"résultats", r"méthodes?", r"conclusions?", r"université", r"revue"),
    "weak_regulator": (r"réglementation",),
    "voice_seller": (
        r"notre (?:clinique|centre|équipe|protocole|traitement|thérapie)", r"nos (?:patients|médecins|spécialistes|"
        r"traitements|thérapies)", r"prenez rendez-vous", r"prendre rendez-vous", r"contactez-nous",
        r"appelez-nous", r"whatsapp", r"consultation gratuite", r"nous proposons", r"nous offrons",
        r"devis",
    ),
    "voice_news": (r"(?:a déclaré|a expliqué|a affirmé|a ajouté|a souligné|raconte)", r"journaliste",
                   r"rédaction", r"actualités?", r"afp", r"interview\w*", r"entretien", r"mis à jour"),
    "voice_academic": (r"mots-clés", r"doi", r"et al", r"références", r"bibliographie", r"randomisé\w*", r"souris",
                       r"rats", r"in vitro", r"in vivo", r"méta-analyse", r"revue systématique"),
    "voice_regulator": (r"consommateurs", r"ansm", r"swissmedic", r"haute autorité de santé", r"santé publique",
                        r"non autorisé\w*", r"illégal\w*", r"mesures? contre", r"autorités?"),
    "voice_hospital": (r"greffe de moelle\w*", r"hématologie", r"donneurs?", r"leucémie\w*", r"lymphome\w*",
                       r"chu", r"centre hospitalier"),
    "voice_patient": (r"on m'a diagnostiqué", r"mon (?:histoire|parcours|médecin|fils|mari)",
                      r"ma (?:fille|femme|mère)", r"j'ai décidé", r"j'avais"),
    "voice_legal": (r"politique de confidentialité", r"cookies?", r"données personnelles", r"rgpd",
                    r"mentions légales", r"conditions générales", r"responsable du traitement", r"tiers"),
    "voice_directory": (r"compar(?:er|ez) (?:les )?(?:cliniques|prix)", r"meilleures cliniques"),
    "speech": (r"a déclaré", r"déclare", r"expliqu(?:e|ait)", r"a expliqué", r"affirm(?:e|ent|ait)",
               r"ajout(?:e|é)", r"selon", r"d'après", r"prêt(?:e|ent)", r"promett(?:ent|ait|aient)", r"promet",
               r"a travaillé sur", r"travaille sur", r"(?:les )?chercheurs (?:ont )?(?:observé|constaté|trouvé)"),
    "question_start": (r"qu'est-ce", r"quel\w*", r"comment", r"pourquoi", r"quand", r"qui", r"où", r"est-ce",
                       r"peut-on", r"faut-il"),
    "other_condition": (r"crohn", r"colite", r"psoriasis", r"eczéma", r"dermatite", r"cirrhose", r"hépatite",
                        r"asthme", r"obésité", r"infertilité", r"cancers?", r"tumeurs?", r"plaies?", r"acné",
                        r"cicatrices?", r"rides"),
    "risk_minimisation": (r"immunoprivilégié\w*", r"(?:ne (?:provoque|provoquent|cause|causent) )?(?:aucune|pas de) "
                          r"(?:réaction|rejet)", r"risque minime", r"risque minimal", r"récupération (?:rapide|minimale)",
                          r"aucun (?:effet|événement) indésirable (?:grave|sérieux)", r"bien toléré\w*"),
    "cure": (r"guérison (?:systémique|globale)",),
    "patient_outcome": (r"nous avons (?:vu|observé|constaté) (?:\w+ ){0,3}?patients",
                        r"patients (?:\w+ ){0,2}?s'améliorer"),
}

_RU = {
    # Weak evidence (half weight in voice.py): words ordinary pages use too.
    "weak_academic": (r"результаты", r"методы", r"выводы", r"университет\w*", r"журнал\w*"),
    "weak_regulator": (r"регулирова\w*", r"надзор\w*"),
    "voice_seller": (
        r"наш(?:а|и|ей|их|ем|у)? (?:клиник\w*|центр\w*|пациент\w*|врач\w*|специалист\w*|команд\w*)",
        r"запис(?:аться|ывайтесь|ь) на (?:приём|прием|консультаци\w*)", r"свяжитесь с нами", r"позвоните",
        r"whatsapp", r"бесплатн\w* консультаци\w*", r"мы предлагаем", r"стоимость лечения",
    ),
    "voice_news": (r"(?:сказал|заявил|рассказал|сообщил|отметил)\w*", r"корреспондент\w*", r"редакци\w*",
                   r"новост\w*", r"риа новости", r"тасс", r"интервью"),
    "voice_academic": (r"аннотация", r"ключевые слова", r"doi", r"et al", r"список литературы",
                       r"рандомизир\w*", r"мыш\w*", r"крыс\w*", r"in vitro", r"in vivo"),
    "voice_regulator": (r"потребител\w*", r"минздрав\w*", r"росздравнадзор\w*", r"роспотребнадзор\w*",
                        r"не зарегистрирован\w*", r"незаконн\w*"),
    "voice_hospital": (r"трансплантаци\w* костного мозга", r"гематолог\w*", r"донор\w*", r"лейкоз\w*",
                       r"лимфом\w*", r"онкогематолог\w*"),
    "voice_patient": (r"мне поставили", r"моя история", r"я решил\w*", r"мой (?:сын|муж|врач)",
                      r"моя (?:дочь|жена|мама)"),
    "voice_legal": (r"политик\w* конфиденциальности", r"cookies?", r"куки", r"персональн\w* данн\w*",
                    r"пользовательское соглашение", r"обработк\w* данных", r"третьим лицам"),
    "voice_directory": (r"сравн\w* клиник", r"лучшие клиники", r"рейтинг клиник"),
    "speech": (r"сказал\w*", r"заявил\w*", r"рассказал\w*", r"сообщ(?:ил|ает)\w*", r"отмечает", r"считает",
               r"по (?:словам|данным|мнению)", r"утвержда\w*", r"обеща\w*", r"работает над",
               r"(?:исследователи|учёные|ученые) (?:обнаружили|выяснили|наблюдали)"),
    "question_start": (r"что", r"как", r"почему", r"зачем", r"когда", r"кто", r"как\w{2,3}", r"можно ли",
                       r"стоит ли", r"помога\w* ли"),
    "other_condition": (r"крона", r"колит\w*", r"псориаз\w*", r"экзем\w*", r"дерматит\w*", r"цирроз\w*",
                        r"гепатит\w*", r"астм\w*", r"ожирени\w*", r"бесплоди\w*", r"рак\w*", r"опухол\w*",
                        r"ран(?:а|ы|ах)", r"акне", r"рубц\w*", r"морщин\w*"),
    "risk_minimisation": (r"иммунопривилегирован\w*", r"не вызыва\w* (?:реакци\w*|отторжени\w*)",
                          r"минимальн\w* риск\w*", r"минимальн\w* (?:период|срок)\w* восстановления",
                          r"без серьёзных побочных", r"без серьезных побочных", r"хорошо переносится"),
    "cure": (r"системн\w* исцелени\w*",),
    "patient_outcome": (r"мы (?:видим|видели|наблюдаем|наблюдали) (?:\w+ ){0,3}?пациент\w*",
                        r"(?:у )?пациент\w* (?:\w+ ){0,2}?улучш\w*"),
}

_ZH = {
    # Weak evidence (half weight in voice.py): words ordinary pages use too.
    "weak_academic": (r"方法", r"结果", r"结论", r"大学", r"期刊", r"综述"),
    "weak_regulator": (r"监管",),
    "voice_seller": (r"我们的(?:诊所|医院|中心|患者|医生|专家|团队)", r"本(?:院|中心|诊所)", r"预约", r"立即咨询",
                     r"免费咨询", r"联系我们", r"咨询热线"),
    "voice_news": (r"记者", r"报道", r"新闻", r"编辑", r"责任编辑", r"原标题", r"来源:", r"新华社"),
    "voice_academic": (r"摘要", r"关键词", r"doi", r"et al", r"参考文献", r"随机对照", r"小鼠", r"大鼠"),
    "voice_regulator": (r"消费者", r"国家药监局", r"卫健委", r"卫生部", r"未经批准", r"违法", r"衛生署",
                        r"食药监"),
    "voice_hospital": (r"骨髓移植", r"造血干细胞移植", r"血液科", r"捐献者", r"供者", r"白血病", r"淋巴瘤"),
    "voice_patient": (r"我被诊断", r"我的(?:经历|故事|孩子|儿子|女儿)", r"我决定"),
    "voice_legal": (r"隐私政策", r"隐私权", r"个人信息", r"cookie", r"用户协议", r"服务条款", r"第三方"),
    "voice_directory": (r"医院排名", r"比较诊所", r"诊所排行"),
    "speech": (r"表示", r"指出", r"据(?:悉|报道|介绍|了解)", r"认为", r"声称", r"宣称", r"号称", r"承诺"),
    "question_start": (r"什么", r"如何", r"怎么", r"为什么", r"哪些", r"是否", r"能否", r"干细胞能"),
    "other_condition": (r"克罗恩", r"结肠炎", r"银屑病", r"湿疹", r"皮炎", r"肝硬化", r"肝炎", r"哮喘", r"肥胖",
                        r"不孕", r"癌", r"肿瘤", r"伤口", r"痤疮", r"疤痕", r"皱纹"),
    "risk_minimisation": (r"免疫豁免", r"不会(?:引起|产生|导致)(?:排斥|免疫)反应", r"无排斥", r"风险极低",
                          r"恢复期短", r"无严重不良(?:反应|事件)"),
    "cure": (r"全身修复", r"系统性修复"),
    "patient_outcome": (r"我们(?:已经)?(?:看到|观察到)(?:许多|很多)?患者", r"患者(?:的)?(?:病情|症状)(?:明显)?(?:改善|好转)"),
}

_JA = {
    # Weak evidence (half weight in voice.py): words ordinary pages use too.
    "weak_academic": (r"方法", r"結果", r"結論", r"大学", r"論文"),
    "weak_regulator": (r"規制", r"行政", r"法律"),
    "voice_seller": (r"当院", r"当クリニック", r"ご予約", r"予約", r"お問い合わせ", r"無料(?:相談|カウンセリング)",
                     r"税込"),
    "voice_news": (r"記者", r"報道", r"ニュース", r"編集部", r"共同通信", r"配信"),
    "voice_academic": (r"要旨", r"抄録", r"キーワード", r"doi", r"et al", r"参考文献", r"ランダム化", r"マウス",
                       r"ラット", r"in vitro", r"in vivo"),
    "voice_regulator": (r"厚生労働省", r"消費者", r"注意喚起", r"未承認"),
    "voice_hospital": (r"骨髄移植", r"造血幹細胞移植", r"血液内科", r"ドナー", r"白血病", r"リンパ腫"),
    "voice_patient": (r"私は(?:診断|決め)", r"私の(?:体験|経験|息子|娘|夫|妻)", r"闘病"),
    "voice_legal": (r"プライバシーポリシー", r"個人情報", r"クッキー", r"cookie", r"利用規約", r"第三者"),
    "voice_directory": (r"クリニック比較", r"おすすめクリニック", r"ランキング"),
    "speech": (r"によると", r"によれば", r"と話", r"と語", r"と述べ", r"と説明", r"と主張", r"と宣伝", r"とうた",
               r"と謳", r"氏は"),
    "question_start": (r"なぜ", r"どう", r"どのよう", r"何", r"いつ", r"どれ"),
    "other_condition": (r"クローン病", r"大腸炎", r"乾癬", r"湿疹", r"皮膚炎", r"肝硬変", r"肝炎", r"喘息", r"肥満",
                        r"不妊", r"がん", r"癌", r"腫瘍", r"傷", r"ニキビ", r"しわ", r"シワ"),
    "risk_minimisation": (r"免疫(?:学的)?特権", r"拒絶反応(?:が|は)?(?:起こりにくい|起きにくい|ほとんどない|少ない)",
                          r"リスク(?:が|は)?(?:極めて|非常に)?(?:低い|少ない)", r"ダウンタイム(?:が|は)?(?:ほとんど|少な)",
                          r"重篤な副作用(?:は|が)?(?:ない|報告されていない)"),
    "cure": (r"全身(?:の)?(?:修復|治癒)",),
    "patient_outcome": (r"患者様(?:の)?(?:多く|症状)(?:が|は)?(?:改善|回復)", r"改善が見られ"),
}

CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": _EN, "es": _ES, "pt": _PT, "de": _DE, "fr": _FR, "ru": _RU, "zh": _ZH, "ja": _JA,
}
# Cue kinds scanned in their own layer (they must not steal matches from the claim cues).
VOICE_LAYER: tuple[str, ...] = (
    "voice_seller", "voice_news", "voice_academic", "voice_regulator", "voice_hospital", "voice_patient",
    "voice_legal", "voice_directory", "weak_academic", "weak_regulator", "speech", "question_start", "other_condition",
)
