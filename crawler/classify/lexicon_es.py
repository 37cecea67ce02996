"""Spanish vocabulary (data only; see lexicon.py for the pattern conventions).

Accents are optional where web pages often drop them ("celulas", "terapia celular").
"""
from __future__ import annotations

CONDITIONS: dict[str, tuple[str, ...]] = {
    "diabetes": (r"diab[eé]t\w*", r"insulina\w*", r"glucosa", r"glucemi\w*", r"az[uú]car en (?:la )?sangre",
                 r"hemoglobina glicosilada", r"c[eé]lulas beta", r"islotes"),
    "autism": (r"autis\w*", r"trastorno del espectro autista", r"asperger\w*"),
    "multiple_sclerosis": (r"esclerosis m[uú]ltiple",),
    "als": (r"esclerosis lateral amiotr[oó]fica",),
    "parkinsons": (r"parkinson\w*",),
    "alzheimers": (r"alzh?eimer\w*", r"demencia\w*"),
    "stroke": (r"ictus", r"accidentes? cerebrovascular\w*", r"derrames? cerebral\w*", r"embolias? cerebral\w*",
               r"infarto cerebral"),
    "spinal_cord_injury": (r"lesi[oó]n(?:es)? (?:de (?:la )?)?m[eé]dula espinal", r"lesi[oó]n(?:es)? medular\w*",
                           r"parapl[eé]ji\w*", r"tetrapl[eé]ji\w*", r"cuadripl[eé]ji\w*"),
    "cerebral_palsy": (r"par[aá]lisis cerebral",),
    "copd": (r"enfermedad pulmonar obstructiva cr[oó]nica", r"enfisema", r"fibrosis pulmonar",
             r"enfermedad(?:es)? pulmonar\w*"),
    "heart_failure": (r"insuficiencia card[ií]aca", r"enfermedad(?:es)? card[ií]ac\w*", r"cardiopat[ií]a\w*",
                      r"infarto(?: de miocardio)?"),
    "osteoarthritis": (r"osteoartr\w*", r"artrosis", r"artritis"),
    "rheumatoid_arthritis": (r"artritis reumatoide",),
    "joint_pain": (r"dolor(?:es)? (?:de |en (?:las? |los )?)?(?:articula\w*|rodillas?|cadera|hombros?)",
                   r"cart[ií]lago\w*",
                   r"menisco\w*", r"manguito rotador", r"tend[oó]n\w*", r"tendinitis", r"ligamentos?",
                   r"lesiones deportivas"),
    "back_pain": (r"dolor(?:es)? (?:de |en la )?espalda", r"dolor lumbar", r"lumbalgia", r"hernias? discal\w*",
                  r"hernias? de disco", r"ci[aá]tica", r"dolor cervical"),
    "macular_degeneration": (r"degeneraci[oó]n macular",),
    "vision_loss": (r"ceguera", r"p[eé]rdida de (?:la )?visi[oó]n", r"retinosis pigmentaria", r"glaucoma"),
    "epilepsy": (r"epilep\w*",),
    "long_covid": (r"covid persistente", r"covid prolongado", r"post[- ]?covid", r"covid(?:-19)?"),
    "anti_ageing": (r"anti[- ]?envejecimiento", r"rejuvenec\w*", r"longevidad", r"envejecimiento", r"arrugas"),
    "erectile_dysfunction": (r"disfunci[oó]n er[eé]ctil", r"impotencia", r"funci[oó]n sexual", r"rendimiento sexual"),
    "hair_loss": (r"ca[ií]da del (?:cabello|pelo)", r"alopecia", r"calvicie", r"p[eé]rdida de cabello"),
    "lupus": (r"lupus",),
    "chronic_pain": (r"dolor cr[oó]nico", r"neuropat[ií]a\w*", r"fibromialgia"),
    "chronic_fatigue": (r"fatiga(?: cr[oó]nica)?", r"cansancio cr[oó]nico"),
    "kidney_disease": (r"insuficiencia renal", r"enfermedad renal"),
    "leukaemia": (r"leucemia\w*",),
    "lymphoma": (r"linfoma\w*",),
    "myeloma": (r"mieloma\w*",),
    "blood_cancer": (r"c[aá]nceres? (?:de (?:la )?)?sangre", r"c[aá]nceres? hematol[oó]gic\w*",
                r"neoplasias? hematol[oó]gic\w*",
                     r"s[ií]ndromes? mielodispl[aá]sic\w*"),
    "blood_disorder": (r"anemia de c[eé]lulas falciformes", r"drepanocitosis", r"talasemia\w*", r"anemia apl[aá]sica",
                       r"inmunodeficiencia\w*"),
}

