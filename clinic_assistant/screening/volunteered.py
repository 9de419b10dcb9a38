"""Reading screening facts from a runner's free text, the conservative way.

"I'm not pregnant and I'm on Eliquis, can I book?" answers two questions at
once; the spaCy pipeline finds the conditions and how each was put. The rules
follow the clinic's safety principles:

- a condition the runner affirms, or is unsure about, fills in "yes" or "unsure";
- a denial fills in "no" only when it denies, by the condition's general name,
  everything the question covers ("no blood disease and no blood thinners");
  "not on warfarin" does not answer the blood question;
- conditions about someone else or in a question ("if I'm pregnant") are not
  the runner's answers;
- a medicine the vocabulary does not know makes the medicine question "unsure".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Sequence

from clinic_assistant.nlp.negation import ALARM_WORDS, a_fever_figure
from clinic_assistant.nlp.pipeline import Mention, load_vocabulary
from clinic_assistant.nlp.typos import is_english_word
from clinic_assistant.screening.answers import (
    is_explicit_yes,
    is_hedged,
    is_question,
    normalise,
    parse_pregnancy_stage,
    parse_yes_no,
    speaks_of_self,
)
from clinic_assistant.screening.rules import CHECK, NO, UNSURE, YES, Question, Screening

# When readings disagree, the safer one wins.
PRECEDENCE = {YES: 4, UNSURE: 3, CHECK: 2, NO: 1}
# The question an unknown medicine volunteered anywhere makes "unsure"; given as
# the answer to any question about medicines, it makes that one "unsure".
MEDICINE_QUESTION = "blood_disorder"
# "no fever, just on Brufex for my toe": a medicine nobody added to the vocabulary may
# be the antibiotic of an infection treated now
INFECTION_NOW_QUESTION = "current_infection"
# "the sensor buzzes at me if my glucose drops", "I take glucose when the monitor goes off
# at night": a glucose monitor that alarms is diabetes told without its name
DIABETES_QUESTION = "infection_risk"
_ALARM = rf"(?:monitor|sensor|goes off|went off|(?:{'|'.join(sorted(ALARM_WORDS - {'off'}))})\w*)"
_GLUCOSE = r"(?:glucose|blood sugars?|sugars?)(?! gels?\b| chews\b| drinks?\b)"
_GLUCOSE_MONITORED = re.compile(
    rf"\b{_GLUCOSE}\b(?:\W+\w+){{0,10}}?\W+{_ALARM}\b|\b{_ALARM}\b(?:\W+\w+){{0,10}}?\W+{_GLUCOSE}\b"
)

# An HbA1c figure (NHS, "Type 2 diabetes: diagnosis"; Diabetes UK): 48 mmol/mol (6.5 %) or
# more is diabetes, 42 to 47 (6.0 to 6.4 %) prediabetes; a normal one ("a1c was 34") says
# nothing. Figures up to 20 are per cent, larger ones mmol/mol.
_HBA1C = re.compile(
    r"\b(?:hb ?a1c|a1c|hba1c)\b(?:\W+(?:was|is|of|at|came|back|last|my|reading|result|levels?"
    r"|around|about|roughly|only|just|still|now|=|:))*\W+(?P<figure>\d{1,3}(?:\.\d+)?)"
)
# A due date said as a day ("not sick - due 3rd of Feb though"): the due date of a
# pregnancy, unless something else is due ("rent's due 3rd of Feb" has its subject)
_DUE_ON_A_DAY = re.compile(
    r"(?:^|[-,.;:!?()]|\b(?:i'?m|im|i am|and|but|just|though|tho|baby'?s?|baby is|bub'?s?))\s*"
    r"due (?:on )?(?:the )?\d{1,2}(?:st|nd|rd|th)?(?: of)? "
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
)
DIABETIC_HBA1C_MMOL, PREDIABETIC_HBA1C_MMOL = 48, 42
DIABETIC_HBA1C_PERCENT, PREDIABETIC_HBA1C_PERCENT = 6.5, 6.0


def hba1c_answer(text: str) -> str | None:
    """YES for a diabetic HbA1c figure, UNSURE for a prediabetic one, else None."""
    answers = []
    for match in _HBA1C.finditer(text.lower()):
        figure = float(match.group("figure"))
        diabetic, prediabetic = (
            (DIABETIC_HBA1C_PERCENT, PREDIABETIC_HBA1C_PERCENT)
            if figure <= 20
            else (DIABETIC_HBA1C_MMOL, PREDIABETIC_HBA1C_MMOL)
        )
        if figure >= diabetic:
            answers.append(YES)
        elif figure >= prediabetic:
            answers.append(UNSURE)
    return max(answers, key=PRECEDENCE.__getitem__) if answers else None


@lru_cache(maxsize=1)
def medicine_ids() -> FrozenSet[str]:
    """The conditions that are medicines (vocabulary.yml `medication`)."""
    return frozenset(load_vocabulary().get("medication", {}))


_MEDICINE_WORDS = (
    r"(?:medications?|medicines?|meds|tablets?|pills?|capsules?|injections?|jabs?|"
    r"prescriptions?|prescribed|drugs?)"
)
# International non-proprietary name endings of medicines (WHO INN stems), e.g.
# -xaban (apixaban), -gatran (dabigatran), -grel (clopidogrel), -mab, -limus.
_DRUG_NAME = re.compile(
    r"\b[a-z]{2,}(?:xaban|gatran|parin|farin|grel|mab|nib|olol|pril|sartan|statin|mycin|"
    r"cillin|azole|sone|olone|prazole|tidine|dronate|limus|trexate|profen|fenac|coxib|cycline|"
    r"floxacin|vir|dipine|semide|thiazide|formin|gliptin|gliflozin)\b"
)
_TAKES = re.compile(
    r"\b(?:i'm on|im on|i am on|been on|currently on|still on|i take|i'm taking|im taking|"
    r"i am taking|taking|i use|i'm using|im using|prescribed|prescribed me|put me on)\s+"
    r"(?:a |an |some |my |daily |low dose |baby |this |these |those |his |her )?"
    r"(?P<name>[a-z][a-z0-9-]{3,})\b"
)
# "just on X", "on X" to begin with, "no, just X": a medicine when X is no English word
_ON_UNKNOWN = re.compile(
    r"(?:(?:^|\b(?:just|only|but|also|and|still|now|no|nope|nah) )on |\b(?:no|nope|nah) (?:just|only) )"
    r"(?:a |an |some |my |the )?(?P<name>[a-z][a-z0-9-]{3,})\b"
)
# "the GP gave me X": a medicine when X is no English word, or one given with a dose
# ("gave me caprin for my heart"); not "the hill reps gave me knots"
_GAVE_ME = re.compile(r"\bgave me (?:a |an |some |my |the )?(?P<name>[a-z][a-z0-9-]{3,})\b")
# Words after "I take"/"I'm on" that are not medicines.
_NOT_MEDICINE = frozenset((
    "student", "budget", "shoestring", "part", "care", "time", "breaks", "break", "rest", "easy", "days", "holiday", "vacation",
    "them", "that", "this", "these", "those", "things", "steps", "walks", "walk", "runs", "run",
    "road", "trail", "track", "treadmill", "team", "call", "phone", "board", "list", "diet",
    "course", "plan", "leave", "duty", "shift", "feet", "foot", "knee", "calf", "legs", "leg",
    # shifts, time off and apps: "I'm on earlies all week", "on furlough", "on strava"
    "earlies", "lates", "nights", "furlough", "period", "periods", "holidays", "lunch",
    "strava", "garmin", "zwift",
    "week", "weeks", "month", "months", "year", "years", "minute", "minutes", "hour", "hours",
    "anything", "nothing", "everything", "something", "none", "any", "much", "more", "less",
    "stretch", "stretches", "stretching", "yoga", "pilates", "physio", "physiotherapy",
    "massage", "sure", "curious", "asking", "wondering", "checking", "mild", "minor", "once",
    "twice", "after", "before", "when", "with", "from", "about", "like", "well", "good",
    "okay", "fine", "myself", "here", "there", "home", "work", "bike", "cycling", "swimming",
    "race", "marathon", "training", "pregnant", "diabetic", "want", "wanted",
    "question", "questions", "thought", "your", "their", "would", "could", "should",
    "sometimes", "occasionally", "regularly", "every", "each", "daily", "night",
    "morning", "evening", "water", "coffee", "beer", "wine", "food", "meal", "meals", "seat",
    "heat", "ice", "cold", "warm", "warmth", "hot", "tape", "taping", "foam", "roller",
    "deep",  # Deep Heat, a muscle rub
    "crutches", "crutch", "sticks", "boot",  # walking aids: "I'm on crutches"
    "dog", "dogs", "kids", "children", "stairs", "bus", "train", "out",
    # "how do I take a screenshot", "I take a shower straight after": things one takes
    "screenshot", "screenshots", "photo", "photos", "picture", "pictures", "pic", "pics",
    "selfie", "selfies", "shower", "showers", "bath", "baths", "nap", "naps", "look", "note",
    "notes", "taxi", "uber", "lift", "class", "classes", "lesson", "lessons",
    # what a physio or a coach gives: "gave me exercises for my calf", "gave me compeed"
    "exercises", "exercise", "advice", "tips", "drills", "rehab", "homework", "insoles",
    "orthotics", "plasters", "plaster", "compeed", "bandage", "strapping",
    "eccentrics", "isometrics", "raises", "reps", "sets", "squats", "lunges", "bridges",
    "planks", "drops", "hops", "strength", "mobility",
    # what a runner takes on a long run (glucose only as a gel or a drink, _RUNNERS_FUEL)
    "gel", "gels", "chews", "electrolytes", "electrolyte", "caffeine", "carbs", "fuel", "sweets",
    # health insurers and medical aids: "does my medical aid pay? I'm on Discovery" (South
    # Africa, UK, Ireland, Australia, New Zealand, US)
    "discovery", "bonitas", "momentum", "medshield", "fedhealth", "bestmed", "gems", "profmed",
    "bupa", "axa", "vitality", "aviva", "simplyhealth", "vhi", "laya", "medibank", "hcf",
    "nib", "hbf", "medicare", "medicaid", "aetna", "cigna", "humana", "kaiser", "tricare",
))  # fmt: skip
# "taking glucose gels every 5k" is fuel; "I take glucose when the monitor goes off" a hypo's
_RUNNERS_FUEL = re.compile(r"(?:glucose|dextrose) (?:gels?|chews|drinks?|sweets|jelly|jellies)\b")
# "I'm on Eli quiz twice a day": something taken on a schedule is a medicine, whatever a
# voice keyboard made of its name
_ON_A_SCHEDULE = re.compile(
    r"\b(?:i'm on|im on|i am on|been on|still on|currently on|i take|i'm taking|im taking|"
    r"i am taking)\s+(?P<what>(?:[a-z0-9'-]+\s+){0,2}?[a-z0-9'-]+)\s+(?:once|twice|"
    r"three times|\d+ times|every (?:day|morning|night|evening)|each (?:day|morning|night)|"
    r"daily|a day|at night|(?:a |in the |every |each )?morning and (?:at )?night|"
    r"(?:a |in the )?morning and evening|night and morning|in the morning|at bedtime|"
    r"before bed|with (?:breakfast|dinner|food|meals))\b"
)
# where a denial's scope ends: "no disorder. I take lick see ana once a day"
_CLAUSE_BREAK = re.compile(r"[.!?;\n]|\b(?:but|though|although|however)\b")
_ARTICLES = frozenset("a an the my some this these those his her".split())
# "should I be taking ibuprofen?", "is it ok to take X before runs?": a question about
# taking it, not a medicine taken
_ASKS_WHETHER_TO_TAKE = re.compile(
    r"\b(?:(?:should|can|could|may|shall) i (?:be )?(?:take|taking|use|using)"
    r"|(?:ok|okay|safe|fine|alright|bad|good) to (?:take|use))\s+(?:some |any )?$"
)
# "how much ibuprofen can I take?", "is naproxen ok before a race?": asked about, not taken
_ASKED_ABOUT_AFTER = re.compile(
    r"\s+(?:(?:can|could|should|may) i (?:take|have|use)|(?:is|are) (?:it |they )?"
    r"(?:ok|okay|safe|fine|alright|allowed))\b"
)
# How people talk about a medicine they take: "twice a day", "5mg", "infusions".
_DOSING = re.compile(
    r"\b(?:\d+\s*mg|mg|twice|once|daily|every \d+ (?:days|weeks|months)|fortnightly|"
    r"every (?:day|morning|night|evening|afternoon|arvo)|every other (?:day|week|month)|"
    # "a day" as in "twice a day", not "a day later" or "a day off"
    r"a day(?! (?:later|ago|off|or|after|before|earlier|since))|"
    # not "jab": here it is mostly the needling ("a quick 10 min jab or a full hour?")
    r"tablets?|pills?|capsules?|infusions?|injections?|dose|doses|prescribed|"
    r"for my (?:heart|blood|colitis|crohn'?s|arthritis|lupus|psoriasis|asthma|kidney|liver))\b"
)
# a word no dictionary knows after these is a place or a person: "every morning in
# salthill", "a massage with ciara twice a month"
_PLACE_OR_PERSON_BEFORE = re.compile(r"\b(?:in|at|near|around|from|with|called|named)\s+$")
# "not on warfarin any more, the new one now", "not on apixaban this week, paused
# for my colonoscopy, back on it Monday": the denial is not the whole story
_SWITCHED = re.compile(
    r"\b(?:switched|swapped|changed|moved|now on|instead|new one|different one|another one"
    r"|back on|paused|on hold|restart\w*)\b"
)
_NEGATED_BEFORE = re.compile(
    r"\b(?:no|not|n't|never|dont|don't|without|nothing|none)\b[\w\s']{0,20}$"
)
# "no, I'm on Waran": the answer's "no" before a medicine taken denies nothing of it
_ANSWER_WORD_ONLY = re.compile(r"\s*(?:no|nope|nah)(?: wait| actually| well| but| sorry)?\s*")
# "I'm on furlough and pletal", "on my period n duoplavin": a second thing one is on
_AND_ANOTHER = re.compile(
    r"^(?:\s+[\w']+){0,3}?\s+(?:and|n|plus|with)\s+(?:the |my |some |a )?(?P<name>[a-z][a-z0-9-]{3,})\b"
)
# "just finishing the zinnat": a course of something no dictionary knows
_FINISHING = re.compile(
    r"\b(?:finishing|finished|started|starting|halfway through) (?:off )?(?:the |my |a |some )?"
    r"(?P<name>[a-z][a-z0-9-]{3,})\b"
)


@dataclass
class Reading:
    """What one message says for the screening."""

    answers: Dict[str, str] = field(default_factory=dict)
    about_someone_else: bool = False
    unknown_medicines: List[str] = field(default_factory=list)
    # questions whose conditions the runner named of themselves in a question or an
    # "if" ("is it still ok if I'm on chemo?"): no answer, but not a "no" either
    asked_about: List[str] = field(default_factory=list)
    # questions whose conditions the message names at all, but not in a denial
    named: List[str] = field(default_factory=list)


def _strip_plural(text: str) -> str:
    return text[:-1] if text.endswith("s") and not text.endswith("ss") else text


def _is_general(mention: Mention, screening: Screening) -> bool:
    terms = {normalise(t) for t in screening.general_terms.get(mention.id, ())}
    text = normalise(mention.text)
    return text in terms or _strip_plural(text) in terms


def mention_answers(mentions: Iterable[Mention], screening: Screening) -> Dict[str, str]:
    """Each question's answer from the runner's own condition mentions.

    YES or UNSURE when a condition is affirmed or uncertain; NO only when the
    denials name every condition of the question in general terms; CHECK when
    they deny only part of it.
    """
    by_slot: Dict[str, List[Mention]] = {}
    for mention in mentions:
        slot = screening.slot_for_condition(mention.id)
        if slot is not None and mention.label != "injury" and mention.is_own_fact:
            by_slot.setdefault(slot, []).append(mention)
    answers = {}
    for slot, found in by_slot.items():
        if any(m.polarity == YES for m in found):
            answers[slot] = YES
        elif any(m.polarity == UNSURE for m in found):
            answers[slot] = UNSURE
        elif any(m.polarity == CHECK for m in found):
            answers[slot] = CHECK
        else:
            covered = {m.id for m in found if _is_general(m, screening)}
            whole = set(screening.question(slot).conditions) <= covered
            answers[slot] = NO if whole else CHECK
    return answers


# "is it like getting an injection?", "worse than a jab": a comparison, not a medicine
_COMPARED = re.compile(r"\b(?:like|than|as|compared (?:to|with)|similar to)\s+$")
_UNNAMED_MEDICINE = re.compile(
    r"\b(?:put|started|keeps?|kept|got|has|have) me on (?:something|some stuff|a new one)\b"
    r"|\bgave me (?:something|some stuff|a new one) (?:for|to)\b"
    r"|\b(?:take|taking|takes|on) (?:something|some stuff) (?:for|after|since)\b"
)


_SHUNNED = re.compile(r"\b(?:avoid\w*|hate\w*|fear\w*|dread\w*|refus\w*|dodg\w*|skipp?\w*)\b")


def unknown_medicines(text: str, mentions: Sequence[Mention]) -> List[str]:
    """Medicine names the vocabulary does not know ("I'm on Brilinta"), or a
    medicine word without a known medicine ("some tablets for my heart")."""
    clean = normalise(text)
    known = {word for m in mentions for word in normalise(m.text).split()}
    found: List[str] = []
    for match in _DRUG_NAME.finditer(clean):
        before = clean[: match.start()]
        if (
            match.group(0) not in known
            and not _NEGATED_BEFORE.search(before)
            and not _ASKS_WHETHER_TO_TAKE.search(before)
            and not _ASKED_ABOUT_AFTER.match(clean[match.end() :])
        ):
            found.append(match.group(0))
    for match in _TAKES.finditer(clean):
        name = match.group("name")
        before = clean[: match.start()]
        answered_no = bool(_NEGATED_BEFORE.search(before))
        if answered_no and not _ANSWER_WORD_ONLY.fullmatch(before):
            continue  # "not on anything", "never took ..."
        if _ASKS_WHETHER_TO_TAKE.search(clean[: match.start("name")]):
            continue
        if (
            name not in known
            # after the answer's "no", only a word no dictionary knows: "no, I'm on
            # pletal", not "no, I'm on a plant based diet"
            and not (answered_no and is_english_word(name))
            and name not in _NOT_MEDICINE
            and not _RUNNERS_FUEL.match(clean[match.start("name") :])
            and not name.endswith("ing")
            and not re.fullmatch(_MEDICINE_WORDS, name)
        ):
            found.append(name)
        elif (another := _AND_ANOTHER.match(clean[match.end() :])) and not (
            another.group("name") in known or is_english_word(another.group("name"))
        ):
            found.append(another.group("name"))
    for match in _FINISHING.finditer(clean):
        name = match.group("name")
        if name not in known and not is_english_word(name) and name not in found:
            found.append(name)
    for match in _ON_UNKNOWN.finditer(clean):
        # "no fever, just on zoxiclor for my toe": a word no dictionary knows; not "no,
        # just revising for my exam"
        name = match.group("name")
        if (
            name not in known
            and not is_english_word(name)
            and not name.endswith("ing")
            and name not in found
        ):
            found.append(name)
    for clause in map(normalise, _CLAUSE_BREAK.split(text.lower())):
        for match in _ON_A_SCHEDULE.finditer(clause):
            words = [w for w in match.group("what").split() if w not in _ARTICLES]
            words = [w for w in words if not w.isdigit()]
            singular = {w[:-1] if w.endswith("s") else w for w in words}  # "4 coffees a day"
            if (
                words
                and not set(words) & known
                and not (set(words) | singular) & _NOT_MEDICINE
                and not re.fullmatch(_MEDICINE_WORDS, " ".join(words))
                # "never/no longer I take ...", not "no bleeding disorder, I take ..."
                and not re.search(r"\b(?:not|never|no longer)\s+$", clause[: match.start()])
                and " ".join(words) not in found
            ):
                found.append(" ".join(words))
    if _DOSING.search(clean):
        # "Brilique twice a day": a word no dictionary knows, said like a medicine; not a
        # place or a person ("every morning in salthill", "a massage with ciara")
        for word in re.finditer(r"[a-z]{4,}", clean):
            name = word.group(0)
            if (
                name not in known
                and not is_english_word(name)
                and name not in found
                and not _PLACE_OR_PERSON_BEFORE.search(clean[: word.start()])
            ):
                found.append(name)
    for match in _GAVE_ME.finditer(clean):
        name = match.group("name")
        if (
            name not in known
            and name not in _NOT_MEDICINE
            and name not in found
            and (not is_english_word(name) or _DOSING.search(clean[match.end() : match.end() + 40]))
        ):
            found.append(name)
    if re.search(rf"\b{_MEDICINE_WORDS}\b", clean):
        # "no medication except Zontivity"
        for match in re.finditer(
            r"\b(?:except|apart from|other than|besides|only|just)\s+(?:my\s+|some\s+)?"
            r"(?P<name>[a-z][a-z0-9-]{3,})\b",
            clean,
        ):
            name = match.group("name")
            if name not in known and not is_english_word(name) and name not in found:
                found.append(name)
    # a medicine not named at all: "my doctor put me on something for my heart"
    unnamed = _UNNAMED_MEDICINE.search(clean)
    if (
        unnamed
        and not found
        and not re.search(
            r"\b(?:not|n't|never|no longer|nothing)\s+(?:\w+\s+){0,2}$", clean[: unnamed.start()]
        )
    ):
        found.append(unnamed.group(0))
    # a medicine word said of oneself: "I take some tablets", "on injections"
    medicine_word = re.search(
        rf"\b(?:take|taking|takes|on|use|using|prescribed|get|getting|have|inject|injecting|do|"
        rf"usual|my|daily|regular|the)"
        rf"(?:\s+\w+){{0,2}}\s+(?P<word>{_MEDICINE_WORDS})\b|\b(?P<word_for>{_MEDICINE_WORDS})"
        rf"\s+for my\b",
        clean,
    )
    if medicine_word and (medicine_word.group("word") or medicine_word.group("word_for")) in known:
        medicine_word = None  # part of a vocabulary phrase: "my covid jab" is a vaccination
    if medicine_word and _SHUNNED.search(medicine_word.group(0)):
        medicine_word = None  # "I have avoided injections my whole life": a fear, not a medicine
    has_medicine_mention = any(m.label == "medication" for m in mentions)
    if (
        medicine_word
        and not found
        and not has_medicine_mention
        and not _NEGATED_BEFORE.search(clean[: medicine_word.start()])
        and not _COMPARED.search(clean[: medicine_word.start()])
        and not re.search(rf"\b(?:any|which|what|no)\s+{_MEDICINE_WORDS}", clean)
        and parse_yes_no(text) != NO
    ):
        found.append(medicine_word.group(0))
    return list(dict.fromkeys(found))


# a figure without its unit ("38.6", "39,2", "100.9"; "101" and "39c" in answer to the
# infection question); not "38.5 km", an age, or a distance done ("did 38.5 on sunday")
_UNITS_AFTER = (
    r"(?![\d:]|[.,]\d|\s*(?:k|km|kms|min|mins|minutes|s|secs|seconds|mi|miles?|kg|lbs|%|percent"
    r"|years?|yrs?|yo|weeks?|wks?|days?|hours?|hrs?|bpm|st|stone|mph|m|metres|meters|yards"
    r"|reps|laps|steps|calories|kcal|watts|w|spm)\b)"
)
_BARE_FIGURE = re.compile(rf"(?<![\d.,:])(?P<figure>\d{{2,3}}(?:[.,]\d)?)(?:°?[cf])?{_UNITS_AFTER}")
_DONE_BEFORE = re.compile(
    r"\b(?:did|done|ran|cycled|rode|swam|covered|logged|clocked|totall?ed|pb|pr|time|in)\s+$"
)
_AN_AGE_BEFORE = re.compile(r"\b(?:i'm|im|i am|aged?|turned|turning|turn)\s+$")  # "nope, im 40 lol"


def _a_bare_fever_figure(text: str, whole_figures: bool = False) -> bool:
    """ "been 38.6 since", "it was 100.9 this morning": a figure in a fever's range,
    Celsius or Fahrenheit (negation.a_fever_figure)."""
    clean = text.lower()
    return any(
        a_fever_figure(float(match.group("figure").replace(",", ".")))
        and not _DONE_BEFORE.search(clean[: match.start()])
        and not (
            re.fullmatch(r"\d+", match.group("figure"))
            and _AN_AGE_BEFORE.search(clean[: match.start()])
        )
        for match in _BARE_FIGURE.finditer(clean)
        if whole_figures or re.search(r"[.,]", match.group("figure"))
    )


# words of feeling ill
_FEELS_ILL = re.compile(
    r"\b(?:feel|feeling|felt)\s+(?:\w+\s+)?(?:rough|awful|terrible|ill|sick|unwell|poorly|rubbish"
    r"|crap|shivery|hot|feverish|grim|horrible|dreadful)\b|\b(?:shivering|shivery|sweating|achy"
    r"|in bed|bedridden|calpol|paracetamol|thermometer)\b"
    # "running 101.2": running a temperature
    r"|\brunning (?:a |at )?\d{2,3}\.\d\b"
)


def read_message(text: str, mentions: Sequence[Mention], screening: Screening) -> Reading:
    """Every screening fact in one message, whichever question was asked."""
    mentions = list(mentions)
    reading = Reading()
    if asks_what_it_means(text, mentions, screening) or asks_whether_it_counts_and_denies(text):
        return reading  # "what counts as an infection?" tells nothing about the runner
    if _YES_TO_SOME.search(normalise(text)):
        # "yes to the first, no to the rest": a yes to something unnamed leaves every
        # question open (principle 1); the questions then ask, and a "no" contradicts
        for question in screening.questions:
            if question.kind == "yes_no":
                reading.answers[question.slot] = UNSURE
    complaint_options = screening.question("complaint").options
    for mention in mentions:
        if mention.label == "injury" and not mention.negated and mention.is_own_fact:
            reading.answers.setdefault(
                "complaint", mention.id if mention.id in complaint_options else "other"
            )
    hedged = is_hedged(text)
    for slot, value in mention_answers(mentions, screening).items():
        # a partial denial answers nothing, nor does a hedged one ("not pregnant as far
        # as I know"): the question is asked
        if value != CHECK and not (value == NO and hedged):
            reading.answers[slot] = value
    for mention in mentions:
        slot = screening.slot_for_condition(mention.id)
        if slot is not None and mention.label != "injury" and not mention.negated:
            reading.named = list(dict.fromkeys([*reading.named, slot]))
        if (
            slot is not None
            and mention.label != "injury"
            and mention.hypothetical
            and not mention.other_person
            and not mention.negated
            and slot not in reading.asked_about
        ):
            reading.asked_about.append(slot)
    reading.about_someone_else = any(
        m.other_person and m.label in ("condition", "medication") for m in mentions
    )
    reading.unknown_medicines = unknown_medicines(text, mentions)
    if _SWITCHED.search(normalise(text)) and any(
        m.label == "medication" and m.negated for m in mentions
    ):
        # "not on warfarin any more, switched last year": switched to what?
        reading.unknown_medicines.append("switched")
    if reading.unknown_medicines and reading.answers.get(MEDICINE_QUESTION) != YES:
        reading.answers[MEDICINE_QUESTION] = UNSURE
    if (
        _a_bare_fever_figure(text)
        and _FEELS_ILL.search(normalise(text))
        and reading.answers.get(INFECTION_NOW_QUESTION) != YES
        and any(q.slot == INFECTION_NOW_QUESTION for q in screening.questions)
    ):
        # "been 38.6 since the heatwave started and feel rough": a fever's figure without
        # its unit, beside feeling ill, is a fever the runner may have (principle 1)
        reading.answers[INFECTION_NOW_QUESTION] = UNSURE
    if (
        _GLUCOSE_MONITORED.search(text.lower())
        and reading.answers.get(DIABETES_QUESTION) != YES
        and any(q.slot == DIABETES_QUESTION for q in screening.questions)
    ):
        reading.answers[DIABETES_QUESTION] = UNSURE
    if (
        _DUE_ON_A_DAY.search(text.lower().replace("’", "'"))
        and reading.answers.get("pregnant") != YES
    ):
        reading.answers["pregnant"] = UNSURE
    by_figure = hba1c_answer(text)
    if by_figure and any(q.slot == DIABETES_QUESTION for q in screening.questions):
        earlier = reading.answers.get(DIABETES_QUESTION)
        reading.answers[DIABETES_QUESTION] = (
            by_figure if earlier is None else max(earlier, by_figure, key=PRECEDENCE.__getitem__)
        )
    if reading.answers.get("pregnant") == YES:
        stage = parse_pregnancy_stage(text)
        if stage and stage != UNSURE:
            reading.answers["pregnancy_stage"] = stage
    elif reading.answers.get("pregnant") != UNSURE and any(
        m.id == "pregnancy" and m.is_own_fact and not m.negated for m in mentions
    ):
        # "wasn't expecting to tell anyone yet but yes, 8 weeks": a word of pregnancy that
        # is no plain statement, beside a stage, is no "no" (principles 1 and 3)
        stage = parse_pregnancy_stage(text)
        if stage and stage != UNSURE:
            reading.answers["pregnant"] = UNSURE
    return reading


# "no diabetes, but I do have CVID": what the runner says they have, in words the
# assistant cannot read
_OWN_AFFIRMATION = re.compile(
    r"\b(?:i do have|i have got|i have|i've got|ive got|i've had|ive had|i had|i get|got|had|"
    r"i'm under|im under|i see|i go to|i go for|i attend|diagnosed with|"
    r"there'?s(?: the| my| also)?|there is(?: the| my| also)?)\s+(?P<rest>[^.!?;]*)"
)
# "Glanzmann's but very mild": a condition named after a person
_EPONYM = re.compile(r"\b(?P<rest>[a-z]+'s)\b")
# "I've got the Brathay 10in10 in May": an unknown name beside a race or a date is a race
_EVENT = re.compile(
    r"\b(?:marathon|half|\d+k|\d+in\d+|ultra|race|races|parkrun|relay|triathlon|ironman|"
    r"event|series|trail|fell|jan\w*|feb\w*|march|april|may|june|july|aug\w*|sept?\w*|"
    r"oct\w*|nov\w*|dec\w*|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"weekend)\b"
)


def affirms_something_unread(text: str, mentions: Sequence[Mention]) -> bool:
    """Whether the runner says they have something named in words that are neither
    English nor a name the vocabulary knows ("I do have CVID", "no, I've had MGUS for
    years", "Glanzmann's but very mild"): a button's "No" after it cannot be trusted
    (principle 3). A name beside a race or a date is the race."""
    known = {word for m in mentions for word in normalise(m.text).split()}
    clean = normalise(text)
    for match in [*_OWN_AFFIRMATION.finditer(clean), *_EPONYM.finditer(clean)]:
        rest = match.group("rest")
        if _EVENT.search(rest):
            continue
        for word in re.findall(r"[a-z][a-z0-9]+", rest.replace("'s", "")):
            if word not in known and not is_english_word(word):
                return True
    return False


def read_yes_no_answer(
    question: Question, text: str, mentions: Sequence[Mention], screening: Screening
) -> str | None:
    """The answer to a yes/no question: the safer of what the words say and
    what the condition mentions say; a plain "no" stays a no, and a denial by
    general terms of all the question covers is one ("not pregnant"). Something
    the runner says they have, in words nothing can read, makes a "sounds like
    no" unsure: the check with the buttons would let them tap it away."""
    answer = _yes_no_answer(question, text, mentions, screening)
    if answer == CHECK and affirms_something_unread(text, mentions):
        return UNSURE
    if (
        question.slot == INFECTION_NOW_QUESTION
        and answer in (NO, CHECK, None)
        and not is_question(text)
        and _a_bare_fever_figure(text, whole_figures=True)
    ):
        return UNSURE  # "no, it was 101 this morning but I feel ok": a fever's figure
    if (
        question.slot == DIABETES_QUESTION
        and answer in (NO, CHECK, None)
        and _GLUCOSE_MONITORED.search(text.lower())
    ):
        return UNSURE  # "no, I take glucose when the monitor goes off at night"
    if (
        question.slot == "pregnant"
        and answer != YES
        and _DUE_ON_A_DAY.search(text.lower().replace("’", "'"))
    ):
        return UNSURE  # "nope, not sick - due 3rd of Feb though"
    by_figure = hba1c_answer(text) if question.slot == DIABETES_QUESTION else None
    if by_figure and (answer is None or PRECEDENCE[by_figure] > PRECEDENCE[answer]):
        return by_figure  # "no, HbA1c 58 last month": diabetes by its figure
    return answer


def _yes_no_answer(
    question: Question, text: str, mentions: Sequence[Mention], screening: Screening
) -> str | None:
    if asks_what_it_means(text, mentions, screening):
        return None  # not an answer: the form explains the question and asks again
    if asks_whether_it_counts_and_denies(text):
        return CHECK
    base = parse_yes_no(text)
    mentioned = mention_answers(mentions, screening).get(question.slot)
    asks_about_medicines = question.slot in (MEDICINE_QUESTION, INFECTION_NOW_QUESTION) or bool(
        set(question.conditions) & medicine_ids()
    )
    if asks_about_medicines and unknown_medicines(text, mentions):
        mentioned = YES if mentioned == YES else UNSURE
    if mentioned is None and any(
        m.hypothetical
        and not m.other_person
        and screening.slot_for_condition(m.id) == question.slot
        for m in mentions
    ):
        # "even if I'm on rivaroxaban...", as the answer to this question: not a no
        mentioned = UNSURE
    if mentioned is None:
        if base == YES and not is_explicit_yes(text) and mentions:
            # "I have a sore knee" or "my wife is pregnant" to "are you pregnant?":
            # a statement about something (or someone) else, not a yes; a medicine
            # that is not a blood thinner ("I'm on the pill") sounds like a no
            return CHECK if any(m.label == "medication" for m in mentions) else None
        return base
    if mentioned == NO and base in (None, CHECK, NO):
        return NO
    if base is None or (base == YES and not is_explicit_yes(text)):
        # "I take Zontivity": what it names decides, not the "I take" alone
        return CHECK if mentioned == NO else mentioned
    return max(base, mentioned, key=PRECEDENCE.__getitem__)


def volunteered_answers(
    text: str, mentions: Iterable[Mention], screening: Screening
) -> Dict[str, str]:
    return read_message(text, list(mentions), screening).answers


_YES_TO_SOME = re.compile(
    r"\byes (?:to|for|on) (?:the )?(?:first|second|third|fourth|last|one|two|three|some|a couple"
    r"|both|number|no\.?\s?\d|\d)"
)
# what a question back may start with: "sorry, what counts as...", "quick question, is..."
_LEADING_FILLER = r"^(?:(?:sorry|but|and|um+|erm*|hmm+|ok|okay|so|wait|quick question)\s*,?\s+)*"
# "what do you mean by a weakened immune system?", "what counts as an infection?"
_WHAT_IT_MEANS = re.compile(
    _LEADING_FILLER
    + r"(?:what (?:do|does|d'you|did) (?:you|u|that|it|this) mean|wdym|what counts|what (?:is|are|s|'s)"
    r"(?: a| an| the)? (?:\w+ ){0,2}(?:immune|bleeding|blood|lymph\w*|infection|disorder|disease)"
    r"|what kind of|what sort of|what type of|like what|meaning|define)\b"
)


# "is a cold an infection?", "does hay fever count?", "would aspirin count as one?"
_COUNTS_AS = re.compile(
    _LEADING_FILLER
    + r"(?:is|are|does|do|would|will|can) (?:a |an |the |having |having a |having an )?"
    r"[\w' -]{2,30}? (?:count|counts|counted|class|classed|considered|included|an infection|"
    r"a blood thinner|a bleeding disorder|one of (?:them|those|these))\b"
)
# one sentence, nothing after its question mark
_ONE_SENTENCE = re.compile(r"[^.!?\n]*[.!?]*\s*")


# "... i don't have one, just wondering" after such a question
_DENIES_HAVING_IT = re.compile(
    r"(?:(?:but|and|cos|coz|because|as) )?i (?:don't|dont|do not|haven't|havent|have not)"
    r"(?: got| have| get)? (?:one|any|it|that|them)(?: (?:now|at the moment|right now))?"
    r"(?: (?:just|only|i'm just|im just) (?:wondering|asking|curious|checking))?"
)


def asks_whether_it_counts_and_denies(text: str) -> bool:
    """ "is a cold counted as an infection? i don't have one": a question about one
    thing, then a denial of it that the buttons confirm (principle 2)."""
    question, mark, rest = text.partition("?")
    return bool(
        mark
        and _COUNTS_AS.match(normalise(question))
        and not speaks_of_self(question)
        and _DENIES_HAVING_IT.fullmatch(normalise(rest.strip(" ?!.,")))
    )


def asks_what_it_means(text: str, mentions: Sequence[Mention], screening: Screening) -> bool:
    """A question about the words of the question, and nothing about the runner: no
    "I"/"my", no medicine or condition named beyond the question's own general terms;
    or whether one named thing counts ("is a cold an infection?"). Either way the
    question is explained and asked again: the runner still answers it."""
    clean = normalise(text)
    return (
        (
            bool(_WHAT_IT_MEANS.match(clean))
            and all(_is_general(m, screening) for m in mentions if m.label != "body_part")
            or bool(_COUNTS_AS.match(clean) and _ONE_SENTENCE.fullmatch(text.strip()))
        )
        and not speaks_of_self(text)
        and not any(m.other_person for m in mentions)
        and not unknown_medicines(text, mentions)
    )
