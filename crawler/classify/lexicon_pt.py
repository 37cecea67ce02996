"""Portuguese vocabulary, Brazil and Portugal (data only; see lexicon.py for the pattern conventions).

Accents are optional where web pages often drop them ("celulas-tronco", "nao").
"""
from __future__ import annotations

CONDITIONS: dict[str, tuple[str, ...]] = {
    "diabetes": (r"diab[eé]t\w*", r"insulina\w*", r"glicemi\w*", r"glicose", r"a[cç][uú]car no sangue",
                 r"hemoglobina glicada", r"c[eé]lulas beta", r"ilhotas"),
    "autism": (r"autis\w*", r"transtorno do espectro autista", r"perturba[cç][aã]o do espetro do autismo",
               r"asperger\w*"),
    "multiple_sclerosis": (r"esclerose m[uú]ltipla",),
    "als": (r"esclerose lateral amiotr[oó]fica",),
    "parkinsons": (r"parkinson\w*",),
    "alzheimers": (r"alzheimer\w*", r"dem[eê]ncia\w*"),
    "stroke": (r"acidentes? vascular(?:es)? cerebra(?:l|is)", r"derrames?(?: cerebra(?:l|is))?", r"infarto cerebral"),
    "spinal_cord_injury": (r"les(?:[aã]o|[oõ]es) (?:da |na )?medula espinhal", r"les(?:[aã]o|[oõ]es) (?:da )?medula",
                           r"les(?:[aã]o|[oõ]es) medular(?:es)?", r"traumatismo raquimedular", r"parapl[eé]gi\w*",
                           r"tetrapl[eé]gi\w*"),
    "cerebral_palsy": (r"paralisia cerebral",),
    "copd": (r"doen[cç]a pulmonar obstrutiva cr[oô]nica", r"enfisema", r"fibrose pulmonar",
             r"doen[cç]as? pulmonar(?:es)?"),
    "heart_failure": (r"insufici[eê]ncia card[ií]aca", r"doen[cç]as? card[ií]acas?", r"cardiopatia\w*",
                      r"infarto(?: do mioc[aá]rdio)?", r"ataques? card[ií]acos?"),
    "osteoarthritis": (r"artrose\w*", r"osteoartrite\w*", r"artrite\w*", r"gonartrose\w*", r"coxartrose\w*"),
    "rheumatoid_arthritis": (r"artrite reumatoide", r"artrite reumat[oó]ide"),
    "joint_pain": (r"dor(?:es)? (?:nas? |nos? )?(?:articula\w*|joelhos?|quadril|ombros?|anca)", r"cartilagem",
                   r"menisco\w*", r"tend[aã]o\w*", r"tendinite\w*", r"ligamentos?", r"les(?:[aã]o|[oõ]es) esportivas?",
                   r"les(?:[aã]o|[oõ]es) desportivas?", r"manguito rotador", r"articula[cç](?:[aã]o|[oõ]es)"),
    "back_pain": (r"dor(?:es)? (?:nas |de |na )?(?:costas|coluna|lombar)", r"lombalgia\w*", r"h[eé]rnias? de disco",
                  r"h[eé]rnias? discal", r"ci[aá]tica", r"dor cervical", r"estenose (?:do canal|espinhal)"),
    "macular_degeneration": (r"degenera[cç][aã]o macular",),
    "vision_loss": (r"cegueira", r"perda de vis[aã]o", r"retinose pigmentar", r"glaucoma", r"nervo [oó]ptico"),
    "epilepsy": (r"epilep\w*",),
    "long_covid": (r"covid longa", r"covid longo", r"p[oó]s[- ]covid", r"covid(?:-19)?"),
    "anti_ageing": (r"anti[- ]?envelhecimento", r"antienvelhecimento", r"rejuvenesc\w*", r"longevidade", r"rugas",
                    r"envelhecimento"),
    "erectile_dysfunction": (r"disfun[cç][aã]o er[eé]til", r"impot[eê]ncia", r"(?:fun[cç][aã]o|desempenho) sexual"),
    "hair_loss": (r"queda de cabelo", r"alopecia", r"calv[ií]cie", r"perda de cabelo"),
    "lupus": (r"l[uú]pus",),
    "chronic_pain": (r"dor(?:es)? cr[oô]nicas?", r"neuropatia\w*", r"fibromialgia"),
    "chronic_fatigue": (r"fadiga(?: cr[oô]nica)?", r"cansa[cç]o cr[oô]nico"),
    "kidney_disease": (r"insufici[eê]ncia renal", r"doen[cç]as? renal", r"doen[cç]as? renais"),
    "leukaemia": (r"leucemia\w*",),
    "lymphoma": (r"linfoma\w*",),
    "myeloma": (r"mieloma\w*",),
    "blood_cancer": (r"c[aâ]nceres? (?:do|no) sangue", r"cancros? do sangue", r"c[aâ]nceres? hematol[oó]gicos?",
                     r"neoplasias? hematol[oó]gicas?", r"s[ií]ndromes? mielodispl[aá]sicas?"),
    "blood_disorder": (r"anemia falciforme", r"talassemia\w*", r"anemia apl[aá]stica", r"imunodefici[eê]ncia\w*"),
}

