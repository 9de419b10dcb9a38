"""Whether a message tells a pregnancy the clinic vocabulary cannot see: a stage said of
oneself ("I'm 8 weeks", "im 10/40", "12+3"), a bump beside a stage, or a word of
pregnancy the vocabulary does not know. Pure functions over the text; the screening
form asks about what they find (principles 3 and 4)."""

from __future__ import annotations

import re

from clinic_assistant.nlp.negation import MIDWIFE_AS_A_JOB
from clinic_assistant.screening.answers import normalise, parse_pregnancy_stage
from clinic_assistant.screening.rules import UNSURE

# "I'm 12 weeks", "does it count if it's only gestational? I'm 12 weeks": a stage said
# of oneself, or with a word of pregnancy the vocabulary does not know, tells a pregnancy
_PREGNANCY_WORDS = re.compile(
    r"\b(?:gestational|preggers|preggo|baby bump|midwife|midwives|antenatal|ante natal|obstetric\w*"
    r"|obgyn|ob gyn|trimester|morning sickness|hyperemesis|due date"
    r"|(?:dating|booking|nuchal|anomaly|\d+ ?(?:week|wk)) scan"
    # "my periods 10 days late", "period is a week late"
    r"|periods?'?s?(?: is| are)?(?: \w+){0,3} late)\b"
)
# obstetric notation, weeks of forty: "I'm 10/40"
_A_BUMP = re.compile(r"\b(?:the|my|a|baby|little) bump\b")
# and weeks plus days: "I'm 12+3 today"
_WEEKS_OF_FORTY = re.compile(
    r"\b(?:i'm|im|i am|am|now|currently|at)\s+(?:[4-9]|[1-3]\d|4[0-2])"
    r"(?: ?/ ?40(?![\d/])| ?\+ ?[0-6](?![\d/]))"
)
_NUMBER_WORD = (
    r"(?:\d{1,2}(?:\.\d)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)"
)
# the words that may come between "I'm" and the number: "I'm actually 9 weeks", "I'm
# nearly 10 weeks", "I'm only just 6 weeks", "I'm at 8 weeks"
_STAGE_MODIFIER = (
    r"(?:only|just|about|nearly|almost|around|roughly|now|currently|like|exactly|actually"
    r"|already|officially|apparently|probably|prob|maybe|literally|finally|still|over|under|past"
    r"|at|approx|approximately|bang on|getting on for|close to|pretty much|basically|technically"
    r"|coming up to|coming up on|approaching|going on|turning|hitting|also|too|btw|tbh|so|well"
    r"|um+|erm+|uh|oh|ah|somewhere around|at least|more like|a little|a bit|ish|~)"
)
# "I'm 8 weeks", "im 10 wks", "I am eleven and a half weeks", "I'm 9+2 weeks"
_I_AM_A_STAGE = re.compile(
    rf"\b(?:i'm|im|i am|am)\s+(?:{_STAGE_MODIFIER}\s+){{0,4}}{_NUMBER_WORD}"
    r"(?:\s+and a (?:half|bit))?\s*(?:\+\s*\d\s*)?(?:weeks?|wks?|wk|w|months?|mths?|mnths?)\b"
)
# the end of the clause the time is said in: "I'm 9 weeks, only found out yesterday",
# "I'm 8 weeks and my calf..."; not "8 weeks and counting to London", "8 weeks and 3 days"
_CLAUSE_BREAK = re.compile(
    r"[.!?;:()\n,\u2013\u2014]|\s-\s|\s(?:and|but|so|because|cos|coz|cause|though|tho|although"
    r"|which|plus|lol|haha|x+|btw|if|when|is|does|do|would|could|can|will|should|hence)\b"
    r"(?! (?:counting|a half|a bit|\d+ days?|\w+ days?|change)\b)"
)
# after the birth, a time is since it, and no pregnancy now: "I'm 12 weeks postpartum"
_AFTER_BIRTH = re.compile(
    r"\b(?:postpartum|post partum|postnatal|post natal|pp|post baby|post birth|born|delivered"
    r"|c ?section|(?:after|since) (?:the |my |giving |having )?(?:baby|birth|delivery|her|him"
    r"|them|the twins))\b"
)
# words that tell the time is the pregnancy's: "with twins", "since my last period", "12
# weeks post transfer", "along", "by scan"
_PREGNANCY_CONTEXT = re.compile(
    r"\b(?:pregnant|preg|pregnancy|pg|baby|babies|bub|bubba|bump|twins|triplets|midwife|due"
    r"|trimester|lmp|last period|periods?|ivf|transfer|embryo|conceived|conception|expecting"
    r"|along|gone|of 40|morning sickness|nausea|bfp|positive test|pregnancy test|hpt|obstetric\w*"
    r"|(?:by|from|at) (?:the |my |a )?(?:dating )?scan|\d+ ?(?:week|wk) scan|dating scan)\b|/40\b"
)
# what a time about other things says: since an operation, to a race, of shifts, into a
# training block, sober (eighth_break.yml); in the clause of the time
_TIME_CONNECTOR = (
    r"(?:since|post|postop|after|out|off|from|to(?! be\b)|till|til|until|left|away|ahead|behind"
    r"|into|in to|before|of|sober|clean|dry|free|smoke free|alcohol free|booze free|on the"
    r" waiting list|waiting|on crutches|on the bench|counting down)"
)
# (not "running", "5k", "sick", "half" or "tri": "I'm 8 weeks still running 5k a day", "8
# weeks sick every morning", "8 weeks and a half", "10 weeks first tri" are a pregnancy)
_TIME_TOPIC = (
    r"(?:training|trained|train|block|plan|programme|program|cycle|build|base|phase|taper|streak"
    r"|op|ops|surgery|operation|surgical|acl|mcl|pcl|menisc\w*|knee|knees|hip|hips|ankle|achilles"
    r"|hamstring|hammy|calf|calves|shin|shins|foot|feet|heel|plantar|itb|quad|glute|groin|back"
    r"|shoulder|wrist|bone|repair|reconstruction|replacement|procedure|fractur\w*|broken|break"
    r"|injur\w*|niggle|strain|sprain|tear|rehab|recover\w*|physio|crutches|boot|cast|brace|race"
    r"|races|racing|marathon|ultra|parkrun|london|berlin|boston|chicago|nyc|new york"
    r"|tokyo|paris|manchester|valencia|comrades|ironman|triathlon|event|race day|big day"
    r"|countdown|couch to 5k|c25k|coach|club|chemo|radiotherapy|treatment|antibiotics|abx|course"
    r"|job|work|shifts?|nights|night shifts?|holiday|leave|covid|quit|quitting|smoking|drinking"
    r"|booze|alcohol|diet|vegan|sober)"
)
_ABOUT_SOMETHING_ELSE = re.compile(rf"\b(?:{_TIME_CONNECTOR}|{_TIME_TOPIC})\b")
# "I'm 12 weeks, post op", "I'm 8 weeks - till London": the clause after a comma starts
# with what the time is of; not "I'm 8 weeks, before you ask, ...", "..., off to the GP"
_STARTS_WITH_A_CONNECTOR = re.compile(
    r"^\s*(?:(?:today|now|exactly|so far|ish|or so|already|give or take)\s+)*(?:since|post|postop"
    r"|after (?:my|the|a|an|surgery|op|the op)|out from|out of|into|in to|until|till|til|to go"
    r"|to (?:race|the race|race day|london|the marathon)|sober|clean|off the|off work|off running"
    r"|of (?:them|it|training|rehab|nights|shifts))\b"
)
_TOPIC_BEFORE = re.compile(rf"\b{_TIME_TOPIC}\b")
_NEGATED_WORD_BEFORE = re.compile(r"\b(?:no|not|never|without|n't)\b(?: \w+){0,2} $")


