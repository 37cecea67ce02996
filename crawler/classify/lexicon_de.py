"""German vocabulary (data only; see lexicon.py for the pattern conventions).

German builds compounds ("Stammzelltherapie", "Kniearthrose"), so many patterns end in `\\w*`
and a few start with it.
"""
from __future__ import annotations

CONDITIONS: dict[str, tuple[str, ...]] = {
    "diabetes": (r"diabet\w*", r"zuckerkrank\w*", r"insulin\w*", r"blutzucker\w*", r"betazellen", r"inselzellen"),
    "autism": (r"autis\w*", r"asperger\w*"),
    "multiple_sclerosis": (r"multiple(?:n|r)? sklerose",),
    "als": (r"amyotrophe(?:n|r)? lateralsklerose",),
    "parkinsons": (r"parkinson\w*",),
    "alzheimers": (r"alzheimer\w*", r"demenz\w*"),
    "stroke": (r"schlaganf[aä]ll\w*", r"hirninfarkt\w*"),
    "spinal_cord_injury": (r"querschnitt\w*", r"r[uü]ckenmarksverletzung\w*", r"r[uü]ckenmarkverletzung\w*"),
    "cerebral_palsy": (r"(?:infantile )?zerebralparese", r"cerebralparese"),
    "copd": (r"lungenemphysem\w*", r"lungenerkrankung\w*", r"lungenfibrose"),
    "heart_failure": (r"herzinsuffizienz", r"herzschw[aä]che", r"herzerkrankung\w*", r"herzinfarkt\w*"),
    "osteoarthritis": (r"arthrose\w*", r"(?:knie|h[uü]ft|schulter|finger|sprunggelenk|gon|cox)arthrose\w*",
                       r"arthritis"),
    "rheumatoid_arthritis": (r"rheumatoide arthritis", r"rheuma\w*"),
    "joint_pain": (r"gelenk\w*", r"knie\w*", r"knorpel\w*", r"meniskus\w*",
                   r"sehnen(?:verletzung|riss|entz[uü]ndung)\w*", r"b[aä]nderriss\w*",
                   r"sportverletzung\w*"),
    "back_pain": (r"r[uü]ckenschmerz\w*", r"bandscheibe\w*", r"ischias\w*", r"nackenschmerz\w*"),
    "macular_degeneration": (r"makuladegeneration",),
    "vision_loss": (r"erblindung", r"blindheit", r"sehverlust", r"retinitis pigmentosa", r"glaukom"),
    "epilepsy": (r"epilep\w*",),
    "long_covid": (r"long[- ]covid", r"post[- ]covid\w*", r"covid(?:-19)?"),
    "anti_ageing": (r"anti[- ]?aging", r"verj[uü]ng\w*", r"langlebigkeit", r"alterung\w*", r"falten"),
    "erectile_dysfunction": (r"erektil\w*", r"erektionsst[oö]rung\w*", r"impotenz", r"potenzst[oö]rung\w*"),
    "hair_loss": (r"haarausfall", r"alopezie", r"glatze\w*"),
    "lupus": (r"lupus",),
    "chronic_pain": (r"chronische(?:n|r)? schmerz\w*", r"neuropathi\w*", r"fibromyalgie"),
    "chronic_fatigue": (r"ersch[oö]pfung\w*", r"chronische(?:s|n)? (?:m[uü]digkeit|fatigue)", r"fatigue"),
    "kidney_disease": (r"niereninsuffizienz", r"nierenversagen", r"nierenerkrankung\w*"),
    "leukaemia": (r"leuk[aä]mie\w*",),
    "lymphoma": (r"lymphom\w*", r"non-hodgkin-lymphom\w*", r"hodgkin\w*"),
    "myeloma": (r"myelom\w*", r"plasmozytom\w*"),
    "blood_cancer": (r"blutkrebs\w*", r"h[aä]matologische(?:n|r)? (?:krebs\w*|neoplasie\w*)"),
    "blood_disorder": (r"sichelzell\w*", r"thalass[aä]mie\w*", r"aplastische(?:n|r)? an[aä]mie", r"immundefekt\w*"),
}

