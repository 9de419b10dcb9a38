"""Reading screening answers from free text and from button payloads.

Table-driven and conservative: anything that is not clearly a yes, a no or a
"not sure" returns None, so the assistant explains and asks again instead of
guessing. Uncertainty wins over yes/no ("I think not, not sure").
"""

from __future__ import annotations

import re
from typing import Iterable, List, Sequence, Tuple

from clinic_assistant.nlp.sentences import sentences
from clinic_assistant.screening.rules import CHECK, NO, UNSURE, YES, pregnancy_week_range

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "a": 1, "an": 1, "half": 0.5,
}  # fmt: skip
_ORDINALS = {"first": "1", "1st": "1", "second": "2", "2nd": "2", "third": "3", "3rd": "3",
             "one": "1", "two": "2", "three": "3", "1": "1", "2": "2", "3": "3"}  # fmt: skip

UNSURE_PHRASES = (
    "not sure", "unsure", "don't know", "dont know", "do not know", "dunno", "idk",
    "no idea", "maybe", "possibly", "perhaps", "not certain", "uncertain", "can't remember",
    "cant remember", "cannot remember", "don't remember", "dont remember", "no clue",
    "might be", "might have", "could be", "hard to say", "not 100%", "not a 100%", "unclear",
    "no sure", "not shure", "not sur", "don't no", "dont no", "i think maybe", "who knows",
    "possible", "probably", "likely", "unlikely", "i wish i knew", "rather not say",
    "prefer not to say", "rather not answer", "prefer not to answer", "kind of", "sort of",
    "kinda", "sorta", "a bit", "a little", "sometimes", "on and off", "used to", "waiting for",
    "results", "hopefully not", "i hope not", "i hope", "fingers crossed", "touch wood",
    "not exactly", "ish", "borderline", "pre diabetic", "prediabetic", "pre-diabetic", "prediabetes",
    "pre diabetes",
    "half", "50 50", "who can say", "depends", "it depends", "not really sure", "might",
    "may be", "can't say", "cant say", "cannot say", "wouldn't know", "wouldnt know",
    "not that i can say", "no comment", "rather skip", "i'll pass", "ill pass",
    # a diagnosis still being made: "they're still doing tests"
    "doing tests", "running tests", "more tests", "having tests", "under investigation",
    "being investigated", "not diagnosed yet", "no diagnosis yet", "awaiting diagnosis",
    "running bloods", "doing bloods", "more bloods", "checking my bloods", "investigating",
    # a test still to come, a hope, missed pills: "no but test on friday", "praying not"
    "test is on", "test booked", "testing tomorrow", "test tomorrow", "test next week",
    "waiting to test", "yet to test", "due to test", "going to test", "gonna test",
    "praying not", "pray not", "please god no", "please god not", "missed a pill",
    "missed my pill", "missed pills", "missed some pills", "missed a few pills",
    "missed a couple of pills", "forgot my pill", "forgot a pill", "forgot to take my pill",
    # too soon to know: "no way to know yet, transfer was tuesday"; a first test that was
    # negative says there was another: "the first test was negative, the second one wasn't"
    "no way to know", "no way of knowing", "too early to tell", "too early to know",
    "too early to say", "too soon to tell", "too soon to know", "first test was negative",
    "first one was negative", "first test was a negative",
)  # fmt: skip
# Double negatives and litotes: never a "no" (safety principle 3).
_DOUBLE_NEGATIVE = re.compile(
    r"\b(?:not|never|n't)\s+(?:not|never|un\w+|in\w*possible|im\w+|no)\b"
    r"|\b(?:can't|cant|cannot|couldn't|couldnt|won't|wont|wouldn't|wouldnt)\s+"
    r"(?:rule|exclude|deny|say|be sure|swear|promise|guarantee|tell)\b"
    r"|\brule[sd]?\s+(?:it|that|this)?\s*out\b|\bnot\s+(?:entirely|completely|totally|fully)\b"
    r"|\bwouldn't say no\b|\bnot that i'm not\b|\bi'm not not\b"
    r"|\bnot (?:like|as if|as though) (?:i'm|im|i am|i was|i've|ive|i have|i'd|id) not\b"
    r"|\b(?:don't|dont|do not|didn't|didnt)\s+(?:think|believe|reckon|suppose|guess)\b"
)
# Hedges: the runner says they cannot be sure, so even a denial with one is "unsure"
# (safety principles 1 and 3): "not pregnant as far as I know", "no blood thinners
# that I know of", "afaik no", "pretty sure not", "not to my knowledge", "I doubt it".
_HEDGE = re.compile(
    r"\b(?:as )?far as i(?:'m| am| m)? (?:know|knew|aware|can tell|can see|remember|recall"
    r"|can remember|can recall|understand)\b|\bafaik\b|\bafaict\b|\biirc\b|\baiui\b"
    # ("nothing like that, i know i pee a lot": "i know" starts a statement of its own)
    r"|\b(?:that|what) i (?:know|knew|am aware|'m aware|m aware|can remember|remember|recall"
    r"|can think|can tell|can see|'ve noticed|ve noticed|have noticed|noticed)\b"
    r"(?! (?:i|i'm|im|it|it's|its|you|my|we|he|she|they|this|how|why)\b)"
    r"|\bi (?:know|knew) (?:of|about)\b|\b(?:i'm|im|i am) not aware\b|\bnot aware\b|\bunaware\b"
    r"|\bnot that i'?m aware\b|\baware of\b|\bmy knowledge\b|\bknowingly\b"
    r"|\bthat i'?ve (?:noticed|heard|been told|seen|found)\b"
    r"|\bnot that i'?ve been told\b|\b(?:nobody|no one|noone)(?:'s| has)? (?:ever )?told me\b"
    r"|\bnever been told\b|\b(?:haven't|havent|have not|not) noticed\b"
    r"|\b(?:pretty|fairly|quite|reasonably|almost|mostly|relatively|nearly|kinda|very nearly)"
    r" (?:sure|certain|confident|positive)\b|\b\d{1,2}(?:\.\d+)?% (?:sure|certain)\b"
    # an opinion about a denial: "I think not", "I'd say no", "I believe I'm not"
    r"|\b(?:think|thinking|believe|guess|suppose|reckon|assume|imagine|presume|gather|figure)"
    r"(?:\s+[\w']+){0,2}?\s+(?:not|no|nope|nah|none|never|nothing)\b"
    r"|\b(?:i'd|id|i would|i'll|ill) say (?:no|not|nope|nah|none|never)\b"
    r"|(?<!no )(?<!without )(?<!without a )\bdoubt(?:ful|s)?\b|\bnot really\b"
    r"|\bshould(?:n't|nt| not) be\b|\bshould be (?:fine|ok|okay|alright|all right|good|no|none"
    r"|nothing|clear)\b|\b(?:presumably|apparently|supposedly|seemingly"
    r"|technically|theoretically|in theory|strictly speaking|as such)\b"
    r"|\blast (?:time )?i (?:checked|heard|looked)\b"
    r"|\b(?:not|haven't|havent|have not|never|didn't|didnt|not yet) (?:yet )?(?:been )?"
    r"(?:officially|confirmed|tested|checked|done a test|taken a test|done a pregnancy test"
    r"|taken a pregnancy test|diagnosed yet)\b|\bunconfirmed\b"
    # how often is not whether: "mostly not", "hardly ever", "not often" (but "I usually
    # run 40 miles a week" is no hedge)
    r"|\b(?:mostly|usually|normally|generally) (?:not|no|none|never)\b"
    r"|\b(?:rarely|hardly|barely|seldom|occasionally"
    r"|not often|not usually|not normally|not much|now and then|now and again)\b"
    # a hope or an opinion after the denial: "not pregnant, hopefully", "no, I reckon"
    r"|\bhopefully\b|\bi (?:reckon|think|believe|guess|suppose)\s*(?:[.!?,;]|$)"
    # a period that is late or missed is a real doubt about a pregnancy
    r"|\bperiod(?:'s|s| is| was| has been)?(?: \w+){0,3} late\b|\blate period\b"
    r"|\bmissed (?:my |a )?period\b"
)
# A hedge counts in the first sentence, in a short sentence of its own ("No. Not that
# I know of."), or in one with a denial ("calf. no blood thinners that I know of");
# "as far as I know" about the weather, later in the message, says nothing of the answer.
_OWN_SENTENCE_WORDS = 6
_DENIAL_WORD = re.compile(r"\b(?:no|not|none|never|nope|nah|nothing|n't|dont|don't|havent|isnt)\b")
# Trying to conceive: she may be pregnant without knowing it yet (as "trying for a
# baby" in clinic/vocabulary.yml is an uncertain pregnancy mention): "unsure".
# "trying to remember" is something else; "not trying" / "stopped trying" are not this.
_TRYING = re.compile(
    r"\bttc\b|\b(?:two week wait|2ww|tww)\b"
    r"|(?<!\bnot )(?<!n't )(?<!\barent )(?<!\bdont )(?<!\bisnt )(?<!\bwerent )"
    r"(?<!\bstopped )(?<!\blonger )(?<!\bup )(?<!\bquit )\btrying\b"
    r"(?!\s+(?:not\s+)?to\s+(?!conceive|get pregnant|fall pregnant|get preg|get knocked"
    r"|have (?:a|another|one|number)|start a family|make a baby|extend))"
)
# Litotes that say yes: "I'd be lying if I said no", "can't say I'm not", "can't deny it".
# ("wouldn't say no" may mean "I'd welcome it": _DOUBLE_NEGATIVE reads it as unsure.)
_NEGATED_ANSWER = (
    r"(?:no|nope|nah|not|never|otherwise|i'm not|im not|i am not|i wasn't|i wasnt|i don't"
    r"|i dont|i do not|i haven't|i havent|i have not|i didn't|i didnt|i'm not pregnant)"
)
_LITOTES_YES = re.compile(
    r"\b(?:lying|lie|lied|a lie|fibbing|fib)(?:\s+[\w']+){0,3}?\s+(?:said|say|saying"
    rf"|told you|answered|put|pressed|tapped)\s+{_NEGATED_ANSWER}\b"
    r"|\b(?:can't|cant|cannot|can not|couldn't|couldnt)\s+(?:honestly |really |truthfully )?"
    rf"(?:say|claim|pretend|answer)\s+{_NEGATED_ANSWER}\b"
    r"|\b(?:can't|cant|cannot|can not|couldn't|couldnt)\s+(?:honestly |really )?deny\b"
    # "I wish I could say no"
    rf"|\bwish (?:i|we) (?:could|can) (?:say|tell (?:you|u|ya|ye)|answer|put|press|tap)\s+"
    rf"{_NEGATED_ANSWER}\b"
)
# ... and their mirror image, which is no plain no: "I'd be lying if I said yes"
_LITOTES_OTHER = re.compile(
    r"\b(?:lying|lie|lied|a lie|fibbing|fib)(?:\s+[\w']+){0,3}?\s+(?:said|say|saying|told you"
    r"|answered|put|pressed|tapped)\s+(?:yes|yeah|yep|i am|i'm|im|i do|i have|i was|i did)\b"
)
# "can't say no for sure": not the litotes, the runner does not know
_CERTAINTY_AFTER = re.compile(r"\b(?:for sure|for certain|certainly|definitely|100|exactly)\b")
# A plain, whole "no" (safety principle 2): the message is nothing but a no.
PLAIN_NO = frozenset((
    "no", "n", "nope", "nah", "naw", "nay", "no way", "not at all", "never", "negative",
    "definitely not", "certainly not", "absolutely not", "of course not", "no never",
    "never ever", "none", "none of those", "none of them", "none of these", "none of that",
    "none at all", "no to all", "no to all of them", "no to all of these", "no to all of those",
    "no to everything", "no to both", "neither", "neither of them", "neither of those",
    "nothing", "nothing like that", "nothing of the sort", "nothing of that", "no none",
    "no none of those", "no none of these", "no none of them", "no nothing", "no neither",
    "nope none", "nope nothing", "no not at all", "nope not at all", "no definitely not",
    "no absolutely not", "no no", "nono", "no no no", "noo", "nop", "nopes", "nopee",
    "nein", "nee", "non", "no sir", "no maam", "no ma'am", "not me", "no not me", "nope not me",
    "i'm not", "im not", "i am not", "no i'm not", "no im not", "no i am not", "nope i'm not",
    "i don't", "i dont", "i do not", "no i don't", "no i dont", "no i do not", "nope i don't",
    "i haven't", "i havent", "i have not", "no i haven't", "no i havent", "no i have not",
    "no none of these", "no none of those", "no none at all", "none whatsoever",
    "no never had any", "never had any", "never had any of those", "never had any of that",
    "i've never had any of those", "ive never had any of those", "i have none of those",
    "i have none of them", "i have none of these", "none of the above", "no to all the above",
    "no to all of the above", "not applicable", "n a", "na",
    "nowt", "nowt like that",  # Northern English for "nothing"
))  # fmt: skip
# Sound like "no" but are not a plain whole no: confirmed with the buttons.
# (Hedged denials, "not that I know of", "I don't think so", are not here: a hedge
# is "unsure", see _HEDGE.)
SOUNDS_LIKE_NO = frozenset((
    "all good", "i'm fine", "im fine", "i am fine", "fine", "healthy",
    "i'm healthy", "im healthy", "i am healthy", "all fine", "i'm good", "im good",
    "nothing to report", "all clear", "i wish", "not anymore", "no longer", "no more",
    "not any more", "not now", "not right now", "not at the moment", "not currently",
))  # fmt: skip
# Words that add nothing to an answer: "no thanks", "nope lol", "ok no".
FILLERS = frozenset((
    "ok", "okay", "k", "um", "umm", "uh", "er", "erm", "well", "so", "thanks", "thank you",
    "thank", "you", "ta", "cheers", "lol", "haha", "hahaha", "mate", "sorry", "please", "x",
    "xx", "xxx", "oh", "ah", "hi", "hey", "hello", "sir", "madam", "love", "dear", "buddy",
    "pal", "bro", "fortunately", "luckily", "thankfully", "happily", "honestly", "really",
    "truly", "definitely", "certainly", "absolutely", "totally", "completely", "all", "good",
))  # fmt: skip
YES_PHRASES = (
    "yes", "y", "yeah", "yea", "yep", "yup", "ya", "yah", "ye", "yess", "yes yes", "sure",
    "i think so", "i believe so", "i guess so", "i am", "i'm", "im", "i do", "i have", "i did",
    "correct", "that's right", "thats right", "right", "affirmative", "indeed", "of course",
    "definitely", "absolutely", "certainly", "unfortunately yes", "unfortunately",
    "sadly yes", "sadly", "afraid so", "i'm afraid so", "im afraid so", "i am afraid so",
    "yes i am", "yes i do", "yes i have", "yes im", "yes i'm", "yeah i am", "yeah i do",
    "yep i am", "yep i do", "true", "that's true", "ok yes", "yes unfortunately", "i sure am",
    "i sure do", "si", "ja", "oui", "aye", "yas", "yesss", "currently yes", "at the moment yes",
    "yeh", "yse", "yesh", "yh", "yeah yeah", "yaa", "yea yea", "yessir", "ys",
    "yes one of these", "yes one of them", "one of them", "one of these",
)  # fmt: skip
CONFIRM_PHRASES = ("yes that's right", "that's right", "thats right", "all correct", "correct",
                   "looks good", "looks right", "all good", "that is right", "that's correct",
                   "yes correct", "perfect", "spot on", "confirm", "confirmed", "yes",
                   "yep", "yeah", "yup", "y", "right", "all right", "alright", "yes all correct",
                   "yes that's correct", "yes all good", "yes thats right", "thats correct",
                   "yes it is", "that's it", "thats it", "exactly", "sure", "ok", "okay",
                   "yes perfect", "yes looks good", "yes right", "👍")  # fmt: skip