def _stage_is_a_pregnancy(light: str, match: re.Match) -> bool:
    """Whether "I'm 8 weeks" is a pregnancy: what follows or precedes the number in
    its clause decides. "with twins", "by the app", "only found out yesterday" or
    nothing at all: a pregnancy (principle 1); "since my ACL op", "and counting to
    London", "post op", "into my block", "sober", "postpartum": another time."""
    after = light[match.end() :]
    brk = _CLAUSE_BREAK.search(after)
    window = after[: brk.start()] if brk else after
    if _AFTER_BIRTH.search(window):
        return False  # "12 weeks postpartum": the baby is born
    if _PREGNANCY_CONTEXT.search(window):
        return True  # "8 weeks with twins", "6 weeks since my last period"
    if _ABOUT_SOMETHING_ELSE.search(window):
        return False  # "12 weeks today since my ACL op", "8 weeks and counting to London"
    if brk and not window.strip(" '") and brk.group(0).strip() in (",", "-", "\u2013", "\u2014"):
        # "I'm 12 weeks, post op": the next words may still say what the time is of
        rest = after[brk.end() :]
        if _STARTS_WITH_A_CONNECTOR.match(rest) and not _PREGNANCY_CONTEXT.search(
            rest[: (_CLAUSE_BREAK.search(rest) or re.search(r"$", rest)).start()]
        ):
            return False
    before = light[: match.start()]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause_before = before[breaks[-1].end() :] if breaks else before
    # "since the ACL op I'm 12 weeks", "post op I'm 6 weeks"; not "since I'm 8 weeks"
    return not _TOPIC_BEFORE.search(clause_before)


def _pregnancy_word_said(clean: str) -> bool:
    """A word of pregnancy the vocabulary does not know, not negated ("no bump") and
    not a job ("I'm a midwife on nights")."""
    jobs = [m.span() for m in MIDWIFE_AS_A_JOB.finditer(clean)]
    return any(
        not _NEGATED_WORD_BEFORE.search(clean[: match.start()])
        and not any(start <= match.start() < end for start, end in jobs)
        for match in _PREGNANCY_WORDS.finditer(clean)
    )


def tells_a_pregnancy(text: str) -> bool:
    """ "I'm 12 weeks and they're testing me early", "I'm 8 weeks with twins", "it's only
    gestational": whether the message tells a pregnancy the vocabulary cannot see (its
    stage is read elsewhere); not "I'm 12 weeks today since my ACL op", "I'm 8 weeks and
    counting to London" or "I'm a midwife on nights"."""
    light = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    light = re.sub(r"[ \t]+", " ", re.sub(r"[^\w\s',;:.!?()\-\u2013\u2014+/~]", " ", light))
    if any(_stage_is_a_pregnancy(light, match) for match in _I_AM_A_STAGE.finditer(light)):
        return True
    if _WEEKS_OF_FORTY.search(light):
        return True
    if _A_BUMP.search(light) and parse_pregnancy_stage(light) not in (None, UNSURE):
        return True  # "running's hard now the bump is on my mind, 11 weeks"
    return _pregnancy_word_said(normalise(text))
