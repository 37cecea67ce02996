"""French vocabulary (data only; see lexicon.py for the pattern conventions).

Accents are optional where web pages often drop them. Elided forms ("n'a", "d'insuline") are
written with a straight apostrophe (curly ones are normalised).
"""
from __future__ import annotations

CONDITIONS: dict[str, tuple[str, ...]] = {
    "diabetes": (r"diab[eè]t\w*", r"insuline\w*", r"glyc[eé]mi\w*", r"glucose", r"sucre dans le sang", r"taux de sucre",
                 r"h[eé]moglobine glyqu[eé]e", r"cellules b[eê]ta", r"[iî]lots (?:de langerhans|pancr[eé]atiques)"),
    "autism": (r"autis\w*", r"asperger\w*", r"troubles? du spectre de l'autisme"),
    "multiple_sclerosis": (r"scl[eé]rose en plaques",),
    "als": (r"scl[eé]rose lat[eé]rale amyotrophique", r"maladie de charcot"),
    "parkinsons": (r"parkinson\w*",),
    "alzheimers": (r"alzheimer\w*", r"d[eé]mence\w*"),
    "stroke": (r"accidents? vasculaires? c[eé]r[eé]bra\w*", r"infarctus c[eé]r[eé]bra\w*",
               r"attaques? c[eé]r[eé]brales?",
               r"post-avc"),
    "spinal_cord_injury": (r"(?:l[eé]sions?|blessures?|traumatismes?) (?:de la )?moelle [eé]pini[eè]re",
                           r"l[eé]sions? m[eé]dullaires?", r"parapl[eé]gi\w*", r"t[eé]trapl[eé]gi\w*"),
    "cerebral_palsy": (r"paralysie c[eé]r[eé]brale", r"infirmit[eé] motrice c[eé]r[eé]brale"),
    "copd": (r"bronchopneumopathie chronique obstructive", r"emphys[eè]me", r"fibrose pulmonaire",
             r"maladies? pulmonaires?", r"insuffisance respiratoire"),
    "heart_failure": (r"insuffisance cardiaque", r"maladies? cardiaques?", r"cardiopathi\w*",
                      r"infarctus(?: du myocarde)?",
                      r"crises? cardiaques?"),
    "osteoarthritis": (r"arthrose\w*", r"gonarthrose\w*", r"coxarthrose\w*", r"arthrite\w*", r"ost[eé]oarthrite\w*"),
    "rheumatoid_arthritis": (r"polyarthrite rhumato[iï]de", r"arthrite rhumato[iï]de"),
    "joint_pain": (r"douleurs? articulaires?",
                   r"douleurs? (?:au|du|aux|de la|des) (?:genou|genoux|hanches?|[eé]paules?)",
                   r"cartilage\w*", r"m[eé]nisque\w*", r"tendon\w*", r"tendinite\w*", r"ligaments?",
                   r"coiffe des rotateurs",
                   r"l[eé]sions? sportives?", r"blessures? sportives?", r"articulations?"),
    "back_pain": (r"mal de dos", r"maux de dos", r"douleurs? (?:de dos|dorsales?|lombaires?|cervicales?)",
                  r"lombalgie\w*",
                  r"hernies? discales?", r"discopathie\w*", r"sciatique", r"cervicalgie\w*",
                  r"canal lombaire [eé]troit"),
    "macular_degeneration": (r"d[eé]g[eé]n[eé]rescence maculaire",),
    "vision_loss": (r"c[eé]cit[eé]", r"perte de (?:la )?vision", r"r[eé]tinite pigmentaire", r"glaucome",
                    r"nerf optique"),
    "epilepsy": (r"[eé]pilep\w*",),
    "long_covid": (r"covid long", r"covid persistant", r"post[- ]?covid", r"covid(?:-19)?"),
    "anti_ageing": (r"anti[- ]?[aâ]ge", r"anti[- ]?vieillissement", r"rajeuniss\w*", r"long[eé]vit[eé]", r"rides",
                    r"vieillissement"),
    "erectile_dysfunction": (r"dysfonction(?:s)? [eé]rectile\w*", r"troubles? de l'[eé]rection", r"impuissance",
                             r"(?:fonction|performances?) sexuelles?"),
    "hair_loss": (r"chute (?:des|de) cheveux", r"alop[eé]cie", r"calvitie", r"perte de cheveux"),
    "lupus": (r"lupus",),
    "chronic_pain": (r"douleurs? chroniques?", r"neuropathi\w*", r"fibromyalgie"),
    "chronic_fatigue": (r"fatigue(?: chronique)?", r"[eé]puisement", r"syndrome de fatigue chronique"),
    "kidney_disease": (r"insuffisance r[eé]nale", r"maladies? r[eé]nales?"),
    "leukaemia": (r"leuc[eé]mie\w*",),
    "lymphoma": (r"lymphome\w*",),
    "myeloma": (r"my[eé]lome\w*",),
    "blood_cancer": (r"cancers? du sang", r"h[eé]mopathies? malignes?", r"cancers? h[eé]matologiques?",
                     r"syndromes? my[eé]lodysplasiques?"),
    "blood_disorder": (r"dr[eé]panocytose", r"thalass[eé]mie\w*", r"aplasie m[eé]dullaire", r"an[eé]mie aplasique",
                       r"d[eé]ficits? immunitaires?"),
}

