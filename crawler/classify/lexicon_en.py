"""English vocabulary (data only; see lexicon.py for the pattern conventions)."""
from __future__ import annotations

CONDITIONS: dict[str, tuple[str, ...]] = {
    # Not approved for cell/regenerative products (regulators' consumer guidance).
    "diabetes": (r"diabet\w*", r"insulin\w*", r"blood sugars?", r"blood glucose", r"glucose",
                 r"glyca?emic", r"hba1c", r"a1c", r"beta[- ]cells?", r"β[- ]?cells?", r"islets?"),
    "autism": (r"autis\w*", r"asperger\w*", r"autism spectrum"),
    "multiple_sclerosis": (r"multiple sclerosis", r"relapsing[- ]remitting"),
    "als": (r"amyotrophic lateral sclerosis", r"lou gehrig'?s?(?: disease)?", r"motor neuron(?:e)? disease"),
    "parkinsons": (r"parkinson\w*",),
    "alzheimers": (r"alzheimer\w*", r"dementia"),
    "stroke": (r"strokes?", r"post[- ]stroke", r"cerebrovascular accidents?"),
    "spinal_cord_injury": (r"spinal cord injur\w*", r"spinal injur\w*", r"paraplegi\w*",
                           r"quadriplegi\w*", r"tetraplegi\w*"),
    "cerebral_palsy": (r"cerebral palsy",),
    "copd": (r"copd", r"chronic obstructive pulmonary disease", r"emphysema", r"lung diseases?",
             r"pulmonary fibrosis"),
    "heart_failure": (r"heart failure", r"heart diseases?", r"cardiomyopath\w*", r"congestive heart",
                      r"heart attacks?"),
    "osteoarthritis": (r"osteoarthriti\w*", r"arthritis", r"arthrosis", r"degenerative joint disease"),
    "rheumatoid_arthritis": (r"rheumatoid arthritis",),
    "joint_pain": (r"joint pain", r"joint (?:patients|problems|injections?|degeneration|replacements?|damage)",
                   r"knee pain", r"hip pain", r"shoulder pain", r"cartilage",
                   r"menisc\w*", r"rotator cuff", r"tendon\w*", r"tendinitis", r"tendinopath\w*",
                   r"ligaments?", r"sports injur\w*", r"(?:knee|hip|shoulder) injur\w*",
                   r"orthopa?edic (?:conditions?|injur\w*|problems?)"),
    "back_pain": (r"back pain", r"low(?:er)? back", r"neck pain", r"herniated dis[ck]s?",
                  r"degenerative dis[ck]\w*", r"dis[ck] (?:herniation|degeneration|disease)",
                  r"sciatica", r"spinal stenosis"),
    "macular_degeneration": (r"macular degeneration", r"age[- ]related macular"),
    "vision_loss": (r"blindness", r"vision loss", r"retinitis pigmentosa", r"glaucoma", r"optic nerve"),
    "epilepsy": (r"epilep\w*", r"seizure disorders?"),
    "long_covid": (r"long[- ]covid", r"post[- ]covid", r"covid(?:-19)?", r"long[- ]haul(?:ers?)?"),
    "anti_ageing": (r"anti[- ]?ag(?:e)?ing", r"longevity", r"age reversal", r"revers\w* (?:the )?ag(?:e)?ing",
                    r"(?:slow|stop)\w* (?:the )?ag(?:e)?ing(?: process)?", r"wrinkles?", r"youthful\w*"),
    "erectile_dysfunction": (r"erectile dysfunction", r"impotence",
                             r"sexual (?:function|performance|dysfunction|wellness)",
                             r"p[- ]shot", r"priapus shot"),
    "hair_loss": (r"hair loss", r"alopecia", r"baldness", r"hair (?:re)?growth", r"thinning hair"),
    "lupus": (r"lupus",),
    "chronic_pain": (r"chronic pain", r"neuropath\w*", r"fibromyalgia"),
    "chronic_fatigue": (r"(?:chronic )?fatigue", r"myalgic encephalomyelitis", r"me/cfs"),
    "kidney_disease": (r"kidney (?:disease|failure)", r"renal failure"),
    # Approved (established) uses: blood-forming stem-cell transplants and licensed cord blood.
    "leukaemia": (r"leuka?emi\w*",),
    "lymphoma": (r"lymphoma\w*", r"hodgkin\w*"),
    "myeloma": (r"myeloma\w*",),
    "blood_cancer": (r"blood cancers?", r"ha?ematologic(?:al)? (?:cancers?|malignanc\w*)",
                     r"myelodysplas\w*"),
    "blood_disorder": (r"sickle[- ]cell\w*", r"thalass?a?emi\w*", r"aplastic ana?emi\w*",
                       r"severe combined immun\w*", r"bone marrow failure", r"blood disorders?",
                       r"inherited immune (?:disorders?|deficienc\w*)"),
}