CHANGE_PHRASES = ("change", "wrong", "incorrect", "not right", "mistake", "edit", "fix",
                  "correct an answer", "update", "to correct", "correction", "not correct",
                  "isn't right", "isnt right", "is wrong",
                  # "all right except the first one": one of them is not
                  "except the", "except for the", "apart from the", "all but the",
                  "except one", "except number", "except no")  # fmt: skip
# a confirmation that goes on ("yes, but ...") is not a plain confirmation
_ADDS_SOMETHING = re.compile(
    r"\b(?:but|except|forgot|forget|also|though|however|wait|actually|apart|only|besides|"
    r"although|oh and|one more|another thing|plus|and i|i'm on|im on|i take|i have|i've)\b"
)
# the yes/no/unsure buttons send these payloads
BUTTON_INTENTS = {"/affirm": YES, "/deny": NO, "/unsure": UNSURE}
# a message starting with one of these is a question, never an answer
QUESTION_WORDS = {
    "what", "what's", "whats", "why", "how", "when", "where", "who", "which", "whose", "is",
    "isn't", "isnt", "are", "aren't", "am", "does", "doesn't", "do", "did", "can", "could",
    "should", "would", "will", "shall", "may", "huh", "pardon",
}  # fmt: skip
_LEADING_NO = {"no", "nope", "nah", "n", "never", "none", "negative", "nop", "noo", "nein", "nee",
               "nowt"}  # fmt: skip
