"""Is a message written in another language than English?

The assistant answers in English only. A message in Dutch, German, French,
Spanish, Italian, Portuguese or Polish, or one written in another script, gets a short reply saying so, with the emergency
number and the clinic's contact, instead of an unrelated English answer (red
flags in those languages are matched first, by clinic/red_flags.yml).

Counting common function words is enough here: the question is only "English
or not", and a wrong "not English" costs one polite reply.
"""

from __future__ import annotations

import re

# Frequent words of each language that are not also common English words.
FOREIGN_WORDS = {
    "nl": "ik je jij het een de niet wel mijn mij ben heb hebt heeft zijn wat hoe waarom waar "
    "wanneer kan kun kunt mag moet wil graag ook nog maar dan dat dit deze die er geen pijn "
    "voor met bij naar van zwanger afspraak alstublieft bedankt dank hallo goedemorgen "
    "goedemiddag hoi nee ja zeer erg veel echt al",
    "de": "ich du sie es ein eine einen nicht kein keine mein meine mich mir bin habe hast hat "
    "sind ist was wie warum wo wann kann darf muss will gern gerne auch noch aber dann dass "
    "das dies diese der die den dem des schmerzen mit bei nach von zu schwanger termin bitte "
    "danke hallo guten tag nein ja sehr viel wirklich schon und oder",
    "fr": "je tu il elle nous vous ils une des ne pas mon ma mes suis ai as est sommes sont "
    "quoi comment pourquoi où quand peux peut dois veux aussi encore mais alors que qui cette "
    "douleur avec chez pour enceinte rendez vous merci bonjour salut oui très beaucoup",
    "es": "yo tú él ella nosotros usted un una los las del mi mis estoy soy tengo tiene es "
    "qué cómo como por qué dónde cuándo puedo puede debo quiero también todavía pero entonces "
    "que esta este dolor con para embarazada cita gracias hola sí muy mucho",
    "it": "io sono ho hai ha il lo gli della mio mia non cosa come perché dove quando posso "
    "può devo voglio anche ancora ma allora che questa questo dolore con per incinta "
    "appuntamento grazie ciao buongiorno sì molto",
    "pt": "eu você ele ela um uma os as do da meu minha não estou sou tenho tem é que como "
    "porque onde quando posso pode devo quero também ainda mas então esta este dor com para "
    "grávida consulta obrigado obrigada olá bom dia sim muito",
    "pl": "się mam jest nie że jak co czy mnie mój moja moje ból boli chcę umówić wizytę dzień "
    "dobry dziękuję tak bardzo podczas biegania biegam w ze na jestem mogę proszę ciąży",
}
FOREIGN = {lang: frozenset(words.split()) for lang, words in FOREIGN_WORDS.items()}
# Common English words, some of which are also foreign words ("die", "was", "me").
ENGLISH = frozenset(
    """i you he she it we they me my your the a an and or but not no is are was were be
    been have has had do does did can could will would should may might must what how why
    where when which who this that these those there here of in on at to for with from by
    about into after before again very just also so if then than too up down out over all
    any some much many more most other only own same such yes hi hello thanks thank please
    dry needling needle needles run running runner pain hurt hurts knee calf achilles shin
    foot hip book appointment pregnant blood infection diabetes im i'm don't dont can't""".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


# Letters of scripts English is not written in (Greek, Cyrillic, Hebrew, Arabic, Indic,
# Thai, Georgian, Hangul, kana, CJK): "予約したいです。走ると胸が..." is no English message
_OTHER_SCRIPT = re.compile(
    "[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f\u10a0-\u10ff"
    "\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
)


def foreign_language(text: str) -> str | None:
    """The language code of a message that is clearly not English, else None ("other"
    for one written mostly in another script)."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(1 for c in letters if _OTHER_SCRIPT.match(c)) * 2 > len(letters):
        return "other"
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 2:
        return None  # "ja", "nee", "merci": too short to tell; answers read them
    english = sum(1 for w in words if w in ENGLISH)
    best, hits = None, 0
    for lang, vocabulary in FOREIGN.items():
        count = sum(1 for w in words if w in vocabulary and w not in ENGLISH)
        if count > hits:
            best, hits = lang, count
    # mostly another language, or a whole sentence of it inside English
    if hits >= 2 and hits > english or hits >= 3:
        return best
    return None