CUES: dict[str, tuple[str, ...]] = {
    "cure": (
        r"cur(?:a|an|ar|ará|arán|[oó]|ado|ada|ados|adas|e|en|aci[oó]n|aciones|ativ[oa]s?)", r"revert\w*",
        r"revier(?:te|ten|ta|tan)", r"reversi[oó]n", r"regener(?:a|an|ar|ado|ada|aci[oó]n)", r"restaur\w*",
        r"restablec\w*", r"repar(?:a|an|ar|aci[oó]n)", r"san(?:a|an|ar)", r"elimin(?:a|an|ar|aci[oó]n)",
        r"(?:ya no|nunca m[aá]s|dejan? de) (?:necesita\w*|requiere\w*|depende\w*|usa\w*|tomar?)",
        r"independencia de (?:la )?insulina", r"libres? de (?:insulina|medicamentos|dolor)", r"sin insulina",
        r"recuperaci[oó]n (?:total|completa)", r"rejuvenec\w*", r"nuevas? c[eé]lulas",
    ),
    "benefit": (
        r"mejor\w*", r"ayud(?:a|an|ar|ó)", r"reduc(?:e|en|ir|ci[oó]n)", r"disminu\w*", r"alivi\w*",
        r"trat(?:a|an|ar|amiento|amientos) (?:de|para|la|el|los|las)", r"terapias? para", r"beneficio\w*",
        r"recupera\w*", r"frena\w*", r"detiene\w*", r"estabiliza\w*", r"protege\w*", r"aumenta\w*",
        r"combat\w*", r"opci[oó]n para", r"soluci[oó]n para", r"esperanza para", r"eficaz (?:para|contra|en)",
        r"resultados en",
        r"para (?:pacientes|personas|ni[nñ]os|adultos|quienes) (?:con|que (?:sufren|padecen|viven con))",
    ),
    "risk_minimisation": (
        r"sin (?:ning[uú]n )?(?:efectos? secundarios?|efectos? adversos?|riesgos?|rechazo|complicaciones)",
        r"(?:100 ?%|totalmente|completamente|absolutamente|perfectamente) segur[oa]s?", r"libres? de riesgos?",
        r"cero riesgos?",
        r"no (?:hay|tiene|existe|presenta)n? (?:ning[uú]n )?(?:riesgos?|rechazo|efectos? secundarios?)",
        r"segur[oa]s? y eficaz\w*",
    ),
    "efficacy_statistics": (
        r"\d{1,3}(?:[.,]\d+)? ?% de (?:[eé]xito|mejor[ií]a|mejora|los pacientes|pacientes|efectividad|eficacia|casos)",
        r"tasas? de (?:[eé]xito|respuesta|mejor[ií]a|recuperaci[oó]n)(?: \w+){0,3} \d{1,3}(?:[.,]\d+)? ?%?",
        r"(?:\d+|nueve|ocho|siete) de cada (?:10|diez)(?: \w+)?",
        r"(?:la mayor[ií]a de|casi todos) (?:nuestros )?(?:los )?pacientes (?:\w+ )?(?:mejora\w*|notan|reportan|"
        r"experimentan)",
    ),
    "regulatory_misrepresentation": (
        r"(?:aprobad|certificad|registrad|autorizad|avalad)[oa]s? (?:por|ante) (?:la )?(?:fda|cofepris|"
        r"secretar[ií]a de salud|"
        r"ministerio de salud|gobierno)", r"licencia (?:sanitaria )?(?:de |por )?(?:la )?cofepris",
        r"(?:con )?registro (?:sanitario|cofepris)", r"legalmente (?:aprobad|autorizad)[oa]s?",
    ),
    "borrowed_legitimacy": (
        r"cient[ií]ficamente (?:probad|comprobad|demostrad|validad)[oa]s?",
        r"cl[ií]nicamente (?:probad|comprobad)[oa]s?",
        r"patent\w*", r"instituto", r"publicad[oa]s? en", r"miembros? de", r"acreditad[oa]s?",
        r"reconocid[oa]s? (?:mundial|internacional)\w*", r"l[ií]deres? en", r"premiad[oa]s?", r"pioner\w*",
        r"(?:miles|cientos) de pacientes", r"estudios (?:demuestran|confirman|prueban)",
    ),
    "hype": (
        r"milagr\w*", r"revolucionari\w*", r"avances? (?:revolucionari\w*|sin precedentes)", r"secretos?",
        r"de vanguardia", r"innovador\w*", r"fuente de la juventud",
        r"resultados (?:incre[ií]bles|asombrosos|sorprendentes)",
        r"m[aá]gic\w*",
    ),
    "commercial_pressure": (
        r"\d[\d,.]* ?(?:usd|d[oó]lares|pesos|mxn|euros)", r"precios?", r"paquetes?", r"financiamiento",
        r"financiaci[oó]n",
        r"promoci[oó]n\w*", r"descuentos?", r"traslados?(?: \w+){0,2} aeropuerto", r"hotel\w*", r"hospedaje",
        r"alojamiento", r"garant[ií]a de devoluci[oó]n", r"garantiza\w*", r"garantizad[oa]s?", r"todo incluido",
        r"meses sin intereses",
    ),
    "call_to_action": (
        r"ofertas? (?:especial|limitad)\w*", r"consultas? gratuitas?", r"consultas? gratis",
        r"(?:agend|reserv|solicit|program)\w* (?:tu|su|una) (?:cita|consulta|valoraci[oó]n|evaluaci[oó]n)",
        r"ll[aá]m(?:anos|enos)", r"cont[aá]ct(?:anos|enos)", r"whatsapp", r"plazas limitadas", r"cupo limitado",
        r"por tiempo limitado",
    ),
    "negation_evidence": (
        r"no (?:hay|existe\w*|tenemos) (?:\w+ ){0,3}(?:evidencias?|pruebas)", r"sin (?:\w+ )?(?:evidencias?|pruebas)",
        r"falta de (?:\w+ )?(?:evidencias?|pruebas)", r"(?:poca|escasa|insuficiente) evidencia",
        r"no (?:se )?(?:ha|han) (?:sido )?(?:demostrad[oa]s?|probad[oa]s?|comprobad[oa]s?)",
        r"no (?:est[aá]n?|es|son) (?:\w+ )?(?:probad|comprobad|demostrad)[oa]s?",
        r"no (?:se )?(?:ha|han) (?:demostrado|probado|comprobado)", r"sin (?:base|respaldo) cient[ií]fic[oa]",
        r"no (?:existe|hay) (?:una )?cura", r"mitos?", r"(?:es|son) (?:falso|falsa|falsos|falsas|enga[nñ]os[oa]s?)",
        r"no es cierto", r"carece\w* de (?:evidencia|pruebas|respaldo)",
    ),
    "negation": (r"no(?! s[oó]lo| solamente| m[aá]s)", r"nunca(?! m[aá]s)", r"jam[aá]s", r"ning[uú]n\w*", r"ni",
                 r"tampoco"),
    "reporting_subject": (
        r"(?:cl[ií]nicas?|centros|empresas|anuncios|sitios|p[aá]ginas|vendedores|proveedores|publicidad|promotores|"
        r"autoridades|expertos|especialistas|cofepris|fda)",
    ),
    "reporting_verb": (r"afirma\w*", r"asegura\w*", r"promet\w*", r"anuncia\w*", r"dice\w*", r"sostiene\w*",
                       r"promociona\w*", r"alega\w*", r"advierte\w*"),
    "reporting": (
        r"seg[uú]n(?! nuestr)", r"supuest[oa]s?", r"supuestamente", r"presunt\w*",
        r"(?:los |las |la |el )?llamad[oa]s?",
        r"(?:promocionad|comercializad|anunciad|vendid|presentad)[oa]s? como", r"advierte\w*", r"alerta\w*",
        r"enga[nñ]os\w*", r"fraud\w*", r"estafa\w*", r"falsamente",
    ),
    "hedge": (r"podr[ií]a\w*", r"puede(?:n)? ayudar", r"potencial\w*", r"posible\w*", r"quiz[aá]s?", r"tal vez",
              r"prometedor\w*", r"busca\w* (?:\w+ )?(?:reparar|regenerar)"),
    "research": (r"investigaci[oó]n\w*", r"investigador\w*", r"estudi(?:o|os|ando|ado)", r"ensayos?",
                 r"experimental\w*", r"en el futuro", r"alg[uú]n d[ií]a", r"cient[ií]ficos"),
    "contrast": (r"pero", r"sin embargo", r"sino"),
    "contrast_sub": (r"mientras", r"aunque", r"a diferencia de"),
    "product_type": (
        r"c[eé]lulas? madres?", r"c[eé]lulas? estaminales?", r"c[eé]lulas? troncales?", r"mesenquimal\w*",
        r"cord[oó]n umbilical", r"sangre (?:de|del) cord[oó]n", r"amni[oó]tic\w*", r"gelatina de wharton",
        r"exosomas?", r"secretoma", r"plasma rico en plaquetas", r"medicina regenerativa", r"terapias? celular\w*",
        r"terapias? regenerativa\w*", r"fracci[oó]n vascular estromal", r"factores de crecimiento", r"placenta\w*",
    ),
    "approved_product": (
        r"trasplantes? de m[eé]dula [oó]sea", r"trasplantes? de progenitores hematopoy[eé]ticos",
        r"trasplantes? (?:de c[eé]lulas madre )?hematopoy[eé]tic\w*", r"trasplantes? de sangre de cord[oó]n",
        r"trasplantes? (?:alog[eé]nic|aut[oó]log)\w*", r"c[eé]lulas madre hematopoy[eé]ticas",
    ),
    "mitigation": (
        r"experimental\w*", r"los resultados (?:pueden )?var(?:[ií]an|iar)", r"resultados individuales",
        r"sin garant[ií]a", r"riesgos? (?:incluyen|como|de)",
        r"ensayos? cl[ií]nicos? (?:registrad|aprobad)\w*", r"comit[eé] de [eé]tica", r"consentimiento informado",
        r"en (?:fase de )?investigaci[oó]n", r"consulte (?:a )?su m[eé]dico",
    ),
    "testimonial": (
        r"me (?:cur[oó]|cambi[oó] la vida)", r"ahora (?:puedo|camino|hablo)", r"ya no (?:tengo|siento)",
        r"volv(?:i[oó]|í|imos) a (?:caminar|hablar|ver|correr|dormir|trabajar)",
    ),
    "testimonial_heading": (r"testimonios?", r"antes y despu[eé]s", r"historias? de [eé]xito", r"casos de [eé]xito"),
    "patient_outcome": (r"pacientes (?:\w+ ){0,3}?(?:notan|reportan|refieren|experimentan|sienten|logran|"
                        r"recuperan|muestran|ven)",),
    "testimonial_subject": (r"(?:mi|nuestro|nuestra) (?:hijo|hija|esposo|esposa|madre|padre|beb[eé]|ni[nñ]o|ni[nñ]a)",),
}

CASED: dict[str, tuple[str, ...]] = {
    "condition:autism": (r"TEA",),
    "condition:als": (r"ELA",),
    "condition:copd": (r"EPOC",),
    "condition:stroke": (r"ACV",),
    "product_type": (r"PRP", r"CMM"),
}