_LEADING_YES = {"yes", "yeah", "yep", "yup", "ya", "yea", "y", "sure", "definitely", "yes!", "yh",
                "yeh", "ye",
                "yess", "yesss", "ja", "si", "oui", "aye", "absolutely", "unfortunately",
                "sadly", "correct", "afraid"}  # fmt: skip
# Multi-word yeses that answer first and explain after: "I think so, my period is late"
_LEADING_YES_PHRASES = tuple(
    p for p in YES_PHRASES if " " in p and p not in ("i am", "i do", "i have", "i did")
)
_NEGATIVE_WORD = re.compile(
    r"\b(?:no|not|never|none|nothing|nowt|nope|nah|neither|nor|without|n't)\b|n't\b"
    r"|\b(?:dont|cant|wont|isnt|arent|havent|hasnt|didnt|doesnt|wasnt|werent|aint)\b"
)
# a yes said after the story: "my husband's telling everyone so I guess that's a yes"
_CALLS_IT_A_YES = re.compile(
    r"\b(?:that's|thats|that is|it's|its|it is|guess|suppose|so) (?:a )?(?:yes|yeah|yep|yup)\b"
)
_AFFIRMED = re.compile(
    r"(?<!that )\b(?:i (?:do|have|had|take|use|am on|got)|i'm on|im on|i've (?:got|had)"
    r"|ive (?:got|had)|i am|i'm|im)\b"
    r"(?! (?:not|never|no|none|any|nothing)\b)(?!$)"
)
_EMOJI = {"👍": " yes ", "👌": " yes ", "✅": " yes ", "👎": " no ", "❌": " no ",
          "🙅": " no ", "🤷": " not sure ", "🤔": " not sure ", "🤞": " fingers crossed ",
          # a pregnant person, a sick face, a syringe, a pill, a drop of blood, a germ, a
          # plaster: a yes to the question asked, the cautious reading
          "🤰": " yes ", "🫃": " yes ", "🫄": " yes ", "🤒": " yes ", "🤧": " yes ",
          "💉": " yes ", "💊": " yes ", "🩸": " yes ", "🦠": " yes ", "🩹": " yes "}  # fmt: skip
# a baby, a bottle, breastfeeding: a pregnancy, or a baby just born, so not sure ("🤫🍼",
# "shh not telling anyone yet 👶"); unless the words say the baby is born ("she arrived 3
# weeks ago 👶")
_BABY = re.compile("[👶🍼🤱]")
_BORN = re.compile(
    r"\b(?:arrived|born|newborn|weeks old|months old|wks old|delivered|had (?:her|him|the baby"
    r"|a baby|a boy|a girl)|postpartum|post partum|maternity leave|mat leave)\b",
    re.IGNORECASE,
)


