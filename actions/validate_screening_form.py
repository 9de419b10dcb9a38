"""Validation for screening_form: the screening questions of clinic/screening.yml.

Every message is read for screening facts, whatever was asked (clinic safety
principle 4): the answer to the question, facts volunteered for other
questions, corrections ("meant to press yes on that last one", a stage corrected
at the summary), facts added at the confirmation, and facts from earlier in the
conversation when the form starts. A later answer that is less cautious than an
earlier one is asked about again (principle 6). A name it cannot read given as
the answer ("Arixtra") is "not sure" (principle 3). Only the person treated
answers (principle 8): when someone else takes over the phone, the questions stop.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.common import (
    RED_FLAG_SLOT,
    SAID_BEFORE_START_OVER_SLOT,
    answers_given_in_session,
    booking_link_was_shown,
    cautious_answers,
    confirmation_titles,
    earlier_user_texts,
    latest_mentions,
    latest_text,
    nlp,
    other_language_in_session,
    screening_message,
    session_events,
)
from actions.questionnaire_form import STOPPED_SLOT, UNCLEAR_SLOT, QuestionnaireValidation
from actions.red_flag import raise_red_flag, red_flags_told_in_pieces
from clinic_assistant.commands import is_command
from clinic_assistant.indications import load_injuries
from clinic_assistant.nlp.pipeline import Mention, find_mentions
from clinic_assistant.nlp.typos import edit_distance, is_english_word
from clinic_assistant.rasa.content_answers import UNANSWERABLE_INTENT
from clinic_assistant.screening.answers import (
    PLAIN_NO,
    UNSURE_PHRASES,
    YES_PHRASES,
    is_hedged,
    is_question,
    normalise,
    parse_confirmation,
    parse_pregnancy_stage,
    parse_yes_no,
    states_something,
)
from clinic_assistant.screening.pregnancy_told import tells_a_pregnancy
from clinic_assistant.screening.prompts import question_buttons
from clinic_assistant.screening.rules import (
    CHANGE_SLOT,
    CHECK,
    CONFIRM_SLOT,
    NO,
    UNSURE,
    YES,
    Screening,
    load_screening,
    pregnancy_in_first_months,
    remaining_slots,
)
from clinic_assistant.screening.volunteered import (
    PRECEDENCE,
    Reading,
    asks_what_it_means,
    asks_whether_it_counts_and_denies,
    read_message,
    read_yes_no_answer,
)

# Words that pick the question to change, besides its number in the list.
CHANGE_KEYWORDS = {
    "pregnant": ("pregnan", "baby", "expecting"),
    "pregnancy_stage": ("far along", "weeks", "months", "trimester", "stage"),
    "blood_disorder": ("blood", "bleed", "thinner", "haemophilia", "hemophilia", "warfarin"),
    "current_infection": ("infection", "fever", "flu", "infected"),
    "infection_risk": ("risk", "diabet", "lymph", "immune"),
    "complaint": ("complaint", "injury", "pain", "problem", "brings"),
}


# "wait, it's actually for me not him", "I'm the one getting needled", "actually it's
# for my wife": the answers so far were about someone else (safety principle 8)
_PERSON = (
    r"(?:me|myself|my (?:wife|husband|partner|boyfriend|girlfriend|son|daughter|mum|mom|"
    r"dad|friend|brother|sister|mate|kid|child|other half))"
)
# someone other than the runner, named in the session: without one, "it's actually
# for me" changes nobody (and must not wipe the runner's own "yes")
_OTHER_PERSON = re.compile(
    r"\b(?:him|her|he|she|his|my (?:wife|husband|partner|boyfriend|girlfriend|son|daughter|"
    r"mum|mom|dad|friend|brother|sister|mate|kid|child|other half))\b"
)
_PATIENT_CHANGED = re.compile(
    rf"\b(?:actually|really|now|instead) (?:it'?s |its |it is )?for {_PERSON}\b"
    rf"|\bfor {_PERSON},? not (?:him|her|them|me|my)\b"
    r"|\bi'?m the one (?:getting|having|being|who)\b|\bnot for me\b"
)

# "his wife here, he just typed no but ...", "Dan here btw, Sophie's boyfriend ... I'm
# finishing this for her": someone else has taken over the phone. Their answers are not
# the answers of the person treated (safety principle 8).
_RELATION = (
    r"(?:wife|husband|partner|boyfriend|girlfriend|bf|gf|fianc[eé]e?|hubby|missus|other half|"
    r"mum|mom|mother|dad|father|son|daughter|brother|sister|friend|mate|flatmate|housemate|"
    r"carer|coach)"
)
_OF_THE_PATIENT = rf"(?:his|her|their|[a-z]+'s) {_RELATION}(?![\w'])"
_SOMEONE_ELSE_TYPING = re.compile(
    rf"\b{_OF_THE_PATIENT} (?:here|typing|speaking|writing)\b"
    rf"|\b{_RELATION} (?:here|typing|speaking|writing) now\b"
    # "this is his wife"; but "I'm Tom's wife btw" may be the runner saying who she is
    rf"|\b(?:this is|it's|its|it is) {_OF_THE_PATIENT}\b"
    r"|\b(?:i'm|im|i am) (?:his|her|their) " + _RELATION + r"(?![\w'])"
    rf"|\b[a-z]+ here(?: btw| by the way)? {_OF_THE_PATIENT}\b"
    r"|\b(?:passed|handed|gave|given|pass|hand) me (?:her|his|their|the) phone\b"
    r"|\b(?:finishing|filling|answering|completing|taking over|typing|carrying on|"
    r"continuing)(?: (?:this|these|it|the|rest|of|questions?|form|chat|off|in|out|up|them))*"
    r" (?:for|from|on behalf of) (?:her|him|them)\b"
)
# "Tom here now, Sarah passed me her phone": a name that introduces itself
_NAME_HERE_NOW = re.compile(r"\b[A-Z][a-z]{2,} (?:here|typing|speaking) now\b")

# "oops, fat thumbs, meant to press yes on that last one", "PS the answer to the sugar
# question should've been yes": an earlier answer corrected (safety principles 4 and 6)
_VALUE = r"(yes|yeah|yep|yup|no|nope|nah|not sure|unsure)"  # the one group of each branch
_BEFORE_VALUE = r"(?: (?:a|an|the|with|for|on))?(?: button)?"
_AFTER_VALUE = r"\b(?! (?:problem|problems|worries|bother|harm|offence|offense|big deal|idea))"
_ANSWERING = r"(?:press|tap|click|hit|say|put|answer|pick|choose|select|type|tick|go for|go with)"
_CORRECTED_TO = re.compile(
    rf"\b(?:meant|mean|intended|supposed)(?: to)?(?: {_ANSWERING})?"
    rf"{_BEFORE_VALUE} {_VALUE}{_AFTER_VALUE}"
    rf"|\b(?:wanted|was trying|tried|going) to {_ANSWERING}{_BEFORE_VALUE} {_VALUE}{_AFTER_VALUE}"
    r"|\bshould(?:'ve| have| of|ve)? (?:been|be|say|said|pressed|put|answered|clicked|tapped|"
    rf"picked|read){_BEFORE_VALUE} {_VALUE}{_AFTER_VALUE}"
    r"|\b(?:change|switch|make|put|turn)(?: (?:it|that|this|mine|my answer|the answer|that one|"
    rf"the last one|that last one))? (?:to|into|as){_BEFORE_VALUE} {_VALUE}{_AFTER_VALUE}"
    r"|\b(?:is|was|it's|its) (?:actually|really|meant to be|supposed to be)"
    rf"{_BEFORE_VALUE} {_VALUE}{_AFTER_VALUE}"
    # "the answer to the blood question is yes"
    r"|\banswer (?:to|for|on) (?:the|that) (?:[\w']+ ){1,4}?(?:question|one) (?:is|was|should be)"
    rf"(?: actually| really)?{_BEFORE_VALUE} {_VALUE}{_AFTER_VALUE}"
)
_CORRECTED_VALUE = {"yes": YES, "yeah": YES, "yep": YES, "yup": YES, "not sure": UNSURE,
                    "unsure": UNSURE, "no": NO, "nope": NO, "nah": NO}  # fmt: skip
# a tap taken back without saying what it should have been: that answer is open again.
# "accidentally pressed yes", "hit no by mistake", "didn't mean to tap that": what was
# tapped is part of the slip (it is no answer); "accidentally hit my shin" is no tap
_TAP_OBJECT = (
    r"(?: (?:on|the))*(?: (?:yes|yeah|yep|no|nope|nah|not sure|unsure|that one|this one|"
    r"button|wrong one|wrong thing))"
)
# a button's verbs may stand alone ("accidentally tapped", "pressed it by mistake"), but
# not before a body part ("accidentally pressed on my calf"); "hit" or "touched" only
# with what was tapped ("hit no by mistake", not "accidentally hit my shin")
_BUTTON_OBJECT = (
    rf"(?:{_TAP_OBJECT}|(?: that| this| it)(?! (?:on|onto|into|against|in|with)\b)|"
    r"(?! (?:on|onto|into|against|in|with|down|too|hard|my|his|her|their|the|a|an|it|that|"
    r"this)\b))"
)
_TAP_VERB = r"(?:press|click|tap|select)"
_TAPPED_VERB = r"(?:pressed|clicked|tapped|selected)"
_HIT = r"(?:hit|touched|touch|chose|choose|picked|pick)"
_SLIPPED = (
    r"wrong (?:button|answer)|fat (?:thumb|finger)\w*|misclick\w*|mis click\w*|"
    r"mis ?tap\w*|(?:pressed|clicked|tapped|hit|touched) the wrong|butter ?fingers|"
    rf"(?:accident(?:al)?l?y|mistakenly) (?:{_TAPPED_VERB}{_BUTTON_OBJECT}|{_HIT}{_TAP_OBJECT})|"
    rf"(?:{_TAPPED_VERB}{_BUTTON_OBJECT}|{_HIT}{_TAP_OBJECT}) by (?:accident|mistake)|"
    r"(?:didn't|didnt|did not|never) (?:mean|meant|intend|intended|want|wanted) to "
    rf"(?:{_TAP_VERB}{_BUTTON_OBJECT}|{_HIT}{_TAP_OBJECT})"
)
_WRONG_BUTTON = re.compile(
    rf"\b(?:{_SLIPPED}|"
    # "I lied on the sugar one": that answer is open again
    r"lied|fibbed|was(?:n't|nt| not) (?:honest|truthful|true))\b"
)
_SLIPPED_TAP = re.compile(rf"\b(?:{_SLIPPED})\b")
# "didn't mean to press yes" is a slip of the "Yes", no correction to it
_NEGATED_BEFORE = re.compile(r"\b(?:didn't|didnt|did not|never|not|don't|dont|do not)\s*$")
# the question a slipped "Yes" is taken back from is asked again (the runner resolves the
# contradiction with a button, principle 6); a value of _corrections, never of a slot
REOPEN = "reopen"
# "the first one", "the sugar question", "my blood answer": a question referred to by
# name, as a slip is said about it ("hang on, the first one was a misclick"); not a
# name in passing ("it's just a baby aspirin")
_QUESTION_REFERENCE = re.compile(
    r"\b(?:the|that|this|my|your)(?: [\w']+){1,3}? (?:one|question|q|answer|button)\b"
)
_STAGE_NAMES = re.compile(r"\b(?:far along|how far|stage|weeks?|months?|trimesters?)\b")
# "that last one", "the previous question": back to the question before
_BACK_REFERENCE = re.compile(r"\b(?:last|previous|prior|before|earlier|that one)\b")
# "meant to press yes": a button, so not the question on screen, which has none pressed yet
_TAPPED = re.compile(r"\b(?:press\w*|tap\w*|click\w*|hit|button)\b")
# the words that name a question, most specific first ("blood sugar" is diabetes)
_QUESTION_NAMES = (
    ("infection_risk", r"blood sugars?|sugar|diabet\w*|insulin|lymph\w*|immun\w*"
                       r"|risk of infection|infection risk|risk"),
    ("blood_disorder", r"blood|bleed\w*|thinner\w*|clot\w*|haemophilia|hemophilia|warfarin"),
    ("current_infection", r"infection|infected|fever|flu|temperature"),
    ("pregnant", r"pregnan\w*|baby|expecting|first (?:question|one)"),
)  # fmt: skip

# "yes that's right, well 13 and a bit": a bare number at the summary, in the unit of
# the stage given before
_BARE_NUMBER = re.compile(
    r"(?<![\w.])(?P<number>\d{1,2}(?:\.\d)?)"
    r"(?=$| (?:and a bit|and a half|ish|or so|odd|plus|if|really|actually|i think|probably|"
    r"maybe|now|tbh|to be honest|not|rather|at the moment|at most|at least)\b)"
)

# a passing body part in an answer to another question ("no, though I had a groin
# dissection") is no new complaint; "actually it's my hip, not the calf" is
_COMPLAINT_CHANGED = re.compile(
    r"\b(?:actually|instead|rather|i meant|i mean|meant|correction|wrong|change|changed|switch)\b"
    r"|\bnot (?:the|my|a) \w+"
    r"|\b(?:complaint|injury|problem|pain) (?:is|was|should be|should have been|should've been)\b"
)

# one or two words that are no English word, no typo of an answer and no number:
# "Arixtra", "T1DM", "Lantus + Novorapid", a name the vocabulary does not know
_ANSWER_WORDS = frozenset(
    phrase
    for phrase in (*YES_PHRASES, *PLAIN_NO, *UNSURE_PHRASES, "none", "never", "sure", "not")
    if " " not in phrase and len(phrase) > 1
)
# chat words the dictionaries leave out, and the units after a number ("2mins")
_NOT_A_NAME = frozenset((
    "hmm", "hm", "mm", "umm", "erm", "uh", "uhh", "huh", "eh", "ehh", "ah", "ahh", "oh", "ooh",
    "meh", "pfft", "psh", "lmao", "lmfao", "rofl", "wtf", "smh", "ikr", "tbf", "fyi", "ffs",
    "nvm", "gtg", "ty", "kk", "okk", "okey", "okie", "haha", "hehe", "ahah", "xd", "brb", "afk",
    "bbl", "bbs", "ttyl", "omw", "lmk", "idc", "np", "wdym", "hbu", "wbu", "thnx", "tnx", "tx",
    "pls", "plz", "soz", "sry", "oops", "ooops", "whoops", "uhm", "ummm", "hmmm", "ahh", "ohh",
))  # fmt: skip
_UNITS = frozenset("s sec secs min mins hr hrs h m k km mi mg x am pm st nd rd th wk wks w".split())


def names_something_unknown(text: str) -> bool:
    """ "Arixtra", "T1DM", "Lantus + Novorapid": a short answer made of a name the
    assistant cannot read, not gibberish in English, a typo of "yes" or "no", or a number."""
    if is_command(text) or is_question(text):
        return False
    words = re.findall(r"[a-z0-9']+", normalise(text))
    return 1 <= len(words) <= 2 and any(_is_unknown_name(word) for word in words)


def _is_unknown_name(word: str) -> bool:
    letters = re.sub(r"[^a-z]", "", word)
    if word in _NOT_A_NAME or not letters:
        return False
    if any(char.isdigit() for char in word):  # "T1DM", "T2", "B12", but not "2mins"
        return letters not in _UNITS
    if len(letters) < 3 or is_english_word(letters):
        return False
    # "noep", "yse", "yasss", "nahh": a slip of the thumb on an answer
    squeezed = re.sub(r"(.)\1+", r"\1", letters)
    return all(
        edit_distance(form, answer, 1) > 1
        for form in {letters, squeezed}
        for answer in _ANSWER_WORDS
    )


def named_questions(clean: str) -> List[str]:
    """The questions a message names ("the sugar question", "the blood one")."""
    found = []
    for slot, pattern in _QUESTION_NAMES:
        names = re.compile(rf"\b(?:{pattern})\b")
        if names.search(clean):
            found.append(slot)
            clean = names.sub(" ", clean)
    return found


def referred_questions(clean: str) -> List[str]:
    """The questions a message refers to by name, as one says a slip is about one ("the
    first one was a misclick", "wrong button on the sugar question", "the weeks one"),
    the pregnancy stage included; not a name in passing ("just a baby aspirin")."""
    found: List[str] = []
    for match in _QUESTION_REFERENCE.finditer(clean):
        names = named_questions(match.group(0))
        if not names and _STAGE_NAMES.search(match.group(0)):
            names = ["pregnancy_stage"]
        found.extend(slot for slot in names if slot not in found)
    return found


def _lightly_cleaned(text: str) -> str:
    """The message in lower case with plain quotes and spaces, its punctuation kept
    (the hedges and answers are read sentence by sentence)."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return re.sub(r"\s+", " ", re.sub(r"(?<=\w)-(?=\w)", " ", text)).strip()


def someone_else_typing(text: str) -> bool:
    return bool(_SOMEONE_ELSE_TYPING.search(normalise(text)) or _NAME_HERE_NOW.search(text))


# "neither of us, no", "we're both fine": one runner answering for two people; the
# other one's answers are not theirs to give (safety principle 8)
_SPEAKS_FOR_TWO = re.compile(
    r"\b(?:neither|none|either|both|all|each|any) of us\b|\bus (?:both|two)\b"
    # not "we both still run parkrun": what they do together is no answer
    r"|\bwe(?:'re| are|'ve| have| do| don't| dont| do not| aren't| arent| are not)? both\b"
    r"(?! (?:still |usually |always |often )?(?:run|running|ran|race|racing|train|training|jog"
    r"|do parkrun|love|enjoy)\b)"
    r"|\bthe two of us\b|\bfor (?:the )?(?:two|both) of us\b"
)


def speaks_for_two(text: str) -> bool:
    return bool(_SPEAKS_FOR_TWO.search(normalise(text)))


def reported_facts(mentions: List[Mention], screening: Screening) -> Dict[str, str]:
    """What someone else on the phone says about the person treated ("he's type 1
    diabetic"): the patient's facts, but not the patient's own answers, so at least
    "not sure" (their own facts and their denials are no answers at all)."""
    facts = {}
    for mention in mentions:
        slot = screening.slot_for_condition(mention.id)
        if (
            slot is not None
            and mention.label != "injury"
            and mention.other_person
            and not mention.negated
            and not mention.hypothetical
        ):
            facts[slot] = UNSURE
    return facts


# --- a stop needs the words of a stop ----------------------------------------------

# "I wouldn't call it weakened, I just catch every bug going since my spleen op" may be
# taken for a cancel (or for "talk to a person") by the classifier: a statement of a
# condition is never a stop, so a stop needs the words of one (safety principle 4)
_STOP_WORDS = re.compile(
    # "stop", "stop asking", "let's stop here", "cancel", "quit this"; not "I stopped my
    # warfarin", "my op was cancelled", "I quit smoking"
    r"^(?:stop|cancel|quit|exit|abort|halt|pause|enough|skip|end)\b"
    r"|\b(?:stop|cancel|quit|exit|abort|halt|pause|enough|skip)$"
    r"|\b(?:let'?s|lets|can we|could we|can you|could you|please|pls|plz|i want to|i wanna|wanna"
    r"|want to|i'd like to|id like to|like to|i'd rather|id rather|rather|just) (?:stop|cancel|quit"
    r"|end|skip|pause|exit|leave it)\b"
    r"|\b(?:stop|cancel|quit|end|skip|pause) (?:it|this|that|these|the (?:questions?|form|chat"
    r"|screening|booking|whole thing)|asking|now|here|there|please|pls|for now|talking|ahead)\b"
    r"|\bforget (?:it|this|about it|the whole thing|everything|the lot)\b"
    r"|\bnever ?mind\b|\bnvm\b|\bleave it\b|\bchang(?:e|ed) (?:my|of) (?:mind|plans?)\b"
    r"|\bscrap (?:it|this|the lot|the whole thing)\b|\bstart (?:again|over|afresh)\b|\brestart\b"
    r"|\bbegin again\b|\bno more questions\b|\btoo many questions\b"
    r"|\bdone with (?:this|these|it|that|the questions|you)\b|\b(?:i'm|im|i am) done$"
    r"|\b(?:not|no longer) interested\b|\bwaste of (?:my )?time\b"
    r"|\b(?:do ?n'?t|do not|dont) (?:want|wanna|feel like)(?: to)? (?:answer|continue|do (?:this"
    r"|these|it)|go on|carry on|share|say|tell|give|fill|be asked|talk about)"
    r"|\b(?:rather|prefer) not\b|\b(?:won'?t|will not|not) (?:be )?answer\w*"
    r"|\bnone of (?:your|ur) business\b|\bmind (?:your|ur) own\b"
    r"|\b(?:another|some other) time\b|^later\b|\blater$|\b(?:(?:got|have|need) to|gotta) (?:go|run)"
    r"(?: now)?$|\bgtg\b|\bg2g\b|\b(?:bye|goodbye)\b|\bi give up\b|\bbasta\b|\bstahp\b"
)
# "I didn't mean stop", "don't stop", "no need to cancel": a stop word taken back
_STOP_NEGATED = re.compile(
    r"\b(?:not|never|no need to|didn'?t|didnt|did not|don'?t|dont|do not|wasn'?t|wasnt|without"
    r"|no reason to|nothing to)(?: \w+){0,2} (?:stop\w*|cancel\w*|quit\w*|end|skip\w*|restart)\b$"
)
# "talk to someone", "can someone call me back", "what's your number", "when are you open"
_PERSON_WORDS = re.compile(
    r"\b(?:talk|speak|chat|talking|speaking)(?: \w+)? (?:to|with)\b"
    r"|\b(?:call|ring|phone|email|e mail|text|contact|reach|message|get hold of|put me through to"
    r"|connect me (?:to|with)) (?:me|you|u|us|them|the|a|an|one|someone|somebody|anyone|back"
    r"|directly|in|reception|your|ur)\b"
    r"|\b(?:human|humans|real person|actual person|a person|real people|receptionist|reception"
    r"|operator|bot|robot)\b|\breal (?:\w+ )?(?:physio\w*|therapist|person|people|human|one|doctor"
    r"|staff)\b"
    r"|\b(?:your|ur|the|a|phone|contact|clinic'?s|telephone|email|e mail) (?:number|phone number"
    r"|email|e mail|address|details|info)\b|\b(?:number|email|e mail) (?:to|i can|for|please|pls)\b"
    r"|^(?:email|e mail|phone|number)\b|\bopening (?:hours|times)\b|\b(?:are|r) (?:you|u) open\b"
    r"|\byour hours\b|\b(?:someone|somebody) (?:to|who|real|from)\b|\bcan (?:someone|somebody|anyone)\b"
)
# a slip of the thumb on a one-word stop ("stpo", "cancle", "qiut")
_STOP_TYPOS = ("stop", "cancel", "quit", "exit", "nevermind", "enough", "skip")


def asks_to_stop(text: str) -> bool:
    """Whether a message has the words of a request to stop: "cancel", "never mind",
    "I don't want to answer these", but not "I didn't mean stop" or a statement."""
    clean = normalise(text)
    for match in _STOP_WORDS.finditer(clean):
        if not _STOP_NEGATED.search(clean[: match.end()]):
            return True
    words = clean.split()
    return len(words) <= 2 and any(
        len(word) >= 4 and edit_distance(word, stop, 1) <= 1
        for word in words
        for stop in _STOP_TYPOS
    )


def asks_for_a_person(text: str) -> bool:
    """Whether a message asks for the clinic's people: "can I talk to a person", "what's
    your number", but not "I wouldn't call it weakened, ..."."""
    return bool(_PERSON_WORDS.search(normalise(text)))


# --- answers that only make sense with the question --------------------------------

# "yeah nah" is Australian and New Zealand English for "no" (the last word wins; "nah
# yeah" is yes): more than a plain no, so the buttons confirm it (safety principle 2)
_YEAH_NAH = re.compile(
    r"^(?:(?:oh|ah|well|um+|erm+|so|look|honestly)\s+)*(?:yeah|yeahh|yea|yeh|ye|yah|ya|yep|yup)"
    r"\s+(?:nah|nahh|na|naa|no|nope|naw)\b\s*(?P<rest>.*)$"
)
# "just the one", "only the one", "the small one", "the one in the morning", "one a
# day", "only on weekends", "both", "the middle one": a pick from what the question
# asks about, or how often; a yes to it (a medicine taken now and then is taken)
_LEAD = (
    r"(?:(?:yes|yeah|yep|yup|ya|yh|yea|aye|well|um+|erm+|er|uh|oh|ah|so|just|only|simply|mostly"
    r"|basically|like|honestly|probably|maybe|literally|usually|normally|erm|sadly|errr?)\s+)*"
)
_COUNT = r"(?:one|1|two|2|three|3|a couple|couple|a few|few)"
_ORDINAL = r"(?:first|second|third|middle|last|final|1st|2nd|3rd|latter|former|other)"
_THING = (
    r"(?:one|ones|bit|part|thing|option|condition|tablet|tablets|pill|pills|med|meds|medication"
    r"|medications|medicine|medicines|capsule|capsules|injection|injections|jab|jabs|dose|doses)"
)
_WHEN = (
    r"(?:weekends?|mornings?|nights?|night time|evenings?|bedtime|race days?|long runs?|match days?"
    r"|flare ups?|flareups?|flares?|holidays?|winter|summer|work days?|weekdays?"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)days?)"
)
_PERIOD = r"(?:day|week|month|morning|night|evening|fortnight)"
_PICK_CORE = (
    # just the one, the one, just one tablet, a couple of them, all three, both of them
    rf"(?:just |only )?(?:the |a )?{_COUNT}(?: of (?:them|those|these|em|the \w+))?(?: {_THING})?"
    rf"|(?:the )?{_COUNT} {_THING}"
    r"|both(?: of (?:them|those|these|em))?|all (?:of (?:them|those|these|em|the above)|three|two"
    r"|3|2|the above)"
    # the middle one, the last, the second bit, number 2
    rf"|(?:the )?{_ORDINAL}(?: {_THING})?|(?:number|no) [123]"
    # the small one, my usual one, the low dose one, the 75
    rf"|(?:the|my|a) (?:[\w']+ ){{1,2}}?{_THING}|(?:the|a) \d{{2,3}}(?: ?mg)?"
    # only on weekends, on race days, once a week, every other day, when needed
    rf"|(?:(?:on|at|in|during|before|after|over) )?(?:the )?{_WHEN}(?: only)?"
    rf"|(?:once|twice|three times|\d+ times|\dx|x\d) (?:a|per|each|every) {_PERIOD}"
    rf"|(?:every|each) (?:other )?{_PERIOD}|daily|when(?:ever)? (?:needed|i need (?:it|them|to))"
)
# "... a day", "... in the morning", "... for my heart", "... since my stent"
_PICK_TAIL = (
    rf"(?: (?:a|per|each|every) {_PERIOD}| daily)?"
    r"(?: (?:in|at|on|for|with|since|after|before|from|when) (?:[\w']+ ?){1,4})?"
)
_PICK = re.compile(
    rf"^{_LEAD}(?:{_PICK_CORE}){_PICK_TAIL}"
    r"(?: (?:only|tbh|lol|haha|mate|x+|really|now|atm|at the moment|tho|though|i think|thanks|ta))*$"
)
# one that would be a pick but is no answer: "one sec", "first time", "one moment"
_NOT_A_PICK = re.compile(
    r"^(?:one|1|just one|the first|first) (?:sec|second|moment|min|minute|tick|mo|time|thing)\b"
)
# "both, and neither is under control tbh", "just the one, can't remember what it's
# called", "the middle one - since 2019": a pick that more words follow is still a pick;
# what follows (a negative word about something else) takes nothing back (principle 3)
_LEAD_OR_COMMA = _LEAD.replace(r"\s+", r"[\s,]+")  # "yes, both, ..."
_LEADING_PICK = re.compile(
    rf"^{_LEAD_OR_COMMA}(?P<pick>(?:{_PICK_CORE}){_PICK_TAIL})"
    r"(?:\s*[,;:.!\-\u2013\u2014]+|\s+(?=(?:and|but|though|tho|although|plus|however|tbh|lol"
    r"|haha|honestly|which|cos|coz|because|as)\b))\s*(?P<rest>\S.*)$"
)
# "both, no wait, neither", "the first one... or none, sorry": the pick taken back at
# once is a contradiction, and a contradiction is "not sure" (principle 6)
_PICK_TAKEN_BACK = re.compile(
    r"^(?:no+ wait|wait|sorry|i mean|no i mean|actually|scratch that|oops|no no|no sorry|hang on"
    r"|or (?:maybe )?(?:none|neither|not)|nvm|never ?mind|hmm+|um+|erm+)\b"
    r"|^(?:no|nope|nah|none|neither|not really|not sure|dunno|idk)\W*$"
)