CUES: dict[str, tuple[str, ...]] = {
    # --- claim cues (one layer) ---------------------------------------------------------
    "cure": (
        r"cur(?:e|es|ed|ing)", r"revers(?:e|es|ed|ing|al)", r"regenerat(?:e|es|ed|ing|ion)",
        r"restor(?:e|es|ed|ing|ation)", r"heal(?:s|ed)?", r"eliminat(?:e|es|ed|ing|ion)",
        r"repair(?:s|ed|ing)?", r"regrow\w*", r"re-?grow\w*", r"rebuild\w*", r"rejuvenat\w*",
        r"get rid of", r"insulin[- ]independen\w*", r"(?:insulin|medication|drug|pain)[- ]free",
        r"(?:no longer|never again) (?:need|require|depend on|take|use)\w*",
        r"(?:do|does|did)(?: not|n't) (?:need|require) (?:insulin|medications?|drugs|surgery)",
        r"off (?:insulin|(?:their|all) medications?)", r"free (?:of|from) (?:insulin|medications?)",
        r"permanent(?:ly)? (?:relief|results?|solution|fix|recovery)", r"(?:complete|full) recovery",
        r"fully recover\w*", r"disease[- ]free", r"undo(?:es)? (?:the )?damage",
        r"new (?:insulin-producing |healthy )?(?:cells|cartilage|neurons|tissue)",
    ),
    "benefit": (
        r"improv(?:e|es|ed|ing|ement|ements)", r"help(?:s|ed|ing)?", r"reduc(?:e|es|ed|ing|tion|tions)",
        r"reliev\w*", r"relief", r"better", r"healing", r"enhanc\w*", r"boost\w*", r"treat(?:s|ed|ing)?", r"treatments? (?:for|of)",
        r"less (?:\w+ )?(?:pain|stiffness|fatigue|inflammation|tremors?|seizures?)",
        r"more (?:energy|mobility|stamina)",
        r"walk (?:further|farther|again|longer)", r"postpon\w*",
        r"for (?:patients|people|those|anyone|children|adults|men|women) (?:with|suffering from|living with|who "
        r"have)", r"avoid\w* (?:surgery|joint replacement|knee replacement)",
        r"therap(?:y|ies) for", r"alleviat\w*", r"eas(?:e|es|ed|ing)", r"slow\w* (?:down )?(?:the )?progression",
        r"halt\w*", r"stop\w* (?:the )?progression", r"benefit\w*", r"recover\w*", r"regain\w*",
        r"lower\w*", r"stabili[sz]\w*", r"protect\w*", r"support\w*", r"decreas\w*", r"increas\w*",
        r"fight\w*", r"combat\w*", r"option for", r"solution for", r"hope for", r"works? for",
        r"effective (?:for|against|in)", r"results? (?:for|in)",
    ),
    "risk_minimisation": (
        r"no (?:known |serious |major |significant |harmful |negative |lasting )?(?:side[- ]effects?|risks?|"
        r"complications?|adverse (?:effects?|events?|reactions?))",
        r"(?:100 ?%|completely|totally|perfectly|absolutely|entirely|extremely|very|guaranteed) safe",
        r"risk[- ]free", r"zero risks?", r"(?:no|zero) (?:chance|risk) of (?:immune )?rejection",
        r"no (?:immune )?rejection", r"without (?:any )?(?:side[- ]effects?|risks?|complications?)",
        r"side[- ]effect[- ]free", r"safe and effective", r"(?:is|are) (?:always )?safe for everyone",
        r"cannot be rejected", r"can'?t be rejected",
    ),
    "efficacy_statistics": (
        r"\d{1,3}(?:[.,]\d+)? ?%(?: of)?(?: our)?(?: \w+)? (?:patients|success\w*|improve\w*|response|efficacy|"
        r"effective\w*|recovery|satisfaction|remission|reduction|cases|people|clients)",
        r"(?:success|response|improvement|recovery|efficacy|satisfaction|cure) rates?(?: \w+){0,3} "
        r"\d{1,3}(?:[.,]\d+)? ?%?",
        r"\d+ (?:out )?of (?:every )?\d+ (?:patients|people|cases|clients)",
        r"(?:nine|eight|seven|six) (?:out )?of (?:every )?(?:ten|10)(?: \w+)?",
        r"(?:most|the majority|majority|nearly all|almost all|the vast majority) (?:of )?(?:our )?(?:\w+ )?patients "
        r"(?:see|saw|experience\w*|report\w*|show\w*|notice\w*|improve\w*|tell us|say|feel|describe\w*|enjoy\w*|"
        r"achieve\w*)",
    ),
    "regulatory_misrepresentation": (
        r"fda[- ](?:approved|registered|cleared|compliant|certified|licensed|authori[sz]ed|accredited)",
        r"(?:approved|registered|cleared|licensed|certified|authori[sz]ed|sanctioned|endorsed) by (?:the )?"
        r"(?:u\.?s\.? )?(?:fda|ema|cofepris|ministry of health|health ministry|government|food and drug "
        r"administration)",
        r"nct\d{8}", r"clinicaltrials\.gov", r"(?:government|state|ministry)[- ](?:approved|licensed|certified)",
        r"cofepris[- ]?(?:approved|licen[cs]ed|certified|registered)", r"fully (?:licensed|approved|legal)",
        r"legally approved", r"approved (?:stem[- ]cell |cell |regenerative )?(?:treatments?|therap\w*|procedures?)",
        r"(?:compliant|compliance) with (?:the )?fda\w*", r"follows? (?:all )?fda (?:guidelines|regulations)",
        r"registered with (?:the )?fda",
    ),
    "borrowed_legitimacy": (
        r"scientifically (?:proven|validated|backed|tested)", r"clinically (?:proven|tested|validated)",
        r"proven (?:by science|results?|treatments?|therap\w*|technology|to work)", r"patent(?:s|ed)?",
        r"patent[- ]pending", r"peer[- ]reviewed", r"published (?:in|studies|research|papers?)",
        r"institute", r"member of", r"accredited", r"award[- ]winning", r"world[- ](?:renowned|class|leading|famous)",
        r"internationally (?:recogni[sz]ed|renowned|acclaimed)", r"nobel\w*", r"harvard", r"stanford",
        r"pioneer\w*", r"(?:thousands|hundreds) of (?:satisfied |successful |happy |treated )?patients",
        r"leading (?:experts?|specialists?|scientists?)",
        r"\d[\d,.]* ?\+? (?:patients|procedures) (?:treated|performed)",
        r"studies (?:show|prove|confirm|demonstrate)\w*", r"science[- ]backed", r"research[- ]backed",
    ),
    "hype": (
        r"miracl\w*", r"breakthrough\w*", r"revolutionar\w*", r"revolutioni[sz]\w*", r"game[- ]?changer\w*",
        r"game[- ]changing", r"secrets?", r"cutting[- ]edge", r"fountain of youth", r"life[- ]changing",
        r"ground[- ]?breaking", r"unbelievable", r"(?:incredible|amazing|astonishing|remarkable) results",
        r"astonishing", r"magic\w*", r"wonder (?:cure|treatment|therapy)", r"turn back the clock",
    ),
    "commercial_pressure": (
        r"\$ ?\d[\d,.]*", r"€ ?\d[\d.,]*", r"£ ?\d[\d,.]*", r"\d[\d,.]* ?(?:usd|eur|euros?|dollars|€|\$)",
        r"prices?", r"pricing", r"packages?", r"financ(?:ing|e options)", r"payment plans?",
        r"instal(?:l)?ments", r"discount\w*", r"money[- ]back", r"guarantee(?:d|s)?",
        r"travel (?:packages?|arrangements)",
        r"airport (?:pick[- ]?ups?|transfers?)", r"hotel\w*", r"accommodation\w*", r"patient coordinators?", r"vip",
        r"all[- ]inclusive",
    ),
    # The page itself asking the reader to buy (commercial pressure that news pages do not make).
    "call_to_action": (
        r"(?:book|schedule|request|get|claim|arrange|reserve) (?:a |an |your )?(?:free |complimentary |no[- "
        r"]obligation )?"
        r"(?:consultation|appointment|evaluation|assessment|call|treatment|spot|place)",
        r"free (?:consultation|evaluation|assessment|quote|case review)", r"limited[- ]time", r"special offers?",
        r"contact us", r"call (?:us )?(?:now|today)", r"whatsapp", r"(?:enquire|inquire|apply|act|order) now",
        r"start your (?:\w+ )?journey", r"speak (?:directly )?(?:with|to) (?:our|a|one of our) \w*(?:specialist|expert|"
        r"doctor|coordinator)s?", r"don'?t wait", r"spots? (?:are )?limited", r"only \d+ (?:spots|places|slots)",
        r"(?:see|find out|discover) if you (?:are|qualify)",
        r"(?:you|your child) may (?:be|qualify as) a (?:good )?candidate",
    ),
    # --- stance and framing cues (another layer) -----------------------------------------
    "negation_evidence": (
        r"no (?:\w+ ){0,3}(?:evidence|proof)", r"(?:lack|absence) of (?:\w+ )?(?:evidence|proof|data)",
        r"(?:little|insufficient|scant|weak) (?:\w+ )?(?:evidence|data)",
        r"(?:has|have|had)(?: not|n't| never) (?:yet )?been (?:\w+ )?(?:proven|shown|demonstrated|established)",
        r"not (?:been )?(?:scientifically |clinically )?(?:proven|shown|demonstrated|established|supported)",
        r"unproven", r"unsupported", r"there is no (?:\w+ )?cure", r"no (?:known |proven )?cure",
        r"myths?", r"(?:is|are|was|were) (?:simply |completely )?(?:false|untrue|misleading|bogus|baseless|unfounded)",
        r"not true", r"debunk\w*", r"disprov\w*", r"nothing (?:to )?suggests?",
        r"fail(?:s|ed)? to (?:show|prove|demonstrate)",
        r"no (?:stem[- ]cell |cell |such )?(?:treatment|therapy|product|"
        r"procedure|injection)s? (?:\w+ )?(?:can|could|will|has|have|is|are)",
    ),
    "negation": (
        r"not(?! only| just| merely| to mention)", r"(?:do|does|did|is|are|was|were|can|could|will|would|has|have|"
        r"had|should|must)n't", r"won't", r"can't", r"cannot", r"never(?! again)", r"neither", r"nor", r"no",
        r"unable to", r"fail(?:s|ed)? to",
    ),
    # Attribution: generic phrases, or a third-party subject followed (within the sentence) by a
    # saying verb ("clinics in Tijuana claim", "the advert promised"); stance.py pairs them.
    "reporting": (
        r"according to(?! our| us| my)",
        r"(?:marketed|advertised|promoted|billed|touted|sold|presented|pitched|branded) (?:as|for|to)",
        r"(?:statements?|claims?|assertions?|promises?) (?:that|of|about)", r"red flags?", r"watch out for",
        r"(?:be|are|stay) (?:\w+ )?(?:cautious|wary|sceptical|skeptical|careful|suspicious) (?:about|of)",
        r"so[- ]called", r"alleged\w*", r"purported\w*", r"supposed(?:ly)?", r"claims? (?:that|to)", r"claimed",
        r"falsely", r"misleading\w*", r"deceptive\w*", r"warn\w*", r"reportedly", r"beware",
        r"consumer (?:alert|warning|update)\w*", r"scam\w*", r"fraud\w*", r"prey\w* on", r"exploit\w*",
        r"(?:it|he|she|they) (?:says|said|claims|claimed|adds|added|insists|insisted)",
        r"(?:telling|tell|tells|told) (?:people|patients|parents|families|customers|callers)",
        r"(?:promotional|marketing|advertising) (?:materials?|claims?|copy|language)",
        # open research questions are the researchers' claims, not the page's
        r"(?:test\w*|study\w*|studied|investigat\w*|explor\w*|examin\w*|evaluat\w*|assess\w*|ask\w*|determine) whether",
        r"(?:researchers|scientists|investigators) (?:are|were|have been) (?:testing|studying|investigating|exploring)",
    ),
    "reporting_subject": (
        r"(?<!our\s)(?<!my\s)(?:clinics?|providers?|companies|company|businesses|firms?|websites?|sites|sellers?|"
        r"vendors?|marketers?|advertisements?|adverts?|ads|brochures?|promoters?|proponents|operators|practitioners|"
        r"they|advertising|marketing|fda|ftc|regulators?|authorities|health officials|experts?|scientists|spas?|"
        r"centers|centres|sellers|salespeople|staff|the (?:clinic|company|website|advert|ad|seller|brochure|page|site)|"
        r"(?:its|their) (?:website|site|brochure|adverts?|ads|page|staff|founder|director))",
    ),
    "reporting_verb": (
        r"claim\w*", r"promis\w*", r"advertis\w*", r"tout\w*", r"market\w*", r"boast\w*", r"say", r"says", r"said",
        r"alleg\w*", r"assert\w*", r"purport\w*", r"pitch\w*", r"lure\w*", r"caution\w*", r"alert\w*", r"stated?",
        r"suggest\w*", r"sell\w*", r"promot\w*", r"describ\w*", r"tell\w*", r"told", r"wrote", r"writes",
        r"post\w*", r"insist\w*",
    ),
    "hedge": (
        r"may", r"might", r"could", r"potential(?:ly)?", r"possibl[ey]", r"perhaps", r"aims? to", r"hope\w*",
        r"promising", r"designed to", r"goal is", r"whether",
    ),
    "research": (
        r"research\w*", r"studies", r"study", r"trials?", r"investigat\w*", r"being (?:studied|explored|tested)",
        r"explor\w*", r"early (?:studies|results|data)", r"in the future", r"one day", r"scientists",
        r"experimental", r"under (?:active )?(?:research|investigation|study)",
    ),
    "contrast": (r"but", r"however", r"yet", r"instead"),
    "contrast_sub": (r"while", r"whereas", r"unlike", r"although", r"though", r"compared (?:to|with)"),
    # --- context (same layer as conditions) ---------------------------------------------
    "product_type": (
        r"stem[- ]?cell\w*", r"mesenchymal", r"stromal vascular fraction", r"(?:umbilical )?cord[- ]blood",
        r"umbilical cord\w*", r"cord tissue", r"amniotic\w*", r"wharton'?s jelly", r"exosom\w*", r"secretome\w*",
        r"extracellular vesicles?", r"platelet[- ]rich plasma", r"regenerative (?:medicine|therap\w*|treatments?|"
        r"injections?|procedures?|programs?|programmes?|cells?)", r"cell(?:ular)? therap\w*",
        r"cell[- ]based (?:therap\w*|treatments?)", r"bone marrow (?:aspirate|concentrate)\w*",
        r"adipose[- ]derived", r"fat[- ]derived", r"placenta\w*", r"ipscs?", r"progenitor cells?",
        r"growth factors?", r"cell (?:injections?|infusions?)", r"cell[- ]based", r"regenerative care",
    ),
    "approved_product": (
        r"bone[- ]marrow transplant\w*", r"(?:ha?ematopoietic|blood[- ]forming) (?:stem[- ]cell )?transplant\w*",
        r"(?:ha?ematopoietic|blood[- ]forming) (?:stem[- ]|progenitor )cells?", r"stem[- ]cell transplant\w*",
        r"(?:allogeneic|autologous) (?:stem[- ]cell |bone[- ]marrow )?transplant\w*",
        r"cord[- ]blood transplant\w*", r"limbal (?:stem[- ]cell )?(?:grafts?|transplant\w*)", r"hsct",
        r"car[- ]t(?: cell)?(?: therap\w*)?", r"transplant (?:centre|center|unit|team|programme|program)s?",
        r"donor (?:registry|search|match\w*)", r"licensed cord[- ]blood", r"public cord[- ]blood bank\w*",
    ),
    # --- mitigations and testimonials (own layer: they overlap the cues above) ---------
    # Mitigations that start with a negator ("not a proven cure", "not FDA approved", "no
    # guarantee") are not listed: they are negated claims, and rules.py counts those as mitigations.
    "mitigation": (
        r"experimental", r"investigational", r"unproven", r"results (?:may |can |will )?(?:vary|differ)",
        r"outcomes (?:may |can )?vary", r"(?:risks?|complications?|side[- ]effects?) (?:may |can )?(?:include|such as)",
        r"risks? of", r"(?:ethics|ethical) (?:committee|board|approval|review)", r"irb", r"institutional review board",
        r"informed consent", r"under (?:active )?(?:research|investigation|study)",
        r"still (?:evolving|developing|being studied|emerging|experimental|under \w+)",
        r"emerging (?:field|therap\w*|treatments?|science|area)", r"consult (?:your|a) (?:doctor|physician|gp)",
        r"(?:long[- ]term )?safety (?:data|is) (?:still|not)",
    ),
    "testimonial": (
        r"(?:it|they|the (?:treatment|therapy|stem[- ]cells?|injections?|procedure)) (?:has |have )?(?:cured|healed|"
        r"fixed|saved|changed|gave back) (?:my|our)",
        r"(?:cured|healed|saved|changed) my (?:life|son|daughter|child|husband|wife|mother|father|mom|mum|dad)",
        r"i (?:can|could) (?:now |finally |again )?(?:walk|run|see|talk|play|sleep|work|breathe|move)",
        r"changed my life", r"i feel (?:\d+ years younger|better|great|amazing|like new|reborn)",
        r"i no longer", r"(?:my|i) (?:pain|symptoms?) (?:is|are|was|were) (?:completely )?(?:gone|much better)",
    ),
    # Testimonials as a page section, not yet an outcome: weak on their own.
    "testimonial_heading": (
        r"before (?:and|&) after", r"patient (?:stories|testimonials?|reviews?|experiences?)", r"testimonials?",
        r"success stor(?:y|ies)", r"real (?:patients|stories|results)",
    ),
    # Treated patients described as experiencing something: with a benefit cue, an outcome claim
    # even when the condition is only named elsewhere on the page.
    "patient_outcome": (
        r"(?:patients|clients) (?:\w+ ){0,3}?(?:see|saw|report\w*|describe\w*|"
        r"tell us|notice\w*|experience\w*|feel|felt|enjoy\w*|achieve\w*|regain\w*|gain\w*|show\w*)",
        r"(?:most|many) of (?:our|these) (?:\w+ )?(?:patients|clients)",
    ),
    # A relative or "I" whose outcome (a cure/benefit cue) the sentence reports: a testimonial.
    "testimonial_subject": (
        r"(?:my|our) (?:son|daughter|child|kid|husband|wife|mother|father|mom|mum|dad|baby|boy|girl)(?:'s)?",
        r"i(?:'ve| have)? (?:been|was|had|felt|noticed)",
    ),
}

# Case-sensitive acronyms (matched on the original text).
CASED: dict[str, tuple[str, ...]] = {
    "condition:autism": (r"ASD",),
    "condition:multiple_sclerosis": (r"MS",),
    "condition:als": (r"ALS",),
    "condition:macular_degeneration": (r"AMD",),
    "condition:lupus": (r"SLE",),
    "condition:blood_cancer": (r"MDS", r"AML", r"CLL", r"CML"),
    "product_type": (r"MSCs?", r"SVF", r"PRP", r"BMAC", r"EVs"),
    "approved_product": (r"BMT", r"HSCT", r"HCT"),
}