# "no 👍", "nah all good 👌": a thumbs up after the words only signs them off
_CLOSING_THUMBS_UP = re.compile(r"[\s.!]*(?:[👍👌✅][\U0001F3FB-\U0001F3FF]?[\s.!]*)+$")


def _emoji_as_words(text: str) -> str:
    closing = _CLOSING_THUMBS_UP.search(text)
    if closing and re.search(r"[^\W\d_]", text[: closing.start()]):
        text = text[: closing.start()]
    for emoji, word in _EMOJI.items():
        text = text.replace(emoji, word)
    return _BABY.sub(" " if _BORN.search(text) else " not sure ", text)


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("`", "'").replace("‘", "'")
    text = re.sub(r"(?<=\d)[.,](?=\d)", ".", text)  # keep "6.5", drop other dots
    text = re.sub(r"[^\w'%\s.]|\.(?!\d)|(?<!\d)\.", " ", text)
    text = re.sub(r"(\w)\1{2,}", r"\1\1", text)  # "noooo" -> "noo", "yesss" -> "yess"
    return re.sub(r"\s+", " ", text).strip()


def _contains_phrase(text: str, phrases: Iterable[str]) -> bool:
    return any(re.search(rf"(?<![\w']){re.escape(p)}(?![\w'])", text) for p in phrases)


def without_fillers(clean: str) -> str:
    words = clean.split()
    while words and words[0] in FILLERS:
        words.pop(0)
    while words and words[-1] in FILLERS:
        words.pop()
    return " ".join(words)


def is_question(text: str) -> bool:
    """ "why do you ask?", "is aspirin a blood thinner?", "I have diabetes, is that ok?"."""
    clean = normalise(text)
    words = clean.split()
    if not words:
        return False
    if words[0] in QUESTION_WORDS and not clean.startswith(("could be", "who knows")):
        return True
    return (
        text.strip().endswith("?")
        and words[0] not in _LEADING_NO | _LEADING_YES
        and any(w in QUESTION_WORDS for w in words)
    )


_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i am|me|my)\b")


def speaks_of_self(text: str) -> bool:
    """ "I'm on warfarin, is that ok?" or "is it ok if I'm pregnant?", unlike "does
    it work for diabetics?"."""
    return bool(_FIRST_PERSON.search(normalise(text)))


# words of a runner who did not understand the question, not of one who answered it
_CONFUSED = frozenset(
    """understand understood mean meaning confused confusing sorry pardon repeat again
    huh what sense idea clue""".split()
)


# "ugh fine, go on then": the runner agrees to the questions, and says nothing else
_GO_ON = re.compile(
    r"\b(?:go (?:on|ahead|for it)|carry on|crack on|fire away|ask away|shoot|proceed|"
    r"get on with it|let ?s (?:go|do (?:it|this))|"
    r"ask (?:me |your |the |them |those |my |all )*(?:questions?|them|away|then|me)|i'?m ready)\b"
)
_GO_ON_WORDS = FILLERS | frozenset(
    """ugh urgh sigh fine alright alrighty then just whatever go on ahead carry crack fire
    away ask shoot proceed get with it lets let s do this me your questions question them
    those the my for yeah yes yep sure ready i im m go""".split()
)


def agrees_to_go_on(text: str) -> bool:
    clean = normalise(text)
    return bool(_GO_ON.search(clean)) and set(re.findall(r"[a-z]+", clean)) <= _GO_ON_WORDS


def states_something(text: str) -> bool:
    """Whether a message the screening could not read still says something (three
    words or more, no question, no confusion): "T1D, omnipod + dexcom", "in the
    pudding club, as me nan would say", unlike "huh?", "sorry, what do you mean" or
    "ugh fine, go on then"."""
    words = re.findall(r"[a-z0-9]+", normalise(text))
    return (
        len(words) >= 3
        and not is_question(text)
        and not _CONFUSED & set(words)
        and not agrees_to_go_on(text)
    )


def is_hedged(text: str) -> bool:
    """Whether the runner says they cannot be sure ("as far as I know", "afaik",
    "pretty sure", "I doubt it") or is trying to conceive: a denial in such a
    message is no plain no, whatever it names."""
    clean = normalise(_emoji_as_words(text))
    return bool(_hedge_in_answer(text) or _TRYING.search(clean))


def _hedge_in_answer(text: str) -> bool:
    """A hedge in the answer's sentence, or in a short sentence of its own."""
    said = [normalise(s) for s in sentences(_emoji_as_words(text).lower()) if normalise(s)]
    said = said or [normalise(text)]
    return bool(_HEDGE.search(said[0])) or any(
        _HEDGE.search(sentence)
        and (len(sentence.split()) <= _OWN_SENTENCE_WORDS or _DENIAL_WORD.search(sentence))
        for sentence in said[1:]
    )


def is_explicit_yes(text: str) -> bool:
    """A yes said as a yes ("yes", "yep I am"), not read from "I have ..."."""
    clean = normalise(text)
    core = without_fillers(clean)
    return bool(clean) and (
        core in YES_PHRASES or clean in YES_PHRASES or clean.split()[0] in _LEADING_YES
    )


_AT_THE_HALF = re.compile(
    r"\b((?:at|in|for|after|before|during|ran|run|running|did|racing) (?:the|a|my|this|that))"
    r" half\b(?! (?:of|an?|dose|tablet|pill|the)\b)"
)


# "arm's a bit stiff", "legs a little sore": how a body part feels, no doubt about the answer
_HOW_IT_FEELS = re.compile(
    r"\b(?:a bit|a little|kind of|sort of|kinda|sorta) (?:stiff|sore|achy|tight|tired|tender"
    r"|knackered|rusty|heavy|slow)\b"
)


def _is_unsure(clean: str) -> bool:
    clean = re.sub(r"\bhalf(?= (?:marathon|mara|ironman)\b)", " ", clean)  # a race, no hedge
    clean = _HOW_IT_FEELS.sub(" ", clean)
    clean = _AT_THE_HALF.sub(r"\1 race", clean)  # "bled into my sock at the half"
    return _contains_phrase(clean, UNSURE_PHRASES) or bool(_DOUBLE_NEGATIVE.search(clean))


# Hedges that also just describe something ("couldn't see for a bit", "a little sore"):
# a doubt only in the answer's own sentence or a short one of its own
_DESCRIBING_HEDGES = ("a bit", "a little", "kind of", "sort of", "kinda", "sorta")


# "no infection, its a bit tender after the hill reps": after a comma, a new subject (not
# the runner: "no, I've been a bit off colour") starts a statement of its own
_NEW_STATEMENT = re.compile(r",\s*(?=(?:it'?s|its|it is|it was|the|he|she|they|that'?s|thats)\b)")