def leading_pick(text: str) -> str | None:
    """ "both, and neither is under control tbh": the words after a pick that opens the
    message, or None when the message does not open with one ("both knees", "one sec",
    a bare "1" or "2", a button's position on WhatsApp)."""
    light = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    light = re.sub(r"\s+", " ", re.sub(r"[^\w\s',;:.!?\-\u2013\u2014#+/]", " ", light)).strip()
    match = _LEADING_PICK.match(light)
    if not match or re.fullmatch(_COUNT, match.group("pick")):
        return None
    if _NOT_A_PICK.match(normalise(text)):
        return None
    return match.group("rest")


# "none of the above except the middle one", "all no apart from the second", "no to all
# but the last one": the exception takes part of the denial back (principles 2 and 3)
_TARGET = (
    r"(?:for )?(?:maybe |possibly |perhaps |probably )?(?:the |that |number |no |nr )?"
    rf"(?:{_ORDINAL}|one|two|three|[123]|[\w']+ one)\b"
    # "but for the first time", "bar the last few weeks", "save the second half": a time
    r"(?! (?:time|times|day|days|week|weeks|month|months|year|years|few|couple|race|races|half"
    r"|mile|miles|km|k|lap|laps|rep|reps|session|sessions|run|runs|night|nights|bit of)\b)"
)
_EXCEPTION = re.compile(
    r"\b(?:except|excepting|apart from|aside from|other than|besides|beside|bar|barring|save"
    r"|saving|excluding|excl|not counting|not including|minus|exc|exept|expect|but for|outside of"
    rf"|with the exception of|bar for) {_TARGET}"
    rf"|\b(?:all|everything|none|nothing|them|those|these|above|everything else) but {_TARGET}"
)
# "left arm, since 2021", "right leg for 3 years", "both legs since my op": where and
# since when, in answer to a question about a condition, is where and since when the
# runner has it (lymphoedema of the left arm)
_SIDE = r"(?:left|right|both|l|r|lh|rh|either|each|one)"
_PART = (
    r"(?:arms?|legs?|hands?|feet|foot|ankles?|wrists?|elbows?|shoulders?|thighs?|fingers?|toes?"
    r"|sides?|breasts?|chest|armpits?|groin|neck|face|tummy|belly|stomach|abdomen|back|lymph nodes?"
    r"|nodes?|glands?|skin|lungs?|kidneys?|liver|bladder|eyes?|ears?|throat|gums?|upper arm"
    r"|lower leg|forearm)"
)
_SIDE_AND_PART = re.compile(rf"\b{_SIDE} (?:[\w']+ )?{_PART}\b")
_SINCE_WHEN = re.compile(
    r"\b(?:since|ever since)\b|\b(?:19|20)\d\d\b|(?<![\w.])'\d\d\b"
    r"|\bfor (?:a|an|\d+|few|couple|some|many|ages|years|months|weeks|days|ever|a while|a long"
    r" time|life|donkey'?s)\b|\b\d+\s*(?:years?|yrs?|y|months?|mths?|mos?|weeks?|wks?|days?)\b"
    r"|\b(?:years|months|ages|decades|yesterday|today|recently|lately|childhood|birth)\b"
    r"|\bfrom (?:birth|childhood|a kid|a child|a baby)\b|\bas a (?:kid|child|baby|teen|teenager)\b"
    r"|\blast (?:year|month|week|summer|winter|spring|autumn|fall|christmas|\w+day)\b"
    r"|\b(?:after|following) (?:my|the|a|an|surgery|chemo|radiotherapy|treatment)\b"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\bon and off\b"
)
_NEGATION = re.compile(
    r"\b(?:no|not|never|none|nothing|nope|nah|neither|nor|without|n't|dont|cant|wont|isnt|arent"
    r"|havent|hasnt|didnt|doesnt|wasnt|werent|aint)\b|n't\b"
)
_CONTEXT_WORDS = 12