CUES: dict[str, tuple[str, ...]] = {
    "cure": (
        r"cur(?:a|am|ar|ou|aram|ado|ada|ados|adas|e|em|ativ[oa]s?|a[cç][aã]o)", r"revert\w*", r"revers[aã]o",
        r"regener(?:a|am|ar|ou|a[cç][aã]o)", r"restaur\w*", r"restabelec\w*", r"repar(?:a|am|ar|ou|a[cç][aã]o)",
        r"elimin(?:a|am|ar|ou|a[cç][aã]o)", r"erradic\w*",
        r"(?:n[aã]o precisa\w*|deixa\w* de precisar|n[aã]o depende\w*) (?:mais )?de (?:insulina|medicamentos|"
        r"rem[eé]dios|cirurgia)", r"sem insulina", r"livres? de (?:insulina|medicamentos|rem[eé]dios|dor)",
        r"independ[eê]ncia (?:da|de) insulina", r"recupera[cç][aã]o (?:total|completa)", r"rejuvenesc\w*",
        r"novas c[eé]lulas", r"nova cartilagem",
    ),
    "benefit": (
        r"melhor\w*", r"ajud(?:a|am|ar|ou)", r"reduz\w*", r"redu[cç][aã]o", r"diminu\w*", r"alivi\w*", r"aten[uú]\w*",
        r"trat(?:a|am|ar|amento|amentos) (?:de|do|da|dos|das|para)", r"terapias? para", r"benef[ií]cio\w*",
        r"recupera\w*", r"estabiliz\w*", r"protege\w*", r"combat\w*", r"eficaz (?:para|contra|no|na)",
        r"op[cç][aã]o para", r"solu[cç][aã]o para", r"esperan[cç]a para", r"resultados em",
        r"retard\w* a progress[aã]o",
        r"para (?:pacientes|pessoas|crian[cç]as|adultos|quem) (?:com|que sofrem|que t[eê]m)",
        r"evit\w* (?:a )?(?:cirurgia|pr[oó]tese)", r"sem cirurgia",
    ),
    "risk_minimisation": (
        r"sem (?:nenhum )?(?:efeitos? colaterais|efeitos? adversos|riscos?|rejei[cç][aã]o|complica[cç](?:[aã]o|"
        r"[oõ]es))",
        r"(?:100 ?%|totalmente|completamente|absolutamente|muito) segur[oa]s?", r"risco zero", r"livre de riscos?",
        r"n[aã]o (?:h[aá]|t[eê]m|existe|apresenta) (?:nenhum |qualquer )?(?:riscos?|rejei[cç][aã]o|efeitos? colaterais)",
        r"segur[oa]s? e eficaz\w*",
    ),
    "efficacy_statistics": (
        r"\d{1,3}(?:[.,]\d+)? ?% (?:de |dos )?(?:nossos )?(?:sucesso|melhora|pacientes|efic[aá]cia|casos)",
        r"taxas? de (?:sucesso|resposta|melhora|recupera[cç][aã]o)(?: \w+){0,3} \d{1,3}(?:[.,]\d+)? ?%?",
        r"(?:\d+|nove|oito|sete) em cada (?:10|dez)",
        r"(?:a maioria|maioria|quase todos) (?:d?os )?(?:nossos )?pacientes (?:\w+ )?(?:melhora\w*|notam|"
        r"relatam|sentem)",
    ),
    "regulatory_misrepresentation": (
        r"(?:aprovad|certificad|registrad|autorizad|liberad)[oa]s? (?:pela|pelo|na|no) (?:fda|anvisa|infarmed|"
        r"minist[eé]rio|governo)", r"registro na anvisa", r"(?:legalmente|oficialmente) (?:aprovad|autorizad)[oa]s?",
    ),
    "borrowed_legitimacy": (
        r"cientificamente (?:comprovad|provad|validad)[oa]s?", r"clinicamente (?:comprovad|testad)[oa]s?",
        r"patente\w*",
        r"instituto", r"publicad[oa]s? (?:em|na|no)", r"membros? d[aeo]", r"pioneir\w*", r"milhares de pacientes",
        r"estudos (?:comprovam|mostram|provam|confirmam)", r"reconhecid[oa]s? (?:mundial|internacional)mente",
        r"refer[eê]ncia (?:mundial|internacional)", r"l[ií]deres? em", r"premiad[oa]s?", r"acreditad[oa]s?",
    ),
    "hype": (r"milagr\w*", r"revolucion\w*", r"inovador\w*", r"segredos?", r"fonte da juventude", r"incr[ií]ve\w*",
             r"de ponta", r"extraordin[aá]ri\w*", r"m[aá]gic\w*", r"avan[cç]o sem precedentes"),
    "commercial_pressure": (
        r"r\$ ?\d[\d.,]*", r"\d[\d.,]* ?(?:reais|euros?|€|usd)", r"pre[cç]os?", r"pacotes?", r"financiamento",
        r"parcel(?:as|amento)", r"sem juros", r"promo[cç][aã]o\w*", r"desconto\w*", r"hotel\w*", r"hospedagem",
        r"alojamento", r"traslado\w*", r"tudo inclu[ií]do", r"devolu[cç][aã]o do dinheiro", r"garantia\w*",
        r"garantid[oa]s?", r"or[cç]amento",
    ),
    "call_to_action": (
        r"(?:consulta|avalia[cç][aã]o) gratuita",
        r"(?:agende|marque|reserve|solicite) (?:j[aá] )?(?:sua|uma|seu|um) (?:consulta|avalia[cç][aã]o|or[cç]amento|"
        r"hor[aá]rio)", r"fale conosco", r"entre em contato", r"ligue (?:j[aá]|agora)", r"whatsapp",
        r"vagas limitadas", r"oferta (?:especial|limitada)", r"por tempo limitado",
    ),
    "negation_evidence": (
        r"n[aã]o (?:h[aá]|existe\w*) (?:\w+ ){0,3}(?:evid[eê]ncias?|provas|dados|estudos)",
        r"sem (?:\w+ )?(?:evid[eê]ncias?|provas)", r"falta de (?:\w+ )?(?:evid[eê]ncias?|provas)",
        r"(?:pouca|escassa|insuficiente)s? (?:\w+ )?evid[eê]ncias?",
        r"n[aã]o (?:foi|foram|est[aá]|est[aã]o|[eé]|s[aã]o) (?:\w+ )?(?:comprovad|provad|demonstrad)[oa]s?",
        r"n[aã]o (?:se )?comprov\w*", r"n[aã]o (?:h[aá]|existe) (?:uma )?cura", r"mitos?",
        r"n[aã]o (?:tem|possui) (?:\w+ )?(?:comprova[cç][aã]o|respaldo|base) cient[ií]fica",
        r"sem (?:base|respaldo|comprova[cç][aã]o) cient[ií]fic[oa]",
        r"carece\w* de (?:evid[eê]ncia|provas|comprova[cç][aã]o)",
        r"(?:[eé]|s[aã]o) (?:falso|falsa|falsos|falsas|enganos[oa]s?)", r"n[aã]o [eé] verdade",
    ),
    "negation": (r"n[aã]o(?! s[oó]| apenas)", r"nunca", r"jamais", r"nenhum\w*", r"nem"),
    "reporting_subject": (
        r"(?<!nossa\s)(?<!nosso\s)(?<!nossas\s)(?<!nossos\s)(?:cl[ií]nicas?|empresas|an[uú]ncios|sites|vendedores|"
        r"centros|autoridades|especialistas|anvisa|fornecedores|propagandas?|eles|algumas|alguns|charlat[aã]es)",
    ),
    "reporting_verb": (r"afirma\w*", r"promet\w*", r"alega\w*", r"anuncia\w*", r"diz\w*", r"dizem", r"garante\w*",
                       r"assegura\w*", r"sustenta\w*", r"divulga\w*"),
    "reporting": (
        r"segundo(?! nossos?| a nossa| o nosso)", r"de acordo com(?! nossos?| a nossa| o nosso)", r"supost[oa]s?",
        r"supostamente", r"alegad[oa]s?", r"alega[cç](?:[aã]o|[oõ]es)", r"(?:afirmam|alegam|dizem|prometem) que",
        r"chamad[oa]s?", r"pretens[oa]s?",
        r"(?:vendid|apresentad|anunciad|promovid|divulgad|comercializad)[oa]s? como", r"alert\w*", r"advert\w*",
        r"fraude\w*", r"golpe\w*", r"engan\w*", r"falsamente", r"cuidado com", r"desconfie",
    ),
    "hedge": (r"poderi\w*", r"potencial\w*", r"poss[ií]ve\w*", r"talvez", r"promissor\w*",
              r"pode(?:m)? (?:ajudar|contribuir)"),
    "research": (r"pesquisa\w*", r"pesquisador\w*", r"estudos?", r"ensaios?", r"experimenta\w*", r"no futuro",
                 r"algum dia", r"investiga[cç]\w*", r"cientistas"),
    "contrast": (r"mas", r"por[eé]m", r"contudo", r"entretanto", r"no entanto", r"todavia"),
    "contrast_sub": (r"enquanto", r"embora", r"ao contr[aá]rio", r"apesar de"),
    "product_type": (
        r"c[eé]lulas?[- ]tronco", r"c[eé]lulas? estaminais", r"mesenquima\w*", r"cord[aã]o umbilical",
        r"sangue do cord[aã]o", r"gel[eé]ia de wharton", r"exossomos?", r"secretoma", r"plasma rico em plaquetas",
        r"medicina regenerativa", r"terapias? regenerativas?", r"terapias? celular(?:es)?", r"placenta\w*",
        r"fra[cç][aã]o vascular estromal", r"fatores de crescimento",
    ),
    "approved_product": (
        r"transplantes? de medula(?: [oó]ssea)?", r"transplantes? de c[eé]lulas[- ]tronco hematopo[eé]ticas",
        r"transplantes? (?:alog[eê]nic|aut[oó]log)\w*", r"transplantes? de sangue de cord[aã]o",
        r"bancos? p[uú]blicos? de sangue de cord[aã]o", r"redome",
    ),
    "mitigation": (
        r"experimenta\w*", r"investigacional", r"os resultados (?:podem )?variar", r"resultados individuais",
        r"sem garantia\w*", r"riscos? (?:incluem|como|de)", r"comit[eê] de [eé]tica", r"consentimento informado",
        r"n[aã]o aprovad[oa]", r"em (?:fase de )?(?:pesquisa|estudo|investiga[cç][aã]o)",
        r"consulte (?:o )?seu m[eé]dico",
    ),
    "testimonial": (
        r"me curou", r"mudou (?:a )?minha vida",
        r"(?:curou|salvou) (?:o )?(?:meu filho|minha filha|meu marido|minha m[aã]e)",
        r"agora (?:eu )?posso", r"(?:eu )?(?:consigo|posso) (?:andar|correr|ver|falar|dormir) (?:de novo|novamente)",
        r"n[aã]o sinto mais dor", r"volt(?:ou|ei|amos|aram) a (?:andar|falar|ver|correr|dormir|trabalhar)", r"me sinto (?:\d+ anos mais jovem|melhor|renovad[oa])",
    ),
    "testimonial_heading": (r"depoimentos?", r"antes e depois", r"hist[oó]rias? de sucesso", r"casos de sucesso",
                            r"relatos de pacientes"),
    "patient_outcome": (r"pacientes (?:\w+ ){0,3}?(?:relatam|notam|sentem|percebem|recuperam|mostram|apresentam)",
                        r"(?:a maioria|muitos) d?os (?:nossos )?pacientes"),
    "testimonial_subject": (r"(?:meu|minha|nosso|nossa) (?:filho|filha|marido|esposa|m[aã]e|pai|beb[eê])",),
}

CASED: dict[str, tuple[str, ...]] = {
    "condition:autism": (r"TEA",),
    "condition:als": (r"ELA",),
    "condition:copd": (r"DPOC",),
    "condition:stroke": (r"AVC",),
    "condition:macular_degeneration": (r"DMRI",),
    "product_type": (r"PRP",),
}