def _answers_unsure(text: str, clean: str) -> bool:
    """_is_unsure, where a describing hedge counts only near the answer: "no infection.
    sweat in my eye so I couldn't see for a bit" is a no with a story."""
    if not _is_unsure(clean):
        return False
    said = [
        normalise(clause)
        for sentence in sentences(_emoji_as_words(text).lower())
        for clause in _NEW_STATEMENT.split(sentence)
        if normalise(clause)
    ]
    later = " ".join(s for s in said[1:] if len(s.split()) > _OWN_SENTENCE_WORDS)
    if not later:
        return True
    near = " ".join([said[0], *(s for s in said[1:] if len(s.split()) <= _OWN_SENTENCE_WORDS)])
    far_only = [p for p in _DESCRIBING_HEDGES if _contains_phrase(later, (p,))]
    return _is_unsure(near) or not far_only or _is_unsure(_without(later, far_only))


def _without(clean: str, phrases: Sequence[str]) -> str:
    for phrase in phrases:
        clean = re.sub(rf"\b{re.escape(phrase)}\b", " ", clean)
    return clean


def _is_plain_no(clean: str) -> bool:
    core = without_fillers(clean)
    if not core:
        return False
    first, *rest = core.split()
    return (
        core in PLAIN_NO
        or clean in PLAIN_NO
        or (first in _LEADING_NO and without_fillers(" ".join(rest)) in PLAIN_NO)
    )


# what may stand beside a plain no and a race countdown: "nope! 8 weeks out from the
# London marathon though"
_ASIDE_WORDS = frozenset("though tho btw but and fyi just mind lmao ha".split())


def _is_plain_no_beside_a_race(text: str) -> bool:
    """ "nope! 8 weeks out from the London marathon though": a plain no, and the time
    to a race, which says nothing about the runner's health."""
    remaining = _without_race_countdown(text)
    if remaining == text:
        return False
    words = normalise(remaining).split()
    while words and (words[-1] in _ASIDE_WORDS or words[-1] in FILLERS):
        words.pop()
    return _is_plain_no(" ".join(words))


def parse_yes_no(text: str) -> str | None:
    """The answer to a yes/no question, read conservatively.

    YES (also the litotes "I'd be lying if I said no"), UNSURE (hedges such as
    "not that I know of" or "pretty sure not", trying to conceive, double
    negatives, other litotes), NO only for a plain whole no ("nope", "none of
    these", "nope! 8 weeks out from the marathon"), CHECK for anything else that
    sounds like no ("not anymore", "no, but ..."), None when it is not an answer.
    """
    raw = text.strip().lower()
    if raw in BUTTON_INTENTS:
        return BUTTON_INTENTS[raw]
    text = _emoji_as_words(text)
    clean = normalise(text)
    if not clean or agrees_to_go_on(text):
        return None  # "yeah go ahead", "sure, go for it": yes to the questions, no answer
    if is_question(text) and not (
        clean.split()[0] not in QUESTION_WORDS and _contains_phrase(clean, UNSURE_PHRASES)
    ):
        return None  # "why do you ask", "is aspirin a blood thinner?"
    litotes = _LITOTES_YES.search(clean)
    if litotes:
        rest_of_it = clean[: litotes.start()] + " " + clean[litotes.end() :]
        if _CERTAINTY_AFTER.search(clean, litotes.start()) or _is_unsure(rest_of_it):
            return UNSURE  # "can't say no for sure", "I'd be lying if I said no, maybe"
        return YES
    if _LITOTES_OTHER.search(clean):
        return UNSURE  # "I'd be lying if I said yes": a litotes, no plain no
    if _is_plain_no(clean) or _is_plain_no_beside_a_race(text):
        return NO
    core = without_fillers(clean)
    first = (core.split() or clean.split())[0]
    if _hedge_in_answer(text) or (first not in _LEADING_YES and _TRYING.search(clean)):
        return UNSURE  # "not pregnant as far as I know", "not yet, we're trying"
    if core in SOUNDS_LIKE_NO or clean in SOUNDS_LIKE_NO:
        return CHECK
    if _answers_unsure(text, clean):
        return UNSURE
    if core in YES_PHRASES or clean in YES_PHRASES:
        return YES
    words = core.split() or clean.split()
    first, rest = words[0], " ".join(words[1:])
    negative = bool(_NEGATIVE_WORD.search(clean))
    if any(clean.startswith(p + " ") for p in _LEADING_YES_PHRASES):
        first = "yes"  # "I think so, my period is late": the answer comes first
    if first in _LEADING_YES:
        # "Yes! Never been so happy": a yes with negative words later is still a
        # yes, unless the runner then answers no ("yes... no wait, no")
        if re.search(r"\b(?:no|nope|nah)\b", rest):
            return UNSURE
        return YES
    if re.search(r"\b(?:yes|yeah|yep|yup|y)\b", clean) and re.search(
        r"\b(?:no|nope|nah|n)\b", clean
    ):
        return UNSURE  # "NO... I mean yes", "ha, no... well, yes", "N N N Y"
    if _CALLS_IT_A_YES.search(clean):
        return UNSURE if negative else YES  # "so I guess that's a yes", after the story
    if first in _LEADING_NO or negative:
        return CHECK  # sounds like no, but is more than a plain no
    if (
        re.match(r"^(i|i'm|im|i am|i've|ive)\b", clean)
        and len(words) <= 10
        and not re.search(r"\bquestions?\b", clean)
    ):
        # "I have haemophilia", "I'm a guy lol": what it names decides
        # (clinic_assistant.screening.volunteered); alone it is only checked
        return CHECK
    return None