def pick_answer(clean: str) -> bool:
    """ "just the one", "the one in the morning", "only on weekends", "the middle one":
    an answer that only makes sense with the question, and says yes to part of it."""
    words = clean.split()
    return (
        len(words) <= _CONTEXT_WORDS
        # "1", "2", "one": a button's position on WhatsApp, or nothing (asked again)
        and not (len(words) == 1 and re.fullmatch(_COUNT, clean))
        and not _NEGATION.search(clean)
        and not _NOT_A_PICK.match(clean)
        and bool(_PICK.match(clean))
    )


def takes_an_exception(clean: str) -> bool:
    """ "none of the above except the middle one", "no to all but the last one"."""
    return bool(_EXCEPTION.search(clean))


def where_and_since_when(clean: str, mentions: List[Mention]) -> bool:
    """ "left arm, since 2021", "right leg for 3 years", "my left arm": a place on the body
    (and when), no complaint, no denial, no question."""
    if len(clean.split()) > _CONTEXT_WORDS or _NEGATION.search(clean):
        return False
    if any(m.label == "injury" for m in mentions):
        return False  # "left calf since March": the complaint, told early
    part = bool(_SIDE_AND_PART.search(clean)) or any(m.label == "body_part" for m in mentions)
    if not part and not re.search(rf"\b{_PART}\b", clean):
        return False
    return bool(_SIDE_AND_PART.search(clean) or _SINCE_WHEN.search(clean))