CUES: dict[str, tuple[str, ...]] = {
    "cure": (
        r"heil(?:t|en|ung|ungen|bar|te|ten)", r"geheilt", r"umkehr\w*", r"kehrt\w* (?:\w+ ){0,3}um",
        r"r[uü]ckg[aä]ngig", r"regenerier\w*", r"regeneration", r"wiederherstell\w*",
        r"stellt\w* (?:\w+ ){0,4}wieder her",
        r"beseitig\w*", r"insulinunabh[aä]ngig\w*", r"(?:nicht mehr|nie wieder) (?:auf )?(?:insulin|medikamente)\w*",
        r"ohne (?:insulin|medikamente)", r"schmerzfrei", r"keine?n? (?:insulin|medikamente|schmerzen|spritzen)\w* mehr",
        r"(?:sind|ist) (?:\w+ )?verschwunden", r"repariert\w*", r"erneuer\w*", r"verj[uü]ng\w*",
        r"neue (?:zellen|knorpel\w*|nervenzellen)", r"heilmittel\w*", r"beschwerdefrei\w*",
        r"macht (?:\w+ ){0,2}(?:insulin|medikamente|operation\w*|spritzen)\w* [uü]berfl[uü]ssig",
        r"vollst[aä]ndige(?:n)? (?:genesung|heilung|wiederherstellung)",
    ),
    "benefit": (
        r"verbesser\w*", r"hilft", r"helfen", r"lindert", r"linder\w*", r"reduzier\w*", r"behandl\w*",
        r"therapie (?:bei|gegen|von)",
        r"wirk\w* (?:bei|gegen)", r"bremst\w*", r"stoppt\w*", r"stabilisier\w*", r"st[aä]rk\w*", r"unterst[uü]tz\w*",
        r"senk\w*", r"l[oö]sung (?:bei|f[uü]r)", r"hoffnung (?:bei|f[uü]r)", r"erfolg\w* bei",
        r"f[uü]r (?:patienten|menschen|kinder) mit", r"ohne (?:operation|op|chirurgischen eingriff)",
        r"operation\w* vermeiden", r"verlangsam\w*", r"aufhalten", r"wirksam (?:bei|gegen)", r"besserung",
        r"erleichter\w*", r"verringer\w*",
    ),
    "risk_minimisation": (
        r"keine(?:rlei)? (?:\w+ )?(?:nebenwirkungen|risiken|abstoßung\w*|komplikationen)",
        r"ohne (?:jegliche )?(?:nebenwirkungen|risiken?|abstoßung)",
        r"(?:100 ?%|v[oö]llig|absolut|komplett|vollkommen|garantiert) (?:sicher|risikolos|unbedenklich)",
        r"risikofrei", r"risikolos",
        r"nebenwirkungsfrei", r"sicher und wirksam",
    ),
    "efficacy_statistics": (
        r"\d{1,3}(?:[.,]\d+)? ?% (?:der |unserer )?(?:patienten|erfolg\w*|besserung|verbesserung|f[aä]lle)",
        r"erfolgsquote\w*(?: \w+){0,3} \d{1,3}(?:[.,]\d+)? ?%?", r"(?:\d+|neun|acht|sieben) von (?:10|zehn)(?: \w+)?",
    ),
    "regulatory_misrepresentation": (
        r"(?:von der |durch die )?(?:fda|ema|beh[oö]rde\w*)[- ]?(?:zugelassen|genehmigt|registriert|zertifiziert)",
        r"(?:zugelassen|genehmigt|registriert|zertifiziert) (?:von der|durch die|bei der) (?:fda|ema|beh[oö]rde\w*)",
        r"staatlich (?:zugelassen|anerkannt|genehmigt)", r"beh[oö]rdlich (?:zugelassen|genehmigt)",
    ),
    "borrowed_legitimacy": (
        r"wissenschaftlich (?:bewiesen|belegt|nachgewiesen|best[aä]tigt)",
        r"klinisch (?:bewiesen|getestet|belegt|gepr[uü]ft)",
        r"patent\w*", r"institut", r"ver[oö]ffentlicht", r"mitglied\w*", r"akkreditiert", r"preisgekr[oö]nt",
        r"weltweit (?:f[uü]hrend|anerkannt|bekannt)", r"pionier\w*",
        r"tausende(?:n)? (?:von )?(?:zufriedene\w* )?patienten",
        r"studien (?:belegen|beweisen|zeigen|best[aä]tigen)",
    ),
    "hype": (r"wunder\w*", r"durchbruch\w*", r"revolution[aä]r\w*", r"sensationell\w*", r"geheim\w*",
             r"bahnbrechend\w*",
             r"jungbrunnen", r"unglaublich\w*"),
    "commercial_pressure": (
        r"\d[\d.,]* ?(?:euro|eur|€|chf|usd)", r"preise?", r"preisliste", r"pakete?", r"finanzierung\w*",
        r"ratenzahlung\w*",
        r"rabatt\w*", r"geld[- ]zur[uü]ck", r"garantie\w*", r"garantiert", r"hotel\w*", r"flughafentransfer\w*",
    ),
    "call_to_action": (
        r"kostenlose(?:s|n)? (?:erstgespr[aä]ch|beratung\w*|beratungsgespr[aä]ch)", r"termin (?:vereinbaren|buchen)",
        r"(?:vereinbaren|buchen) sie (?:\w+ ){0,2}(?:termin|beratung\w*)", r"sonderangebot\w*",
        r"angebot\w* (?:gilt|begrenzt)", r"begrenzte(?:s|n)? angebot", r"rufen sie (?:uns )?(?:jetzt|heute) an",
        r"kontaktieren sie uns", r"whatsapp", r"jetzt (?:anfragen|buchen|anmelden)",
    ),
    "negation_evidence": (
        r"keine(?:rlei)? (?:\w+ ){0,2}(?:belege|beweise|hinweise|evidenz|nachweise|daten)",
        r"nicht (?:wissenschaftlich |klinisch )?(?:nachgewiesen|belegt|bewiesen|erwiesen|best[aä]tigt)",
        r"unbewiesen\w*", r"unbelegt\w*", r"(?:mangel|fehlen) an (?:\w+ )?(?:belegen|beweisen|evidenz)",
        r"es gibt keine (?:\w+ )?heilung", r"keine heilung", r"mythos", r"mythen",
        r"(?:ist|sind) (?:\w+ )?(?:falsch|irref[uü]hrend|unwahr)",
        r"nicht wahr", r"keine(?:rlei)? (?:wissenschaftliche(?:n)? )?grundlage", r"entbehrt jeder (?:\w+ )?grundlage",
        r"(?:wurde|wurden) (?:\w+ )?nie (?:\w+ )?(?:nachgewiesen|bewiesen|belegt)",
        r"(?:wenig|kaum|unzureichende?) (?:\w+ )?(?:belege|evidenz|daten|beweise)", r"kein heilmittel",
        r"nicht heilbar",
    ),
    "negation": (r"kein(?:e|en|er|es|em)?", r"nie(?! wieder)", r"niemals", r"weder", r"noch nie"),
    # German puts "nicht" after the verb ("heilt Diabetes nicht"): it may follow the claim cue.
    "negation_post": (r"nicht(?! nur| mehr)",),
    "reporting_subject": (
        r"(?<!unsere\s)(?<!unser\s)(?:kliniken|klinik|anbieter|firmen|unternehmen|werbung|webseiten|websites|anzeigen|"
        r"verk[aä]ufer|praxen|beh[oö]rden|experten|fachleute|manche|einige|hersteller|zentren|heilpraktiker|"
        r"scharlatane)",
    ),
    "reporting_verb": (r"behaupt\w*", r"versprech\w*", r"verspricht", r"werb\w*", r"bewerb\w*", r"preis\w*", r"geben",
                       r"sagen", r"sagt", r"warn\w*", r"suggerier\w*", r"locken"),
    "reporting": (
        r"angeblich\w*", r"sogenannt\w*", r"sog\.", r"laut(?! unser)", r"vermeintlich\w*", r"werben mit",
        r"behauptet\w*", r"warn(?:t|en|ung)\w*", r"betrug\w*", r"unseri[oö]s\w*", r"irref[uü]hrend\w*",
        r"werben damit", r"(?:behaupten|versprechen),? dass", r"nach (?:eigenen )?angaben", r"angepriesen\w*",
        r"(?:beworben|vermarktet|verkauft|angepriesen) als", r"als (?:\w+ ){0,2}(?:beworben|vermarktet|angepriesen)",
        r"vorsicht (?:bei|vor)", r"hei[sß]t es", r"es hei[sß]t", r"scharlatan\w*",
        r"(?:pr[uü]f|untersuch|test)\w*(?: \w+)?,? ob",
    ),
    "hedge": (r"k[oö]nnte\w*", r"m[oö]glicherweise", r"eventuell", r"vielleicht", r"potenziell\w*", r"potentiell\w*",
              r"vielversprechend\w*", r"soll(?:en)? (?:helfen|k[oö]nnen)"),
    "research": (r"forschung\w*", r"forscher\w*", r"studie\w*", r"experimentell\w*", r"in zukunft", r"eines tages",
                 r"wissenschaftler\w*", r"untersucht"),
    "contrast": (r"aber", r"jedoch", r"sondern", r"allerdings"),
    "contrast_sub": (r"w[aä]hrend", r"obwohl", r"im gegensatz zu"),
    "product_type": (
        r"stammzell\w*", r"mesenchymal\w*", r"nabelschnur\w*", r"exosom\w*", r"eigenblut\w*", r"plasma\w*therapie",
        r"thrombozytenreiche\w* plasma", r"regenerative(?:n|r)? (?:medizin|therapie\w*)", r"zelltherapie\w*",
        r"frischzell\w*", r"plazenta\w*", r"fettgewebe\w*", r"wachstumsfaktor\w*",
    ),
    "approved_product": (
        r"knochenmark(?:s)?transplantation\w*", r"(?:blut)?stammzelltransplantation\w*",
        r"h[aä]matopoetische\w* stammzell\w*",
        r"(?:allogene|autologe)\w* (?:stammzell)?transplantation\w*", r"nabelschnurbluttransplantation\w*",
    ),
    "mitigation": (
        r"experimentell\w*", r"nicht zugelassen", r"ergebnisse (?:k[oö]nnen )?(?:variieren|unterschiedlich)",
        r"risiken (?:sind|umfassen|wie)", r"ethikkommission\w*", r"ethikvotum", r"einverst[aä]ndniserkl[aä]rung",
        r"(?:noch )?in der erforschung", r"(?:noch )?nicht ausreichend (?:erforscht|untersucht)",
        r"individuelle ergebnisse", r"fragen sie ihren arzt", r"aufkl[aä]rung [uü]ber (?:die )?risiken",
        r"keine garantie",
    ),
    "testimonial": (
        r"hat mein leben ver[aä]ndert", r"ich kann wieder", r"f[uü]hle mich wie neu(?:geboren)?",
        r"jahre j[uü]nger",
    ),
    "testimonial_heading": (r"erfahrungsberichte?", r"patientenberichte?", r"vorher[- ]nachher",
                            r"erfahrungen unserer patienten"),
    "patient_outcome": (r"patient(?:en|innen) (?:\w+ ){0,3}?(?:berichten|sp[uü]ren|erleben|bemerken|zeigen|"
                        r"erreichen)",),
    "testimonial_subject": (r"(?:mein|meine|unser|unsere) (?:sohn|tochter|kind|mann|frau|mutter|vater)",),
}

CASED: dict[str, tuple[str, ...]] = {
    "condition:multiple_sclerosis": (r"MS",),
    "condition:als": (r"ALS",),
    "condition:copd": (r"COPD",),
    "condition:macular_degeneration": (r"AMD",),
    "product_type": (r"PRP", r"MSCs?", r"ACP"),
    "approved_product": (r"KMT", r"SZT"),
}