_NUMBER_WORDS = "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_DURATION = re.compile(
    rf"(?<![\w.])(?:(?P<digits>\d+(?:\.\d+)?)\s*|(?P<word>{_NUMBER_WORDS})\s+)"
    r"(?P<half>and a half\s+)?"
    r"(?P<unit>weeks?|wks?|w|months?|mths?|mnths?|mos?)\b"
)
_TRIMESTER = re.compile(
    r"\b(?P<which>first|1st|second|2nd|third|3rd|one|two|three|[123])\s*(?:trimester|tri)\b"
    r"|\btrimester\s*(?P<which2>one|two|three|[123])\b"
)
_UNIT = r"(?:weeks?|wks?|w|months?|mths?|mnths?|mos?)\b"
_NUMBER = rf"(?:\d+(?:\.\d+)?|{_NUMBER_WORDS})"
# "past the first trimester" is the second one, unless it is negated or not yet
_FIRST_TRIMESTER_DONE = re.compile(
    r"\b(?:past|after|beyond|more than|over|out of|finished|done with|through|completed)"
    r" (?:the |my )?(?:first|1st) (?:trimester|tri)\b"
)
_NOT_YET = re.compile(
    r"\b(?:not|n't|never|haven't|havent|hasn't|hasnt|isn't|isnt|not yet|almost|nearly|about to"
    r"|soon|still|yet to|until|till|before)\b"
)
_EARLY_WORDS = re.compile(
    r"\b(?:just found out|very early|only just|early days|just pregnant|a few weeks"
    r"|couple of weeks|couple weeks|few weeks)\b"
)
# how long the complaint has lasted is not the pregnancy stage: "calf pain for 2 months",
# "since 3 weeks", "6 weeks ago" (but "pregnant for 10 weeks" is)
_COMPLAINT_DURATION = re.compile(
    r"(?<!pregnant )\b(?:for|since)"
    rf"(?:\s+(?:the|last|past|about|around|almost|nearly|over|a|few|couple|of|and|half|{_NUMBER}))+"
    rf"\s*{_UNIT}|{_NUMBER}\s*{_UNIT}\s+ago\b"
)
# "12-14 weeks", "between 12 and 14 weeks", "twelve or thirteen weeks"
_RANGE = re.compile(
    rf"(?<![\w.])(?P<low>{_NUMBER})\s*(?:to|or|and|-|\s)\s*(?P<high>{_NUMBER})\s*(?P<unit>{_UNIT})"
)
_COMPOUND = re.compile(r"\b(twenty|thirty) (one|two|three|four|five|six|seven|eight|nine)\b")
# "week 14" is the 14th week to some and "14 weeks" to pregnancy apps: both, kept as a
# range ("13 to 14 weeks"), so the earliest reading counts
# ... unless it is some other week: "my first week back running", "week 3 of my plan"
_OTHER_WEEK_AFTER = (
    r"(?!\s+(?:back|off|running|training|of (?!(?:my |the |this )?(?:pregnancy|gestation|40"
    r"|forty)\b)))"
)
_WEEK_NUMBER = re.compile(rf"\b(?:week|wk)\s+(?P<n>\d+)\b{_OTHER_WEEK_AFTER}")
# An ordinal week or month: the 10th week runs from 9 weeks 0 days to 9 weeks 6 days,
# 9 completed weeks; the 5th month is 4 to 5 months.
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20,
}  # fmt: skip
_ORDINAL_PERIOD = re.compile(
    r"\b(?:(?P<n>\d{1,2})(?:st|nd|rd|th)|(?P<word>"
    + "|".join(_ORDINAL_WORDS)
    + r"))\s+(?P<unit>week|wk|month|mth)\b"
    + _OTHER_WEEK_AFTER
)
# The obstetric notation: "9+6" is 9 weeks and 6 days, 9 completed weeks; also "9w6d",
# "9 weeks + 6 days", and the "10/40" of the maternity notes (10 of 40 weeks).
_PLUS_DAYS = re.compile(
    r"(?<![\w.+/])(?P<weeks>\d{1,2})\s*(?:weeks?|wks?|w)?\s*\+\s*[0-6]\s*(?:days?|d)?(?![\w+/.])"
    r"|(?<![\w.+/])(?P<weeks2>\d{1,2})\s*(?:weeks?|wks?|w)\s*[0-6]\s*(?:days?|d)\b"
)
_OF_FORTY = re.compile(r"(?<![\w.+/])(?P<weeks>\d{1,2})(?:\s*\+\s*[0-6])?\s*/\s*40\b")
# The time to a race or through a training plan is no pregnancy stage: "8 weeks out from
# the London marathon", "marathon in 8 weeks", "week 5 of my marathon plan". Read in
# the runner's own words (commas and full stops break it, so "8 weeks, before the race"
# stays a stage), and never across a pregnancy word.
_RACE = (
    r"(?:race|races|racing|marathon|marathons|ultra|ultramarathon|half marathon|half|10k|5k"
    r"|parkrun|park run|triathlon|ironman|duathlon|event|competition|comp|relay"
    r"|championships?|race day|raceday|taper|10 miler|10 mile race|plan|programme|program"
    r"|training|training block|block|c25k|couch to 5k)"
)
_NOT_PREGNANCY_WORD = r"(?!(?:preg|pregnant|pregnancy|along|gone|baby|due|scan)\b)[\w'.]+\s+"
_COUNTED = rf"(?<![\w.])(?:\d+(?:\.\d+)?|{'|'.join(_WORD_NUMBERS)})\s*-?\s*{{unit}}"
_RACE_COUNTDOWN = re.compile(
    # "8 weeks out from the London marathon", "8 weeks to go until my race", "12 weeks
    # into marathon training", "8 weeks before the half"
    _COUNTED.format(unit=r"(?:weeks?|wks?|w|months?|mths?|mnths?|mos?)")
    + r"\s+(?:(?:out|away|to go|left|remaining|off)\s+)?"
    r"(?:from|until|till|til|'til|to|before|ahead of|of|into|in|on)\s+"
    rf"(?:{_NOT_PREGNANCY_WORD}){{0,4}}?{_RACE}\b"
    # "marathon in 8 weeks", "the race is 8 weeks away"
    rf"|\b{_RACE}\s+(?:(?:is|'s|s|are|will be|coming up|comes up|happens|takes place)\s+)?"
    r"(?:in\s+)?(?:(?:about|around|just|only|roughly|exactly|under|less than|over|like"
    r"|another)\s+)?"
    + _COUNTED.format(unit=r"(?:weeks?|wks?|w|months?|mths?|mnths?|mos?)\b")
    + r"(?!\s+(?:pregnant|preg|along|gone|in|into)\b)(?:\s+(?:away|from now|to go|out|time))?"
    # "a 12 week marathon plan", "16-week training block"
    + "|"
    + _COUNTED.format(unit=r"(?:weeks?|wks?|w)")
    + rf"\s+(?:{_NOT_PREGNANCY_WORD}){{0,2}}?(?:plan|programme|program|block|schedule|cycle"
    r"|build|build up|buildup|training)\b"
    # "week 5 of my marathon plan", "week 3 of c25k"
    rf"|\b(?:week|wk)\s+\d+\s+(?:of|into|in)\s+(?:{_NOT_PREGNANCY_WORD}){{0,3}}?{_RACE}\b"
)


def _without_race_countdown(text: str) -> str:
    lowered = text.lower().replace("’", "'").replace("‘", "'")
    return _RACE_COUNTDOWN.sub(" ", lowered) if _RACE_COUNTDOWN.search(lowered) else text


def _obstetric_weeks(text: str) -> str:
    """ "9+6" and "10/40" as completed weeks ("9 weeks", "10 weeks")."""

    def weeks(match: re.Match) -> str:
        number = int(match.group("weeks") or match.group("weeks2"))
        return f" {number} weeks " if 0 < number <= 42 else match.group(0)

    text = _OF_FORTY.sub(weeks, text)
    return _PLUS_DAYS.sub(weeks, text)