# "does it count if it's only gestational? I'm 12 weeks ...", "would my inhaler count? I
# use it every day": a question back about the runner's own case is no "no", and the
# clinic's own advice for a doubt is "Not sure" (principles 1 and 3)
_ASKS_IF_IT_COUNTS = re.compile(
    r"\b(?:count|counts|counted|matter|matters|apply|applies|included|considered|classed"
    r"|qualify|qualifies|rule me out|rules me out|a problem|an issue|relevant|one of (?:them"
    r"|those|these)|an infection|a blood thinner|blood thinners?|a bleeding disorder"
    r"|a weakened immune system|lymphoedema|lymphedema)\b"
    r"|\bwhat if\b|\b(?:what|how) about (?:my|if|mine|the)\b|\beven if\b"
)
_OWN_CASE = re.compile(
    r"\b(?:i|i'm|im|i've|ive|i am|me|my|mine)\b"
    r"|\bif (?:it'?s|its|it is|it was|that'?s|thats|they'?re|theyre)\b"
)
_NOT_ABOUT_THE_ANSWER = re.compile(
    r"^(?:(?:sorry|but|and|um+|erm*|hmm+|ok|okay|so|wait)\s+)*(?:why|how come|who|where|when)\b"
)


def asks_back_about_own_case(text: str) -> bool:
    """A question back whether the runner's own case counts: "does it count if it's only
    gestational? I'm 12 weeks", "would my inhaler count? I use it daily"."""
    clean = normalise(text)
    asking = "?" in text or is_question(text)
    return (
        asking
        and bool(_ASKS_IF_IT_COUNTS.search(clean))
        and bool(_OWN_CASE.search(clean))
        and not _NOT_ABOUT_THE_ANSWER.match(clean)
        and not asks_whether_it_counts_and_denies(text)
    )