CUES: dict[str, tuple[str, ...]] = {
    "cure": (
        r"gu[eé]ri\w*", r"rem[eè]des?", r"invers(?:e|ent|er|ion)",
        r"r[eé]g[eé]n[eè]r(?:e|ent|er|ons|ez|[eé]|[eé]e|[eé]s|"
        r"[eé]es|ation)", r"restaur\w*", r"r[eé]tabli\w*", r"r[eé]par(?:e|ent|er|[eé]|[eé]e|[eé]s|ation)",
        r"[eé]limin\w*", r"[eé]radiqu\w*", r"rajeuni\w*", r"nouvelles? cellules", r"nouveau cartilage",
        r"(?:plus|sans) besoin d(?:'|e )(?:\w+ )?(?:insuline|injections?|m[eé]dicaments|traitement|chirurgie)",
        r"n'(?:a|ont|avez|aurez|auront) plus besoin d(?:'|e )(?:\w+ )?(?:insuline|injections?|m[eé]dicaments|"
        r"traitement)",
        r"sans (?:insuline|m[eé]dicaments?)", r"ind[eé]pendan\w* (?:[aà]|de) l'insuline",
        r"(?:r[eé]mission|r[eé]cup[eé]ration|gu[eé]rison) (?:compl[eè]te|totale|d[eé]finitive)",
        r"(?:fait|faire|font) dispara[iî]tre", r"venir [aà] bout",
    ),
    "benefit": (
        r"am[eé]lior\w*", r"aide\w*", r"aider", r"r[eé]dui\w*", r"soulag\w*", r"att[eé]nu\w*", r"diminu\w*",
        r"trait(?:e|ent|er|ement|ements) (?:de|du|des|la|le|les|contre|pour)", r"th[eé]rapies? (?:pour|contre|de)",
        r"b[eé]n[eé]fic\w*", r"ralenti\w*", r"freine\w*", r"stabilis\w*", r"prot[eè]g\w*", r"r[eé]cup[eé]r\w*",
        r"efficace\w* (?:pour|contre|dans|sur)", r"option pour", r"solution (?:pour|contre)", r"espoir pour",
        r"r[eé]sultats (?:chez|dans|pour)",
        r"pour (?:les )?(?:patients|personnes|enfants|adultes) (?:atteints|souffrant|qui souffrent|vivant avec)",
        r"[eé]viter (?:la |une )?(?:chirurgie|op[eé]ration|proth[eè]se)", r"sans (?:chirurgie|op[eé]ration)",
    ),
    "risk_minimisation": (
        r"sans (?:aucun )?(?:effets? secondaires?|effets? ind[eé]sirables?|risques?|rejet|complications?|danger)",
        r"aucun (?:effet secondaire|effet ind[eé]sirable|risque|rejet|danger)",
        r"(?:il )?n'y a (?:pas|aucun) (?:de |d')?(?:risques?|rejet|effets? secondaires?|complications?)",
        r"pas (?:de |d')(?:risques?|rejet|effets? secondaires?)",
        r"ne pr[eé]sente (?:aucun|pas de) (?:risque|danger|effet secondaire)",
        r"(?:100 ?%|totalement|compl[eè]tement|absolument|parfaitement|tr[eè]s) s[uû]re?s?", r"z[eé]ro risque",
        r"s[uû]re?s? et efficaces?",
    ),
    "efficacy_statistics": (
        r"\d{1,3}(?:[.,]\d+)? ?% (?:de |des )?(?:nos )?(?:r[eé]ussite|succ[eè]s|patients|am[eé]lioration|cas|"
        r"efficacit[eé])",
        r"taux de (?:r[eé]ussite|succ[eè]s|r[eé]ponse|gu[eé]rison|satisfaction)(?: \w+){0,3} \d{1,3}(?:[.,]\d+)? ?%?",
        r"(?:\d+|neuf|huit|sept) (?:patients )?sur (?:10|dix)",
        r"(?:la plupart|la majorit[eé]|pr[eè]s de|presque tous) (?:de |des )?(?:nos )?patients (?:\w+ )?(?:constatent|"
        r"voient|ressentent|rapportent|s'am[eé]liorent)",
    ),
    "regulatory_misrepresentation": (
        r"(?:approuv|certifi|enregistr|autoris|agr[eé]|homologu)[eé]e?s? (?:par|aupr[eè]s de) (?:la |l'|"
        r"le )?(?:fda|ema|"
        r"ansm|minist[eè]re|gouvernement)", r"l[eé]galement (?:autoris|approuv)[eé]e?s?",
        r"conformes? (?:aux normes de la|[aà] la) fda",
    ),
    "borrowed_legitimacy": (
        r"scientifiquement (?:prouv|d[eé]montr|valid)[eé]e?s?", r"cliniquement (?:prouv|test|d[eé]montr)[eé]e?s?",
        r"brevet\w*", r"institut", r"publi[eé]e?s? dans", r"membres? de", r"pionni\w*", r"des milliers de patients",
        r"[eé]tudes (?:montrent|prouvent|confirment|d[eé]montrent)", r"reconnu\w* (?:mondialement|internationalement)",
        r"de renomm[eé]e (?:mondiale|internationale)", r"prim[eé]e?s?", r"accr[eé]dit[eé]e?s?", r"leaders? (?:en|dans)",
    ),
    "hype": (
        r"miracle\w*", r"miraculeu\w*", r"r[eé]volutionnaire\w*", r"perc[eé]e\w*", r"secrets?", r"fontaine de jouvence",
        r"incroyable\w*", r"spectaculaire\w*", r"extraordinaire\w*", r"magique\w*", r"de pointe", r"avant-gardiste\w*",
        r"innovant\w*",
    ),
    "commercial_pressure": (
        r"\d[\d .,]* ?(?:€|euros?|eur|usd|\$|chf)", r"prix", r"tarifs?", r"forfaits?", r"financement\w*",
        r"paiements? en plusieurs fois", r"remise\w*", r"promotions?", r"h[oô]tel\w*", r"h[eé]bergement",
        r"transferts? (?:depuis |de |vers )?l'a[eé]roport", r"tout compris", r"satisfait ou rembours[eé]",
        r"garanti\w*",
        r"devis",
    ),
    "call_to_action": (
        r"(?:consultation|bilan|devis|[eé]valuation) gratuite?",
        r"(?:prenez|r[eé]servez|demandez|planifiez|fixez) (?:votre |un |une )?(?:rendez-vous|consultation|devis|"
        r"[eé]valuation|bilan)", r"offre (?:sp[eé]ciale|limit[eé]e)", r"(?:contactez|appelez)-nous", r"whatsapp",
        r"places limit[eé]es", r"dur[eé]e limit[eé]e", r"n'attendez (?:plus|pas)",
    ),
    "negation_evidence": (
        r"aucune? (?:\w+ ){0,2}(?:preuves?|[eé]tudes?|donn[eé]es|essais?)", r"pas de (?:\w+ )?(?:preuves?|donn[eé]es)",
        r"n'(?:a|ont) (?:pas|jamais) [eé]t[eé] (?:\w+ )?(?:prouv|d[eé]montr|[eé]tabli|valid|confirm)[eé]e?s?",
        r"non (?:prouv|d[eé]montr|valid|confirm)[eé]e?s?", r"sans (?:\w+ )?(?:preuves?|fondement)",
        r"(?:manque|peu|absence) de (?:\w+ )?(?:preuves?|donn[eé]es)",
        r"preuves? (?:insuffisantes?|manquent|font d[eé]faut)",
        r"rien ne (?:prouve|d[eé]montre|permet d'affirmer)",
        r"(?:il n'existe|il n'y a) (?:aucun|pas de) (?:\w+ )?(?:traitement|gu[eé]rison|rem[eè]de)",
        r"(?:aucun|aucune) (?:traitement|th[eé]rapie|injection) (?:\w+ )?ne (?:peut|permet|gu[eé]rit)",
        r"mythes?", r"(?:est|sont) (?:faux|fausses?|trompeu\w*|infond[eé]e?s?)", r"infond[eé]\w*",
        r"pas (?:scientifiquement )?(?:prouv|d[eé]montr|[eé]tabli)[eé]e?s?",
    ),
    "negation": (r"ne", r"n'\w+", r"pas(?! seulement| uniquement)", r"jamais", r"aucun\w*", r"ni",
                 r"non(?! seulement)"),
    "reporting_subject": (
        r"(?<!nos\s)(?<!notre\s)(?:cliniques?|centres|entreprises|soci[eé]t[eé]s|publicit[eé]s?|annonces|sites|"
        r"vendeurs|"
        r"fournisseurs|promoteurs|autorit[eé]s|experts|ils|certains|certaines|praticiens|charlatans?)",
    ),
    "reporting_verb": (
        r"pr[eé]tend\w*", r"affirm\w*", r"promett\w*", r"promet", r"vant\w*", r"assur\w*", r"all[eè]gu\w*",
        r"d[eé]clar\w*", r"disent", r"annonc\w*", r"font miroiter", r"fait miroiter", r"garantiss\w*", r"avertiss\w*",
    ),
    "reporting": (
        r"selon(?! nous| notre| nos)", r"d'apr[eè]s(?! nous| notre| nos)", r"pr[eé]tend\w*", r"soi-disant",
        r"pr[eé]sum[eé]\w*", r"(?:vendu|pr[eé]sent[eé]|promu|vant[eé]|commercialis[eé]|annonc[eé])e?s? comme",
        r"met\w* en garde", r"alert\w*", r"arnaque\w*", r"trompeu\w*", r"fraud\w*", r"charlatan\w*", r"all[eé]gations?",
        r"(?:affirment|disent|promettent|assurent) que", r"m[eé]fiez-vous", r"(?:[eé]valu|test|[eé]tudi)\w* si",
    ),
    "hedge": (r"pourr(?:ait|aient|a|ont)\w*", r"potentiel\w*", r"possibl\w*", r"peut-[eê]tre", r"prometteu\w*",
              r"[eé]ventuel\w*", r"vise\w* [aà]"),
    "research": (r"recherche\w*", r"chercheurs", r"scientifiques", r"[eé]tudes?", r"essais?", r"exp[eé]rimental\w*",
                 r"[aà] l'avenir", r"un jour"),
    "contrast": (r"mais", r"cependant", r"pourtant", r"toutefois", r"n[eé]anmoins"),
    "contrast_sub": (r"tandis que", r"alors que", r"bien que", r"contrairement", r"m[eê]me si"),
    "product_type": (
        r"cellules? souches?", r"m[eé]senchymateu\w*", r"sang de cordon", r"cordon ombilical", r"amnioti\w*",
        r"gel[eé]e de wharton", r"exosomes?", r"s[eé]cr[eé]tome", r"plasma riche en plaquettes",
        r"m[eé]decine r[eé]g[eé]n[eé]ratrice", r"m[eé]decine r[eé]g[eé]n[eé]rative",
        r"th[eé]rapies? r[eé]g[eé]n[eé]rative\w*",
        r"th[eé]rapies? cellulaires?", r"facteurs de croissance", r"placenta\w*", r"fraction vasculaire stromale",
        r"injections? de cellules", r"tissu adipeux",
    ),
    "approved_product": (
        r"greffes? de moelle(?: osseuse)?", r"greffes? de cellules souches (?:h[eé]matopo[iï][eé]tiques|sanguines)",
        r"(?:allo|auto)greffes?", r"greffes? (?:allog[eé]niques?|autologues?)", r"greffes? de sang de cordon",
        r"transplantations? de moelle", r"banques? publiques? de sang de cordon", r"registre des donneurs",
    ),
    "mitigation": (
        r"exp[eé]rimental\w*", r"investigationnel\w*", r"les r[eé]sultats (?:peuvent )?(?:varie\w*|diff[eé]r\w*)",
        r"r[eé]sultats individuels", r"risques? (?:incluent|comme|de|comprennent)", r"effets ind[eé]sirables possibles",
        r"comit[eé] d'[eé]thique", r"consentement [eé]clair[eé]", r"non approuv[eé]e?s?", r"en cours d'[eé]tude",
        r"au stade (?:exp[eé]rimental|de la recherche)", r"consultez votre m[eé]decin",
    ),
    "testimonial": (
        r"(?:m'a|nous a|l'a) (?:gu[eé]ri|sauv[eé]|chang[eé] la vie)", r"a chang[eé] ma vie",
        r"je (?:peux|pouvais) (?:enfin |de nouveau |[aà] nouveau )?(?:marcher|courir|voir|parler|dormir)",
        r"je me sens (?:\d+ ans plus jeune|mieux|revivre)",
        r"(?:peut|pouvait|a pu|ai pu) (?:enfin |de nouveau |[aà] nouveau |maintenant )?(?:marcher|courir|voir|parler)", r"je n'ai plus (?:mal|de douleurs?|besoin)",
    ),
    "testimonial_heading": (r"t[eé]moignages?", r"avant[- ]apr[eè]s", r"avant et apr[eè]s",
                            r"histoires? de (?:r[eé]ussite|patients)",
                            r"cas de r[eé]ussite", r"avis (?:de nos )?patients"),
    "patient_outcome": (
        r"patients (?:\w+ ){0,3}?(?:constatent|rapportent|ressentent|d[eé]crivent|retrouvent|remarquent|observent|"
        r"signalent|voient)", r"(?:la plupart|beaucoup|nombre) de (?:nos )?patients",
    ),
    "testimonial_subject": (r"(?:mon|ma|notre) (?:fils|fille|enfant|mari|femme|m[eè]re|p[eè]re|b[eé]b[eé])",
                            r"j'(?:ai|avais) (?:remarqu|constat|ressenti)\w*"),
}

CASED: dict[str, tuple[str, ...]] = {
    "condition:autism": (r"TSA",),
    "condition:als": (r"SLA",),
    "condition:multiple_sclerosis": (r"SEP",),
    "condition:copd": (r"BPCO",),
    "condition:stroke": (r"AVC",),
    "condition:macular_degeneration": (r"DMLA",),
    "product_type": (r"PRP", r"CSM"),
}