def _ordinal_stage(match: re.Match) -> str:
    number = int(match.group("n") or _ORDINAL_WORDS[match.group("word")])
    unit = "weeks" if match.group("unit").startswith("w") else "months"
    if number <= 1:
        return f"up to 1 {unit[:-1]}"
    if unit == "weeks":
        return f"{number - 1:g} {'weeks' if number - 1 != 1 else 'week'}"
    return f"{number - 1:g} to {number:g} months"


_TWO_WEEK_WAIT = re.compile(r"\b(?:two|2)[\s-]*weeks?[\s-]*wait\b", re.IGNORECASE)
# "my period is a week late", "im a couple of weeks late": how late a period is, no stage
_LATE_BY = re.compile(
    r"\b(?:a|an|a few|a couple of|couple of|\d+|one|two|three|four|five|six|seven|eight|nine"
    r"|ten)\s+(?:days?|weeks?|wks?)\s+late\b",
    re.IGNORECASE,
)
# "13+6, so basically 14 weeks": rounding up, not a correction
_ROUNDING = re.compile(
    r"\bso (?:basically|actually|really|technically|effectively|practically|pretty much"
    r"|more or less|near enough|roughly)\b"
)
# words before a length of time that change what it means
_QUALIFIER_BEFORE = {
    "upper": r"(?:up to|less than|under|below|within|fewer than|not yet|no more than|"
    r"not more than|at most|before|in the first|inside the first|within the first|"
    r"in my first|not even)",
    "lower": r"(?:more than|over|past|beyond|after|at least|longer than|passed|gone|later than)",
    "nearly": r"(?:nearly|almost|not quite|just under|coming up to|approaching|close to|"
    r"getting on for|nearing)",
    # an opinion is no count: "I think 14 weeks", "like 14", "should be 14 weeks"
    "about": r"(?:about|around|roughly|approximately|approx|circa|maybe|probably|something like"
    r"|give or take|like|prob|probs|i think|i think it's|i think its|think it's|think its"
    r"|i guess|i reckon|i believe|should be|i'd say|id say|guessing|must be)",
    "to_go": r"(?:due in|baby due in|due date in|due date is in|birth in|due within)",
}
_QUALIFIER_AFTER = {
    "to_go": r"(?:to go|left|remaining|until|till|til|before (?:the|my|our) (?:baby|due)|away)",
    # "14 weeks i think", "14 wks if my maths is right"
    "about": r"(?:ish|or so|give or take|roughly|approx|i think|i reckon|i believe|i guess"
    r"|i'm guessing|im guessing|maybe|probably|prob|if my maths|if my math|if i've counted"
    r"|if ive counted|if i counted|by my reckoning|apparently|supposedly|or something)",
}
# "15 weeks, sorry, 11": the later value is the correction
_CORRECTION = re.compile(
    r"\b(?:sorry|i mean|i meant|actually|no wait|wait|hang on|hold on|correction|scratch that"
    r"|make that|oops"
    r"|rather|typo|my bad|i mean to say|no sorry|no i mean)\b"
)


_COUNTING_WORDS = "|".join(w for w in _WORD_NUMBERS if w not in ("a", "an", "half"))
_BARE_CORRECTION = re.compile(
    r"\b(?:sorry|i mean|i meant|no wait|wait|hang on|hold on|correction|make that|oops|rather"
    r"|typo|my bad)"
    r"(?:\s+(?!\d)[\w']+){0,5}?"
    rf"\s+(?:(?P<digits>\d+(?:\.\d+)?)|(?P<word>{_COUNTING_WORDS}))"
    rf"\b(?!\s*{_UNIT})"
)


def _amount(match: re.Match, group: str = "digits", word_group: str = "word") -> float:
    return float(match.group(group) or _WORD_NUMBERS[match.group(word_group)])


def _duration_stages(clean: str) -> List[Tuple[int, str]]:
    stages = []
    for match in _DURATION.finditer(clean):
        amount = _amount(match) + (0.5 if match.group("half") else 0)
        unit = "weeks" if match.group("unit").startswith("w") else "months"
        if not 0 < amount <= (42 if unit == "weeks" else 10):
            continue  # not a plausible pregnancy stage
        value = f"{amount:g} {unit if amount != 1 else unit[:-1]}"
        before, after = clean[: match.start()], clean[match.end() :]
        kind = next(
            (k for k, words in _QUALIFIER_AFTER.items() if re.match(rf"\s*{words}\b", after)),
            None,
        ) or next(
            (
                k
                for k, words in _QUALIFIER_BEFORE.items()
                if re.search(rf"\b{words}\s+(?:the\s+|my\s+|a\s+|about\s+)?$", before)
            ),
            None,
        )
        stage = {
            "upper": f"up to {value}",
            "lower": f"more than {value}",
            "nearly": f"nearly {value}",
            "about": f"about {value}",
            "to_go": f"{value} to go",
        }.get(kind or "", value)
        stages.append((match.start(), stage))
    return stages


def _earliest_week(stage: str) -> float:
    weeks = pregnancy_week_range(stage)
    return weeks[0] if weeks else -1.0


# a stage still to come ("14 weeks tomorrow", "I'll be 14 weeks by race day"): today's
# is up to two weeks (or a month) earlier
_FUTURE_STAGE = re.compile(
    r"\b(?:tomorrow|tmrw|next (?:week|month)|on (?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"|by (?:race day|the race|then|the weekend|next \w+)|in a (?:week|fortnight|few days)"
    r"|in (?:a couple of|\d+|two|three|four|five|six) (?:days|weeks)"
    r"|i'll be|ill be|i will be|will be|going to be|gonna be)\b"
)
_EXACT_STAGE = re.compile(r"^(?P<n>\d+(?:\.\d+)?) (?P<unit>weeks?|months?)$")


_EARLIER_BIRTH = re.compile(
    r"\b(?:my |our |the )?(?:first|eldest|oldest|older|last|other|previous|1st|son|daughter"
    r"|boy|girl|little one)(?: one| baby| child| kid| pregnancy)? (?:came|was born|arrived"
    r"|was delivered|was early|came early|were born|was induced|turned up)\b"
)
_BARE_WEEKS_NOW = re.compile(
    r"\b(?:i'?m|im|i am)(?: only| just| actually)? (?P<n>\d{1,2}) (?:now|at the moment|today|currently)\b"
)
# A trimester still to come: "second trimester starts on monday" is the first one now
_TRIMESTER_TO_COME = re.compile(
    r"\btrimester (?:starts|begins|starting|beginning|kicks in|is on|from)\b"
    r"|\b(?:start|starting|begin|beginning|enter|entering|into|be in) (?:my |the )?"
    r"(?:second|2nd|third|3rd) trimester (?:on|next|tomorrow|in|this|from|at|soon)\b"
)