class ValidateScreeningForm(QuestionnaireValidation):
    def name(self) -> str:
        return "validate_screening_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        text = latest_text(tracker)
        if (
            not tracker.get_slot(RED_FLAG_SLOT)
            and self.latest_intent(tracker) != "red_flag"
            and (flags := red_flags_told_in_pieces(tracker))
        ):
            return [
                *raise_red_flag(dispatcher, tracker, flags),
                SlotSet(STOPPED_SLOT, "red_flag"),
                SlotSet(REQUESTED_SLOT, None),
            ]
        screening = load_screening()
        answered = [s for s in screening.answer_slots if tracker.get_slot(s) is not None]
        if (
            tracker.get_slot(REQUESTED_SLOT)
            and answered
            and not is_command(text)
            and _PATIENT_CHANGED.search(normalise(text))
            and any(
                _OTHER_PERSON.search(normalise(said))
                for said in [*earlier_user_texts(tracker), text]
            )
        ):
            # the answers so far were another person's: every question again
            dispatcher.utter_message(text=screening_message("patient_changed"))
            return [
                *(SlotSet(slot, None) for slot in answered),
                SlotSet(CONFIRM_SLOT, None),
                SlotSet(CHANGE_SLOT, None),
                SlotSet(UNCLEAR_SLOT, 0),
                SlotSet(REQUESTED_SLOT, self.next_slots({})[0]),
            ]
        intent = self.latest_intent(tracker)
        if (
            not is_command(text)
            and intent not in self.stop_intents
            and (
                (tracker.get_slot(REQUESTED_SLOT) and someone_else_typing(text))
                # "can I book for both of us?": also when the questions start
                or speaks_for_two(text)
            )
        ):
            # someone else has the phone now, or one runner answers for two: those
            # answers are not the patient's, so no link on them; what they tell about
            # the patient is noted (principle 8)
            if someone_else_typing(text):
                dispatcher.utter_message(text=screening_message("someone_else_answering"))
            else:
                dispatcher.utter_message(text=screening_message("answering_for_two"))
            facts = reported_facts(latest_mentions(tracker), screening)
            return [
                *(SlotSet(slot, value) for slot, value in facts.items()),
                SlotSet(CONFIRM_SLOT, None),
                SlotSet(CHANGE_SLOT, None),
                SlotSet(UNCLEAR_SLOT, 0),
                SlotSet(STOPPED_SLOT, "someone_else"),
                SlotSet(REQUESTED_SLOT, None),
            ]
        return await super().run(dispatcher, tracker, domain)

    def next_slots(self, answers: Dict[str, Any]) -> List[str]:
        return remaining_slots(answers, load_screening())

    def asks_to_stop(self, intent: str, text: str) -> bool:
        # a cancel or "talk to a person" needs the words of one: "I wouldn't call it
        # weakened, I just catch every bug going since my spleen op" is an answer
        if intent == "stop_screening":
            return asks_to_stop(text)
        if intent == "request_human":
            return asks_for_a_person(text) or asks_to_stop(text)
        return True  # a red flag, another language, a request to delete: always

    def parse_answer(self, slot: str, tracker: Tracker) -> Dict[str, Any] | None:
        text = latest_text(tracker)
        if slot == CONFIRM_SLOT:
            if self._reading(tracker).answers:
                return None  # "yes, but I'm on Eliquis": new facts, confirm again
            yes_title, change_title = confirmation_titles()
            answer = parse_confirmation(text, yes_title=yes_title, change_title=change_title)
            return {slot: answer} if answer else None
        if slot == CHANGE_SLOT:
            if self._reading(tracker).answers:
                # "I'm actually pregnant, 10 weeks": the new facts are the change
                return {CHANGE_SLOT: None, CONFIRM_SLOT: None}
            choice = self._question_to_change(text, tracker)
            return {slot: choice} if choice else None
        screening = load_screening()
        question = screening.question(slot)
        if question.kind == "pregnancy_stage":
            stage = parse_pregnancy_stage(text)
            return {slot: stage} if stage else None
        if question.kind == "complaint":
            return self._complaint(text, tracker)
        mentions = [] if is_command(text) else latest_mentions(tracker)
        answer = read_yes_no_answer(question, text, mentions, screening)
        if slot == "pregnant" and answer in (None, YES, CHECK):
            stage = parse_pregnancy_stage(text)  # "8 weeks" answers both questions
            if stage and stage != UNSURE:
                return {slot: YES, "pregnancy_stage": stage}
        if not is_command(text):
            answer = self._in_context(slot, text, mentions, answer)
        return {slot: answer} if answer else None

    @staticmethod
    def _in_context(
        slot: str, text: str, mentions: List[Mention], answer: str | None
    ) -> str | None:
        """An answer that only makes sense with the question asked: "just the one 💊" to
        the medicine question is one, "left arm, since 2021" to the lymphoedema question is
        where and since when, "none of the above except the middle one" takes part of
        the denial back, and "yeah nah" is a no to confirm (principles 1 to 3)."""
        clean = normalise(text)
        if answer in (UNSURE, None):
            slang = _YEAH_NAH.match(clean)
            if slang:
                # "yeah nah" reads as "no": confirmed with the buttons, never a silent
                # "not sure"; "yeah nah, not that I know of" stays unsure
                screening = load_screening()
                rest = f"no {slang.group('rest')}".strip()
                as_no = read_yes_no_answer(screening.question(slot), rest, mentions, screening)
                return CHECK if as_no in (NO, CHECK) else answer
        # a pick or a place says nothing of a pregnancy, but is no "no" to it either
        unsure = slot == "pregnant" or answer == UNSURE or is_hedged(text)
        value = UNSURE if unsure else YES
        if takes_an_exception(clean) and not is_question(text):
            return max((v for v in (answer, value) if v), key=PRECEDENCE.__getitem__)
        rest = leading_pick(text)
        if rest is not None:
            # "both, and neither is under control tbh": the pick is the answer, whatever
            # negative word follows it about something else; never a "no" to confirm
            # (principle 3). Taken back at once ("both, no wait, neither") or asked
            # about ("the first one, does that count?"), it is a doubt (principles 1, 6)
            doubt = _PICK_TAKEN_BACK.search(normalise(rest)) or is_question(text)
            picked = UNSURE if doubt else value
            return max((v for v in (answer, picked) if v), key=PRECEDENCE.__getitem__)
        if answer is not None or is_question(text):
            return answer
        if pick_answer(clean):
            return value
        if slot != "pregnant" and where_and_since_when(clean, mentions):
            return value
        return None

    def answer_overrides_intent(
        self, slot: str, intent: str, updates: Dict[str, Any], text: str
    ) -> bool:
        if intent == "red_flag":
            return False
        if not updates:
            if intent == UNANSWERABLE_INTENT and states_something(text):
                # "thalassaemia, I get transfused every month", "my laptop has a virus and
                # so do I": no question, but an answer the form cannot read; "sorry?",
                # so that a "No" after it is checked, not taken (principles 1 and 4)
                return True
            # "what do you mean by a weakened immune system?": the form explains it
            return intent not in self.stop_intents and self._asks_what_it_means(slot, text)
        if intent == "delete_my_data":
            # a request to delete wins, but a tapped button of the question asked is
            # never one, even when the classifier reads "Change an answer" that way
            return normalise(text) in {normalise(payload) for payload in self._payloads(slot)}
        # "Change an answer", "8 weeks" or "Knee" are answers here, whatever the
        # classifier thinks (a "no" inside "I don't want to answer" must not count)
        if slot in (CONFIRM_SLOT, CHANGE_SLOT):
            return True
        if slot == "pregnancy_stage":
            return updates.get(slot) != UNSURE
        if slot in self._yes_no_slots():
            # "NO... I mean yes" or "no, I was wrong" taken for an article question:
            # an answer read from the words counts (questions read as no answer, and
            # a "sounds like no" is only confirmed); nothing overrides a cancel
            return updates.get(slot) is not None and intent not in self.stop_intents
        return updates.get("complaint", "other") != "other"

    @staticmethod
    def _asks_what_it_means(slot: str, text: str) -> bool:
        screening = load_screening()
        question = next((q for q in screening.questions if q.slot == slot), None)
        return bool(question and question.explain) and asks_what_it_means(
            text, find_mentions(nlp(), text), screening
        )

    def _reading(self, tracker: Tracker) -> Reading:
        text = latest_text(tracker)
        screening = load_screening()
        if is_command(text) or (
            tracker.get_slot(REQUESTED_SLOT) == CHANGE_SLOT
            and normalise(text) in {normalise(q.summary) for q in screening.questions}
        ):
            return Reading()  # the button titles name conditions; they choose, not answer
        # "I'm a midwife on nights": her job is no pregnancy (the negation component)
        mentions = latest_mentions(tracker)
        reading = read_message(text, mentions, screening)
        requested = tracker.get_slot(REQUESTED_SLOT)
        if (
            requested not in ("pregnant", "pregnancy_stage")
            and reading.answers.get("pregnant") != YES
            and tells_a_pregnancy(text)
        ):
            # "does it count if it's only gestational? I'm 12 weeks": a pregnancy told in
            # words the vocabulary does not know, after a "No" to it (principles 4 and 6)
            stage = parse_pregnancy_stage(text)
            if stage and stage != UNSURE:
                reading.answers.update({"pregnant": YES, "pregnancy_stage": stage})
        # "I'm 10 weeks btw": once pregnant, a length of time is the stage
        if (
            tracker.get_slot("pregnant") == YES
            and requested != "pregnancy_stage"
            and "pregnancy_stage" not in reading.answers
        ):
            stage = parse_pregnancy_stage(text)
            if (not stage or stage == UNSURE) and requested in (CONFIRM_SLOT, CHANGE_SLOT):
                stage = self._stage_without_unit(text, tracker)
            if stage and stage != UNSURE:
                reading.answers["pregnancy_stage"] = stage
        complaint = tracker.get_slot("complaint")
        if (
            complaint is not None
            and requested != "complaint"
            and reading.answers.get("complaint", complaint) != complaint
            and not _COMPLAINT_CHANGED.search(normalise(text))
            # "Knee" typed at the summary: nothing but the complaint, so a change
            and not (requested in (CONFIRM_SLOT, CHANGE_SLOT) and len(normalise(text).split()) <= 3)
        ):
            # "no, though I did have a groin dissection": a body part in passing is no
            # new complaint; "actually it's my hip, not the calf" is
            del reading.answers["complaint"]
        for slot, value in self._corrections(tracker, reading, mentions).items():
            if value == REOPEN:  # asked again (after_answers): the message said nothing more
                reading.answers.pop(slot, None)
                if slot == "pregnant":
                    reading.answers.pop("pregnancy_stage", None)
                reading.answers[CHANGE_SLOT] = slot
                continue
            if slot not in self._yes_no_slots():  # the stage, as _taken_back weighed it
                reading.answers[slot] = value
                continue
            before = reading.answers.get(slot)
            reading.answers[slot] = max(
                (v for v in (before, value) if v is not None), key=PRECEDENCE.__getitem__
            )
        return reading

    @staticmethod
    def _stage_without_unit(text: str, tracker: Tracker) -> str | None:
        """ "yes that's right, well 13 and a bit if I'm honest" at the summary, after "14
        weeks": a bare number is the stage corrected, in the unit it was given in."""
        stage = tracker.get_slot("pregnancy_stage") or ""
        unit = "weeks" if "week" in stage else "months" if "month" in stage else None
        clean = normalise(text)
        match = _BARE_NUMBER.search(clean)
        if unit is None or match is None:
            return None
        return parse_pregnancy_stage(f"{clean[: match.end()]} {unit}{clean[match.end() :]}")

    def _corrections(
        self, tracker: Tracker, reading: Reading, mentions: List[Mention]
    ) -> Dict[str, str]:
        """Earlier answers the latest message corrects: "oops, fat thumbs, meant to press
        yes on that last one", "PS the sugar question should've been yes" (principle 4).
        A correction to a less cautious answer is then a contradiction (principle 6)."""
        text = latest_text(tracker)
        clean = normalise(text)
        if is_command(text) or is_question(text):
            return {}
        values = [
            _CORRECTED_VALUE[next(word for word in match.groups() if word)]
            for match in _CORRECTED_TO.finditer(clean)
            # "didn't mean to press yes": that "Yes" slipped, it is no correction to yes
            if not _NEGATED_BEFORE.search(clean[: match.start()])
        ]
        wrong_button = bool(_WRONG_BUTTON.search(clean))
        if not values and not wrong_button:
            return {}
        if not values:
            return self._taken_back(tracker, reading, mentions)
        value = max(values, key=PRECEDENCE.__getitem__)  # "meant no... no, I did mean yes"
        requested = tracker.get_slot(REQUESTED_SLOT)
        yes_no = self._yes_no_slots()
        named = [
            slot
            for slot in named_questions(clean)
            if slot in yes_no
            and (value != NO or slot == requested or tracker.get_slot(slot) is not None)
        ]
        if named:
            return {slot: value for slot in named}
        if requested is None:
            return {}
        answers_this_one = requested in yes_no and parse_yes_no(text) is not None
        # at a yes/no question, "meant yes" is about the one before when it says so ("that
        # last one"), or speaks of a tap, or follows an answer that was read; "NO... I mean
        # yes, fat fingers" answers the question asked
        back_to_an_earlier_one = bool(_BACK_REFERENCE.search(clean)) or (
            not answers_this_one
            and bool(wrong_button or _TAPPED.search(clean) or not tracker.get_slot(UNCLEAR_SLOT))
        )
        if requested in yes_no and not back_to_an_earlier_one:
            return {}
        target = self._previous_yes_no(tracker)
        if target is None and requested in yes_no and not answers_this_one:
            target = requested  # nothing answered before: it answers this question
        return {target: value} if target else {}

    def _taken_back(
        self, tracker: Tracker, reading: Reading, mentions: List[Mention]
    ) -> Dict[str, str]:
        """ "sorry, wrong button", "I lied on the sugar one": an answer taken back without
        saying what it should have been. It is the question the message names ("hang on,
        the first one was a misclick"), else the tap before this message (not "Change an
        answer" or "Knee"). What the same message says about that question stands
        (principle 4): a slipped "Yes" is asked again only when the message adds nothing
        more cautious than a plain no (principle 6); a slipped "No", a slipped later stage
        of pregnancy, or a lie is "not sure", never a fresh tap (principle 1)."""
        text = latest_text(tracker)
        clean = normalise(text)
        answerable = [*self._yes_no_slots(), "pregnancy_stage"]
        answered = [slot for slot in answerable if tracker.get_slot(slot) is not None]
        named = referred_questions(clean)
        if named:
            targets = [slot for slot in named if slot in answered]
        else:
            tapped = self._asked_before(tracker)
            targets = [tapped] if tapped in answered else []
        slipped = bool(_SLIPPED_TAP.search(clean))
        # the slip words are no answer ("accidentally pressed yes", "fat thumbs, no")
        rest = _SLIPPED_TAP.sub(" ", _lightly_cleaned(text))
        taken_back = {}
        for slot in targets:
            if slot == "pregnancy_stage":
                taken_back[slot] = self._stage_taken_back(tracker, reading, rest, slipped)
                continue
            said = self._said_about(slot, rest, reading, mentions)
            if slipped and tracker.get_slot(slot) in (YES, UNSURE):
                # "sorry no!! fat thumbs": asked again; "wrong button, it's just a baby
                # aspirin", "misclicked, honestly not sure": what it says stands (a
                # partial denial against the "Yes" is a contradiction, so "not sure")
                taken_back[slot] = REOPEN if said in (None, NO) else said
            else:
                # a "No" said to be wrong, or a lie: the truth is something other than it
                taken_back[slot] = max(UNSURE, said or UNSURE, key=PRECEDENCE.__getitem__)
        return taken_back

    def _said_about(
        self, slot: str, rest: str, reading: Reading, mentions: List[Mention]
    ) -> str | None:
        """What a message that takes an answer back says about that question: its facts
        ("it's just a baby aspirin"), and its words as an answer to it ("honestly not
        sure", "no infection, all good", "not on warfarin"), or a hedge."""
        screening = load_screening()
        said = [reading.answers.get(slot)]
        as_answer = read_yes_no_answer(screening.question(slot), rest, mentions, screening)
        others = {*reading.named, *reading.answers} & (set(self._yes_no_slots()) - {slot})
        if not (as_answer == YES and others):  # "I do have type 1 diabetes": that one's yes
            said.append(as_answer)
        if is_hedged(rest):
            said.append(UNSURE)
        found = [value for value in said if value in PRECEDENCE]
        return max(found, key=PRECEDENCE.__getitem__) if found else None

    @staticmethod
    def _stage_taken_back(tracker: Tracker, reading: Reading, rest: str, slipped: bool) -> str:
        """A stage of pregnancy taken back ("oops wrong button" after "More than 3
        months"). A stage the message gives within the first months stands; the least
        cautious stage taken back, or a lie, is "not sure" (the other answers all rule
        needling out, principle 1), never left standing; another one is asked again."""
        screening = load_screening()
        said = reading.answers.get("pregnancy_stage") or parse_pregnancy_stage(rest)
        if not said and is_hedged(rest):
            said = UNSURE
        said_early = (
            pregnancy_in_first_months(said, screening) if said not in (None, UNSURE) else None
        )
        if said_early:
            return said
        before = tracker.get_slot("pregnancy_stage")
        later = before != UNSURE and pregnancy_in_first_months(before, screening) is False
        if later or not slipped or said == UNSURE:
            return UNSURE
        # a cautious stage slipped: asked again, or the stage said instead (a later one
        # than the one taken back is a contradiction, asked about)
        return said or REOPEN

    @staticmethod
    def _asked(tracker: Tracker) -> List[str | None]:
        """The questions the form asked in this session, in order (with repeats)."""
        return [
            event.get("value")
            for event in session_events(tracker)
            if event.get("event") == "slot" and event.get("name") == REQUESTED_SLOT
        ]

    def _asked_before(self, tracker: Tracker) -> str | None:
        """The question asked before the one asked now, if the runner answered it."""
        requested = tracker.get_slot(REQUESTED_SLOT)
        asked = self._asked(tracker)
        earlier = [slot for slot in asked if slot != requested]
        if not asked:  # no history to go by: the yes/no question before
            return self._previous_yes_no(tracker)
        if earlier and earlier[-1] and tracker.get_slot(earlier[-1]) is not None:
            return earlier[-1]
        return None

    def _previous_yes_no(self, tracker: Tracker) -> str | None:
        """The yes/no question asked before the one asked now ("that last one")."""
        requested = tracker.get_slot(REQUESTED_SLOT)
        answered = [
            slot
            for slot in self._yes_no_slots()
            if slot != requested and tracker.get_slot(slot) is not None
        ]
        for slot in reversed(self._asked(tracker)):
            if slot in answered:
                return slot
        order = load_screening().answer_slots
        before = [
            s for s in answered if requested not in order or order.index(s) < order.index(requested)
        ]
        return before[-1] if before else None

    def volunteered(self, tracker: Tracker, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        reading = self._reading(tracker)
        if reading.about_someone_else:
            dispatcher.utter_message(text=screening_message("other_person"))
        if reading.unknown_medicines:
            dispatcher.utter_message(text=screening_message("unknown_medicine"))
        answers = dict(reading.answers)
        requested = tracker.get_slot(REQUESTED_SLOT)
        if answers.get(CHANGE_SLOT) and requested != CHANGE_SLOT:  # a slipped tap (_reading)
            summary = load_screening().question(answers[CHANGE_SLOT]).summary.lower()
            dispatcher.utter_message(text=screening_message("slipped_tap", answer=summary))
        if (
            requested in self._yes_no_slots()
            and answers.get(requested) not in (YES, UNSURE)
            and asks_back_about_own_case(latest_text(tracker))
            and (self.parse_answer(requested, tracker) or {}).get(requested) not in (YES, UNSURE)
        ):
            # "does it count if it's only gestational? I'm 12 weeks": whether their own
            # case counts is the runner's doubt, and a doubt is "not sure" (principle 1)
            summary = load_screening().question(requested).summary.lower()
            dispatcher.utter_message(text=screening_message("own_case_asked", answer=summary))
            answers[requested] = UNSURE
        if requested not in answers and self._unread_name(requested, tracker):
            # "Arixtra", "T1DM": a name it cannot read is no answer to forget (principle 3)
            summary = load_screening().question(requested).summary.lower()
            dispatcher.utter_message(text=screening_message("unknown_name", answer=summary))
            answers[requested] = UNSURE
        for slot in reading.asked_about:
            if slot not in answers and tracker.get_slot(slot) in (NO, CHECK):
                # "knee. is it still ok if I'm on chemo?" after "no" to that question:
                # the "no" can no longer be trusted
                answers[slot] = UNSURE
        return answers

    def _unread_name(self, slot: str | None, tracker: Tracker) -> bool:
        """Whether the answer to a yes/no question is only a name nothing could read."""
        if slot not in self._yes_no_slots() or latest_mentions(tracker):
            return False
        text = latest_text(tracker)
        screening = load_screening()
        return read_yes_no_answer(
            screening.question(slot), text, [], screening
        ) is None and names_something_unknown(text)

    def combine(self, slot: str, answered: Any, volunteered: Any) -> Any:
        if answered is None or slot not in self._yes_no_slots():
            return volunteered
        return max(answered, volunteered, key=PRECEDENCE.__getitem__)

    @staticmethod
    def _payloads(slot: str) -> List[str]:
        """What the buttons offered for a slot send: the question's answer buttons, or at
        the summary (actions/ask_screening_question.py) the confirmation buttons and,
        to choose what to change, each question's summary."""
        screening = load_screening()
        if slot in (CONFIRM_SLOT, CHANGE_SLOT):
            summaries = [question.summary for question in screening.questions]
            return [*confirmation_titles(), *summaries]
        return [
            button["payload"] for button in question_buttons(screening.question(slot), screening)
        ]

    def _yes_no_slots(self) -> List[str]:
        return [q.slot for q in load_screening().questions if q.kind == "yes_no"]

    def on_activation(
        self, tracker: Tracker, dispatcher: CollectingDispatcher
    ) -> List[EventType] | None:
        if tracker.get_slot(RED_FLAG_SLOT):
            # utter_screening_intro already said: see a doctor first (domain.yml)
            return [SlotSet(STOPPED_SLOT, "red_flag"), SlotSet(REQUESTED_SLOT, None)]
        if other_language_in_session(tracker):
            # part of the conversation could not be read: no screening here
            dispatcher.utter_message(text=screening_message("other_language_first"))
            return [SlotSet(STOPPED_SLOT, "other_language"), SlotSet(REQUESTED_SLOT, None)]
        reading = self._reading(tracker)
        new_facts = any(value in (YES, UNSURE) for value in reading.answers.values())
        if new_facts and booking_link_was_shown(tracker):
            dispatcher.utter_message(text=screening_message("link_withdrawn"))
        return None

    def earlier_answers(self, tracker: Tracker) -> Dict[str, Any]:
        """Facts from earlier messages of this session: "I'm 8 weeks pregnant" said
        before "can I book?" is an answer (only the cautious ones: yes, unsure), and
        so is what was said before "Start over" (action_session_start keeps it), and
        what an earlier screening of this session stored, by a tap or in words, even when
        it was cancelled: a "Yes" before "stop" is contradicted by a later "No"
        (principles 4 and 6)."""
        carried = tracker.get_slot(SAID_BEFORE_START_OVER_SLOT) or {}
        said = earlier_user_texts(tracker)
        found = cautious_answers(said, dict(carried), answers_given_in_session(tracker))
        # what someone else on the phone told about the patient ("his wife here, he's
        # type 1 diabetic"): a later "no" from the patient contradicts it (principle 6)
        screening = load_screening()
        for text in filter(someone_else_typing, said):
            for slot, value in reported_facts(find_mentions(nlp(), text), screening).items():
                if PRECEDENCE[value] > PRECEDENCE.get(found.get(slot), 0):
                    found[slot] = value
        # "can I talk to someone? I'm actually 9 weeks": a pregnancy said of oneself in a
        # message that stopped the form (its answers were cleared) is still said, so the
        # next booking cannot reach the link on a "No" (principles 4 and 6)
        for text in said:
            if found.get("pregnant") == YES:
                break
            if someone_else_typing(text) or not tells_a_pregnancy(text):
                continue
            stage = parse_pregnancy_stage(text)
            if stage and stage != UNSURE:
                found.update({"pregnant": YES, "pregnancy_stage": stage})
        return found

    def contradicts(self, slot: str, before: Any, after: Any) -> bool:
        if before is None or after is None or before == after:
            return False
        if slot == "pregnancy_stage":
            screening = load_screening()
            was_early = pregnancy_in_first_months(before, screening)
            return was_early is not False and pregnancy_in_first_months(after, screening) is False
        if slot in self._yes_no_slots():
            return PRECEDENCE.get(after, 0) < PRECEDENCE.get(before, 0) and after in (NO, CHECK)
        return False

    def contradiction_value(self, slot: str) -> Any:
        return UNSURE  # until the clinic checks it with the runner

    def explain_contradiction(self, slot: str, dispatcher: CollectingDispatcher) -> None:
        summary = load_screening().question(slot).summary.lower()
        dispatcher.utter_message(text=screening_message("contradiction", answer=summary))

    def doubted_by_unclear(self, slot: str, unclear: List[str], answer: Any) -> bool:
        # a "no" after a statement the form could not read at all ("in the pudding
        # club", "been crook all week mate") or a bare number (a button's position on
        # WhatsApp, "3" for "Not sure"): that may have been the yes (safety principle
        # 1); not after a question, "sorry, I don't understand", or a "sounds like no"
        # ("nah mate, only the pill") that the buttons only confirm
        return (
            slot in self._yes_no_slots()
            and answer in (NO, CHECK)
            and any(
                (states_something(text) and parse_yes_no(text) is None) or normalise(text).isdigit()
                for text in unclear
            )
        )

    def explain_doubt(self, slot: str, dispatcher: CollectingDispatcher) -> None:
        summary = load_screening().question(slot).summary.lower()
        dispatcher.utter_message(text=screening_message("unread_then_no", answer=summary))

    def ask_to_confirm(self, slot: str, dispatcher: CollectingDispatcher) -> None:
        dispatcher.utter_message(text=screening_message("check"))

    def after_answers(self, answers: Dict[str, Any], requested: str | None) -> Dict[str, Any]:
        to_change = answers.get(CHANGE_SLOT)
        if to_change:  # forget that answer, so the form asks it again, then confirms again
            reset = {to_change: None, CONFIRM_SLOT: None, CHANGE_SLOT: None}
            if to_change == "pregnant":
                reset["pregnancy_stage"] = None
            return reset
        if answers.get("pregnant") in (NO, UNSURE) and answers.get("pregnancy_stage"):
            return {"pregnancy_stage": None}
        return {}

    def acknowledge_changes(self, changed: List[str], dispatcher: CollectingDispatcher) -> None:
        screening = load_screening()
        answered = [slot for slot in changed if slot in screening.answer_slots]
        if not answered:
            return
        names = ", ".join(screening.question(slot).summary.lower() for slot in answered)
        dispatcher.utter_message(text=screening_message("updated", answers=names))

    def explain_unclear(self, slot: str, dispatcher: CollectingDispatcher, text: str = "") -> None:
        screening = load_screening()
        if slot == CONFIRM_SLOT:
            reply = screening_message("confirm_unclear")
        elif slot == CHANGE_SLOT:
            reply = screening_message("choose_option")
        elif self._asks_what_it_means(slot, text):
            reply = screening.question(slot).explain  # the form then asks again
        else:
            reply = screening.question(slot).unclear
        dispatcher.utter_message(text=reply)

    def give_up(self, dispatcher: CollectingDispatcher) -> None:
        dispatcher.utter_message(text=screening_message("give_up"))

    def _complaint(self, text: str, tracker: Tracker) -> Dict[str, Any] | None:
        options = load_screening().question("complaint").options
        injuries = load_injuries()
        for mention in latest_mentions(tracker):
            if mention.label == "injury" and not mention.negated:
                return {"complaint": mention.id if mention.id in options else "other"}
        clean = normalise(text)
        for option in options:
            if clean in (
                option,
                normalise(injuries[option].button),
                normalise(injuries[option].title),
            ):
                return {"complaint": option}
        # any other description is fine: the therapist will look at it; we keep
        # only "other", not the runner's words (collect the minimum). A message
        # that tells a screening fact instead ("oh, I'm pregnant") is not one.
        if clean and not self._reading(tracker).answers and parse_yes_no(text) is None:
            return {"complaint": "other"}
        return None

    def _question_to_change(self, text: str, tracker: Tracker) -> str | None:
        answered = [s for s in load_screening().answer_slots if tracker.get_slot(s) is not None]
        clean = normalise(text)
        number = re.fullmatch(r"(\d+)", clean)
        if number and 1 <= int(number.group(1)) <= len(answered):
            return answered[int(number.group(1)) - 1]
        screening = load_screening()
        for slot in answered:
            if clean == normalise(screening.question(slot).summary):
                return slot
        named = [slot for slot in named_questions(clean) if slot in answered]
        if named:  # "the blood sugar one" is the diabetes question, not the blood one
            return named[0]
        for slot in answered:
            if any(keyword in clean for keyword in CHANGE_KEYWORDS.get(slot, ())):
                return slot
        return None