def parse_pregnancy_stage(text: str) -> str | None:
    """The stage as `_stage_said` reads it, moved earlier when it is still to come."""
    # "15 is the week I'll be at when the race is on, I'm 11 now": weeks named, and the
    # stage now as a number without its unit, which is the one that counts
    clean = normalise(text)
    bare = _BARE_WEEKS_NOW.search(clean)
    if bare and re.search(r"\bweeks?\b", clean):
        return f"{bare['n']} weeks"
    stage = _stage_said(text)
    exact_said = _EXACT_STAGE.match(stage or "")
    if exact_said and _EARLIER_BIRTH.search(clean):
        # "my first came early at 30 weeks": an earlier baby's, not this pregnancy's stage
        births = [
            c
            for c in re.split(r"[,;.!?\n]", text.lower())
            if re.search(rf"\b{exact_said['n']}\b", c) and _EARLIER_BIRTH.search(normalise(c))
        ]
        if births:
            return None
    trimester = re.fullmatch(r"trimester (\d)", stage or "")
    if trimester and int(trimester[1]) > 1 and _TRIMESTER_TO_COME.search(normalise(text)):
        return f"trimester {int(trimester[1]) - 1}"
    exact = _EXACT_STAGE.match(stage or "")
    if not exact:
        return stage
    number = float(exact["n"])
    # the clause of the stage, not of a race: "8 weeks pregnant, half marathon in 6 weeks"
    clauses = [normalise(c) for c in re.split(r"[,;.!?\n]", text.lower())]
    said_in = [c for c in clauses if re.search(rf"\b{exact['n']}\b", c)] or clauses
    if not any(_FUTURE_STAGE.search(c) for c in said_in):
        return stage
    unit = "weeks" if exact["unit"].startswith("week") else "months"
    earlier = max(number - (2 if unit == "weeks" else 1), 0)
    if earlier:
        return f"{earlier:g} to {number:g} {unit}"
    return f"up to {number:g} {unit if number != 1 else unit[:-1]}"


def _stage_said(text: str) -> str | None:
    """A normalised stage ("8 weeks", "about 14 weeks", "26 weeks to go", "trimester 2"),
    "unsure", or None when the text gives no stage.

    Several stages in one message: a correction ("15 weeks, sorry, 11") takes the
    later one; otherwise the most cautious (the earliest week) wins, so that "11
    weeks, so second trimester" counts as 11 weeks.
    """
    said = _obstetric_weeks(_without_race_countdown(text))
    said = _TWO_WEEK_WAIT.sub(" ", said)  # the wait for a pregnancy test, no stage
    if _LATE_BY.search(said):
        return UNSURE  # "a week late": a pregnancy not yet known, of no known stage
    clean = normalise(re.sub(r"\s*(?:½|\b1/2\b)", " and a half", said))
    clean = _COMPLAINT_DURATION.sub(" ", clean)
    clean = _COMPOUND.sub(lambda m: str(_WORD_NUMBERS[m[1]] + _WORD_NUMBERS[m[2]]), clean)
    stages: List[Tuple[int, str]] = []
    for match in _ORDINAL_PERIOD.finditer(clean):
        stages.append((match.start(), _ordinal_stage(match)))
        clean = clean[: match.start()] + " " * (match.end() - match.start()) + clean[match.end() :]
    for match in _RANGE.finditer(clean):
        low, high = match.group("low"), match.group("high")
        low_n = float(_WORD_NUMBERS.get(low, 0) or low)
        high_n = float(_WORD_NUMBERS.get(high, 0) or high)
        unit = "weeks" if match.group("unit").startswith("w") else "months"
        if low not in ("a", "an", "half") and 0 < low_n < high_n:
            stages.append((match.start(), f"{low_n:g} to {high_n:g} {unit}"))
            clean = (
                clean[: match.start()] + " " * (match.end() - match.start()) + clean[match.end() :]
            )
    for match in _FIRST_TRIMESTER_DONE.finditer(clean):
        not_yet = _NOT_YET.search(clean[max(0, match.start() - 25) : match.start()])
        stages.append((match.start(), "trimester 1" if not_yet else "trimester 2"))
        clean = clean[: match.start()] + " " * (match.end() - match.start()) + clean[match.end() :]
    for match in _TRIMESTER.finditer(clean):
        stages.append((match.start(), f"trimester {_ORDINALS[match['which'] or match['which2']]}"))
    for match in _WEEK_NUMBER.finditer(clean):
        number = float(match["n"])
        if 0 < number <= 42:
            stage = f"{number - 1:g} to {number:g} weeks" if number > 1 else "up to 1 week"
            stages.append((match.start(), stage))
        clean = clean[: match.start()] + " " * (match.end() - match.start()) + clean[match.end() :]
    durations = _duration_stages(clean)
    stages += durations
    if durations:  # "15 weeks, sorry, 11": the correction keeps the unit
        unit = durations[-1][1].split()[-1].rstrip("s") + "s"
        for match in _BARE_CORRECTION.finditer(clean, durations[-1][0]):
            amount = _amount(match, "digits", "word")
            position = match.start("digits") if match.group("digits") else match.start("word")
            stages.append((position, f"{amount:g} {unit if amount != 1 else unit[:-1]}"))
    early = _EARLY_WORDS.search(clean)
    if early:
        stages.append((early.start(), "trimester 1"))
    if not stages:
        return UNSURE if parse_yes_no(text) == UNSURE else None
    stages.sort()
    distinct = list(dict.fromkeys(stage for _, stage in stages))
    if len(distinct) == 1:
        return distinct[0]
    between = _ROUNDING.sub(" ", clean[stages[0][0] : stages[-1][0]])
    if _CORRECTION.search(between):
        return stages[-1][1]
    return min(distinct, key=_earliest_week)


def parse_confirmation(text: str, yes_title: str = "", change_title: str = "") -> str | None:
    """yes (answers are right), no (something to change), or None.

    Only a plain confirmation counts: "yes, but I forgot ..." adds something, so
    it is not a yes (the form also reads the message for new facts). The whole
    message being a button's title (clinic/screening.yml, which staff may
    rename; a tap sends the title) counts as that button, the change first.
    """
    text = _emoji_as_words(text)
    clean = normalise(text)
    if change_title and clean == normalise(_emoji_as_words(change_title)):
        return NO
    if yes_title and clean == normalise(_emoji_as_words(yes_title)):
        return YES
    if _contains_phrase(clean, CHANGE_PHRASES):
        return NO
    if _ADDS_SOMETHING.search(clean):
        return None
    if without_fillers(clean) in CONFIRM_PHRASES or clean in CONFIRM_PHRASES:
        return YES
    if agrees_to_go_on(text):
        return YES  # "yes go ahead" under the summary: the answers are right, go on
    answer = parse_yes_no(text)
    return answer if answer in (YES, NO) else None
