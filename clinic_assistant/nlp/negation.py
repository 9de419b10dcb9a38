"""A spaCy component that marks how each entity was put: denied, uncertain, about
someone else, or only hypothetical.

Screening answers arrive as free text ("I'm not pregnant and I don't have
diabetes"). The reading is conservative (clinic safety principles 2 and 3): a
mention counts as denied only when a negation cue stands in the same clause with
nothing but "bridge" words between the cue and the entity ("not on warfarin",
"no diabetes or lymphoedema", "never been diagnosed with diabetes"). A negative
word that governs something else ("I never skip my rivaroxaban"), two negations
("not not pregnant"), litotes ("can't rule it out") and hedges ("I don't think
I'm pregnant") make the mention uncertain, never denied.
"""

from __future__ import annotations

import re
from typing import List, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

NEGATION_CUES = {"no", "not", "n't", "never", "without", "none", "neither", "nor", "nope", "nt",
                 "dont", "cant", "havent", "isnt", "aint", "nothing", "nah", "nowt"}  # fmt: skip
# Words that may stand between a negation cue and what it denies.
BRIDGE_WORDS = {
    "i", "i'm", "im", "'m", "am", "be", "been", "being", "is", "'s", "are", "was", "were", "do",
    "does", "did", "have", "has", "had", "'ve", "got", "get", "take", "taking", "takes", "use",
    "using", "on", "any", "a", "an", "the", "my", "some", "ever", "currently", "at", "all",
    "diagnosed", "with", "suffer", "suffering", "from", "having", "really", "kind", "sort",
    "type", "of", "and", "or", "nor", "neither", "no", "not", "n't", "never", "none", "either",
    "also", "actually", "definitely", "certainly", "even", "anything", "like", "that", "known",
    "history", "issues", "problems", "issue", "problem", "yet", "right", "now", "moment",
    "tested", "positive", "for", "1", "2", "one", "two", "other",
    "blood",  # "no blood thinnerz": a typo matches only the last word of "blood thinners"
}  # fmt: skip
# Multi-token cues that make a mention uncertain rather than denied. Litotes and
# hedges ("can't rule it out", "I don't think I'm ...") belong here.
UNCERTAIN_CUES: Sequence[Tuple[str, ...]] = (
    ("not", "sure"), ("n't", "know"), ("not", "know"), ("no", "idea"), ("not", "certain"),
    ("unsure",), ("maybe",), ("perhaps",), ("possibly",), ("might",), ("could", "be"),
    ("dunno",), ("idk",), ("no", "clue"), ("n't", "remember"), ("not", "remember"),
    ("think",), ("guess",), ("suppose",), ("believe",), ("probably",), ("likely",),
    ("unlikely",), ("rule",), ("exclude",), ("impossible",), ("possible",), ("may",),
    ("chance",), ("suspect",), ("wonder",), ("hope",), ("hoping",), ("trying",), ("test",),
    ("waiting",), ("results",), ("borderline",), ("pre",), ("prediabetic",), ("bit",),
    ("kinda",), ("sort", "of"), ("kind", "of"),
)  # fmt: skip
# A condition in a clause that starts with one of these is not a fact about the
# runner: "if I'm pregnant", "in case of diabetes", "what if I take aspirin".
HYPOTHETICAL_CUES = {"if", "whether", "case", "suppose", "supposing", "hypothetically"}
# what a monitor does "if" something happens: a fact about the runner, no hypothesis
# (volunteered.py reads a glucose monitor's alarm with the same words)
ALARM_WORDS = {"beeps", "beep", "beeped", "buzzes", "buzz", "buzzed", "alarms", "alarm", "alarmed",
               "alerts", "alert", "alerted", "vibrates", "vibrate", "vibrated", "warns", "warn",
               "warned", "pings", "ping", "pinged", "off"}  # fmt: skip
# A condition that belongs to someone else: "my wife is pregnant", "she's diabetic".
OTHER_PEOPLE = {
    "she", "he", "her", "his", "him", "they", "their", "she's", "he's", "shes", "hes",
    "wife", "husband", "partner", "girlfriend", "boyfriend", "daughter", "son", "mum", "mom",
    "mother", "dad", "father", "sister", "brother", "friend", "mate", "kid", "kids", "child",
    "children", "colleague", "client", "patient", "fiance", "fiancee", "grandma", "grandad",
    "grandmother", "grandfather", "aunt", "uncle", "niece", "nephew", "teammate", "coach",
    "someone", "somebody", "people", "woman", "women", "wife's", "husband's", "partner's",
    "buddy", "pal", "mates", "clubmate", "neighbour", "neighbor", "boss", "colleagues",
    "friends", "others", "everyone", "anyone", "runners",
    # a pet's condition is no more the runner's: "my dog's diabetic"
    "toddler", "toddlers", "stepson", "stepdaughter", "youngest", "eldest",
    "dog", "dog's", "dogs", "cat", "cat's", "cats", "horse", "horse's", "pup", "puppy",
    "pony", "kitten", "pet", "pets", "pet's", "greyhound", "greyhound's", "whippet", "lurcher",
    "spaniel", "labrador", "collie", "terrier",
}  # fmt: skip
# "the only one on blood thinners in our house is my greyhound": named after the condition
_ME = {"me", "i", "myself", "i'm", "im"}
_THE_ONE_WITH = re.compile(r"\bones? (?:on|with|who|that)\b")
# "(clopidogrel for his heart)": the body the medicine or condition is for is someone
# else's, when the message names who ("the cat", "my dad", "🐶"); with only a pronoun it may
# be the runner's own ("yours truly ... for her stent", "Big Dave ... for his AF"): unsure
_FOR_SOMEONE = re.compile(r"^\s*(?:for|to treat|to help|to protect) (?:his|her|their) \w")
_PRONOUNS = {"she", "he", "her", "his", "him", "they", "their", "she's", "he's", "shes", "hes"}
_PET_EMOJI = {"🐶", "🐕", "🐱", "🐈", "🐴", "🐎", "🐩", "🦮"}
_IS_SOMEONE = re.compile(
    r"^(?:[\w']+\s+){0,4}?(?:is|was|are|'s)\s+(?:my|our|the|his|her)\s+([\w']+)"
)
# "my little one", "the wee one", "our youngest one": a child
_CHILD_WORDS = {"little", "wee", "youngest", "eldest", "oldest"}
# What stands between the items of a list: "diabetes, lymphoedema or a weak immune system"
LIST_SEPARATORS = {",", "or", "nor", "and", "&", "/", "a", "an", "any", "the", "some"}
_SHARED = re.compile(
    r"\b(?:(?:so|as) (?:do|have|am|is|was|did) i|me too|me as well|like me|same (?:here|as me|for me|with me)"
    r"|(?:in )?(?:the )?same (?:boat|situation|position)"
    r"|snap|me included|including me|myself included|myself too"
    # "the gp put me on it too"
    r"|me on (?:it|them|that|the same)(?: one| stuff)? (?:too|as well)"
    r"|both of us|i(?:'ve|ve| have)(?: got)? the same"
    # "I'm positive too", "I take it as well"; not "I'm fine too"
    r"|i(?:'m|m| am| do| have|'ve|ve| take| use)"
    r"(?! (?:fine|ok|okay|good|healthy|clear|not|all|alright|well)\b)(?: [\w']+){0,2} (?:too|as well))\b"
)
# "but I'm not in the same boat"; not "never thought I'd be in the same boat"
_NOT_BEFORE = re.compile(r"\b(?:not|n't|never)\s*$")


def _shares_it(after: str) -> bool:
    return any(not _NOT_BEFORE.search(after[: m.start()]) for m in _SHARED.finditer(after))


FIRST_PERSON = {"i", "i'm", "im", "me", "my", "myself", "mine", "i've", "ive", "'m"}
# People who cannot be the one pregnant: in "my husband's convinced it's a boy with how
# bad the morning sickness is" the pregnancy is the runner's, or may be.
CANNOT_BE_PREGNANT = {"he", "he's", "hes", "him", "his", "husband", "husband's", "boyfriend",
                      "dad", "father", "brother", "son", "grandad", "grandfather", "uncle",
                      "nephew", "fiance"}  # fmt: skip
# "me and my brother both have haemophilia", "me and the husband are expecting":
# the runner is one of those named
_WITH_ME = re.compile(r"\b(?:me and|and me|and i|i and|we're|we've|we are|both)\b")
# "my dog's diabetic so I'm a dab hand with insulin pens": the runner's skill with
# someone else's medicine, not their own medicine
_SKILLED_WITH = re.compile(
    r"\b(?:dab hand|good|handy|experienced|expert|a pro|an expert|practised|practiced|"
    r"used to|familiar)\s+(?:with|at|to)\s+(?:\w+\s+){0,2}$"
)
# "coach says the Xarelto shouldn't matter": what someone says is about the runner
# unless it names someone again ("my wife says she is pregnant")
REPORTING_VERBS = {"says", "said", "say", "thinks", "think", "thought", "reckons", "reckon",
                   "reckoned", "told", "tells", "insists", "swears"}  # fmt: skip
CLAUSE_BREAKS = {",", ";", ".", "!", "?", ":", "(", ")", "but", "however", "although", "though",
                 "except", "yet", "whereas", "while", "apart", "because", "cause", "coz",
                 "so", "also", "plus"}  # fmt: skip
# "and"/"or" start a new clause only when a new subject or verb follows: "and I have ...",
# "I'm not pregnant and have diabetes" (but "no diabetes or lymphoedema" is one clause)
NEW_SUBJECTS = {"i", "i'm", "im", "we", "she", "he", "my", "it", "they", "you"}
NEW_VERBS = {"have", "has", "had", "take", "taking", "am", "'m", "got", "get", "use", "using",
             "do", "did", "was", "suffer", "also", "'ve"}  # fmt: skip
# "no" straight before a new subject answers something else: "no I have diabetes"
INTERJECTIONS = {"no", "nope", "nah"}
ANSWER_SEPARATORS = {":", "-", "?", "=", "–", "—"}
TIME_WORDS = {"right", "now", "currently", "at", "moment", "atm", "present", "today"}
DENIALS_AFTER = {"no", "not", "none", "nope", "nah", "never", "negative", "n"}


def _is_clause_break(doc: Doc, index: int) -> bool:
    token = doc[index]
    text = token.lower_
    if text in CLAUSE_BREAKS or token.is_sent_start and index > 0:
        return True
    if "\n" in token.text or "\n" in token.whitespace_:
        return True  # a new line is a new answer: "Pregnant: no\nBlood thinners: no"
    if text in {"and", "or", "&"} and index + 1 < len(doc):
        return doc[index + 1].lower_ in NEW_SUBJECTS or doc[index + 1].lower_ in NEW_VERBS
    return False


def _clause_start(doc: Doc, entity: Span) -> int:
    index = entity.start - 1
    while index >= 0 and not _is_clause_break(doc, index):
        index -= 1
    return index + 1


def _clause_end(doc: Doc, entity: Span) -> int:
    index = entity.end
    while index < len(doc) and not _is_clause_break(doc, index):
        index += 1
    return index


def _matches_at(tokens: List[Token], position: int, cue: Tuple[str, ...]) -> bool:
    window = tokens[position : position + len(cue)]
    return len(window) == len(cue) and all(t.lower_ == c for t, c in zip(window, cue, strict=False))


# a test result straight after what was tested: "HIV negative", "covid neg"
TEST_NEGATIVE = {"negative", "neg", "-ve"}
FINE_AFTER = {"fine", "ok", "okay", "good", "normal", "healthy", "great", "strong", "perfect"}
# Only a body system can be "fine" in the sense of "not a problem": "my diabetes is
# fine" says the runner has diabetes (a well-controlled one), so it is no denial.
SYSTEMS_THAT_CAN_BE_FINE = {"immune system", "platelet count", "platelets"}


def _denied_after(doc: Doc, entity: Span) -> bool:
    """`pregnant: no`, `diabetes - none`, `blood thinners? no`, `immune system is fine`,
    `HIV negative` (a test result)."""
    index = entity.end
    if (
        index < len(doc)
        and doc[index].lower_ in TEST_NEGATIVE
        and (index + 1 >= len(doc) or _is_clause_break(doc, index + 1))
    ):
        return True
    if (
        entity.text.lower() in SYSTEMS_THAT_CAN_BE_FINE
        and index + 1 < len(doc)
        and doc[index].lower_ in {"is", "are", "'s", "s", "'re", "was"}
        and doc[index + 1].lower_ in FINE_AFTER
    ):
        return index + 2 >= len(doc) or _is_clause_break(doc, index + 2)
    # "blood disease, bleeding disorder or blood thinners: no" (a list copied from the
    # questions), "infection right now: no"
    while index < len(doc) and (
        doc[index].ent_type_ or doc[index].lower_ in LIST_SEPARATORS | TIME_WORDS
    ):
        index += 1
    if index >= len(doc) or doc[index].lower_ not in ANSWER_SEPARATORS:
        return False
    while index < len(doc) and doc[index].lower_ in ANSWER_SEPARATORS:
        index += 1
    if index >= len(doc) or doc[index].lower_ not in DENIALS_AFTER:
        return False
    following = index + 1
    while following < len(doc) and doc[following].lower_ in _DENIAL_TAIL:
        following += 1  # "preggers? nope not me lol"
    return following >= len(doc) or _is_clause_break(doc, following)


# what may follow the denial and still end it: "preggers? nope not me lol"
_DENIAL_TAIL = {"not", "me", "lol", "haha", "thankfully", "definitely", "deffo"}


def _is_interjection(doc: Doc, token: Token, entity: Span) -> bool:
    """ "no I have diabetes": the "no" answers something else; in "no no, not
    pregnant" or "nope not diabetic" it only repeats the negation that follows."""
    if token.lower_ not in INTERJECTIONS or token.i + 1 >= entity.start:
        return False
    following = doc[token.i + 1].lower_
    return following in NEW_SUBJECTS or following in NEGATION_CUES


def _cleanly_negated(doc: Doc, cues: List[Token], entity: Span) -> bool:
    """One cue, and only bridge words (or other entities) between it and the entity, or
    a short list that ends in "or" before it."""
    if len(cues) != 1:
        return False  # a double negative ("not not pregnant")
    return all(
        token.lower_ in BRIDGE_WORDS or token.ent_type_
        for token in doc[cues[0].i + 1 : entity.start]
    ) or _negates_a_list(doc, cues[0], entity)


# Words that end a list the "no" governs: "no worries or anything but I had a fever"
_NOT_A_LIST = {
    "but", "just", "except", "only", "though", "although", "apart", "besides", "than",
    "because", "since", "until", "unless", "if", "when", "sure", "idea", "clue", "worries",
    "worry", "problem", "problems", "longer", "more", "anymore", "i", "i'm", "im", "we",
    "she", "he", "it", "they", "you",
}  # fmt: skip


# "not great tbh, sore throat or a cold coming on": the "not" says how they feel
_SAYS_HOW = {
    "great", "good", "well", "bad", "too", "so", "very", "really", "feeling", "felt", "feel",
    "best", "brilliant", "grand", "amazing", "ideal", "perfect", "ok", "okay", "fine", "much",
    "that", "quite", "sure", "100", "the",
}  # fmt: skip


def _negates_a_list(doc: Doc, cue: Token, entity: Span) -> bool:
    """ "no cough or fever", "no redness, swelling or fever": one "no" before a short list
    of plain words that ends "or <condition>" governs the condition too."""
    between = list(doc[cue.i + 1 : entity.start])
    if between and between[0].lower_ in _SAYS_HOW:
        return False
    while between and between[-1].lower_ in ("a", "an", "the", "any", "some"):
        between.pop()
    if not between or between[-1].lower_ not in ("or", "nor"):
        return False
    words = [t for t in between if t.is_alpha and t.lower_ not in BRIDGE_WORDS and not t.ent_type_]
    return (
        0 < len(words) <= 4
        and all(t.is_alpha or t.text == "," for t in between)
        and not any(t.lower_ in _NOT_A_LIST for t in between)
    )


def _list_cue_before_commas(doc: Doc, entity: Span) -> Token | None:
    """The "no" of "no redness, swelling or a fever": a cue before the commas of a short
    list of plain words whose last item is this condition (_negates_a_list decides)."""
    index = entity.start - 1
    while index >= 0 and entity.start - index <= 10:
        token = doc[index]
        if token.lower_ in NEGATION_CUES:
            following = doc[index + 1]
            if following.is_alpha and _negates_a_list(doc, token, entity):
                return token
            return None
        if not (token.is_alpha or token.text == ","):
            return None
        index -= 1
    return None


# Before a "no", the words that make it double a negation ("don't have no fever", "can't
# say no fever", "not sure no infection"), as the bridge words do ("not on no ..."); the
# nouns among the bridge words end an item ("no bleeding problems no infections")
_DOUBLES_A_NEGATION = {
    "say", "says", "said", "saying", "think", "thinking", "thought", "know", "knowing", "sure",
    "certain", "claim", "claiming", "promise", "guarantee", "swear", "reckon", "believe", "way",
    "chance", "doubt", "idea", "clue", "question", "reason", "there", "there's", "theres",
    "you", "percent", "per", "cent", "totally", "completely", "entirely",
}  # fmt: skip
# the bridge words that may stand inside an item: "not on any tablets no infections"
_LINKING_WORDS = {"on", "any", "a", "an", "the", "some", "my", "of", "for", "from", "at", "with"}
_NOUNS_AMONG_BRIDGE_WORDS = {"problem", "problems", "issue", "issues", "history", "moment"}


def _starts_the_next_item(doc: Doc, earlier: Token, cue: Token) -> bool:
    """ "no pain no infections", "not on any tablets no infections" (a voice keyboard's
    list without commas): a "no" after a short item of plain words starts the next item,
    so the earlier negation is no double negative of this one ("not 100 percent no
    infection" and "can't promise you no infection" are)."""
    between = doc[earlier.i + 1 : cue.i]
    doubling = (NEGATION_CUES | NEW_VERBS | set(REPORTING_VERBS) | _DOUBLES_A_NEGATION) | (
        BRIDGE_WORDS - _NOUNS_AMONG_BRIDGE_WORDS
    )
    return (
        cue.lower_ == "no"
        and 1 <= len(between) <= 4
        and all(t.is_alpha and t.lower_ not in doubling - _LINKING_WORDS for t in between)
        and between[-1].lower_ not in doubling
    )


def mark_entity(doc: Doc, entity: Span, previous: Span | None) -> None:
    """`previous` is the entity before this one in the same clause, if any: in "no
    diabetes or lymphoedema" the one "no" governs both."""
    start, end = _clause_start(doc, entity), _clause_end(doc, entity)
    clause = list(doc[start:end])
    # "no idea" and "can't rule it out" are cues of their own, not negations
    uncertain = any(
        _matches_at(clause, position, cue)
        for position in range(len(clause))
        for cue in UNCERTAIN_CUES
    )
    segment_start = previous.end if previous is not None else start
    cues = [
        t
        for t in doc[segment_start : entity.start]
        if t.lower_ in NEGATION_CUES and not _is_interjection(doc, t, entity)
    ]
    if len(cues) > 1 and _starts_the_next_item(doc, cues[-2], cues[-1]):
        cues = cues[-1:]
    if not cues and previous is None and (list_cue := _list_cue_before_commas(doc, entity)):
        cues = [list_cue]
    denied_after = _denied_after(doc, entity)
    negated = False
    if not uncertain:
        if cues and denied_after:
            uncertain = True  # "not pregnant? no" reads both ways
        elif cues:
            negated = _cleanly_negated(doc, cues, entity)
            uncertain = not negated  # a negation that governs something else
        elif (
            previous is not None
            and all(t.lower_ in BRIDGE_WORDS for t in doc[previous.end : entity.start])
            # "no blood thinners I take Eliquis": the runner starts a new statement
            and not any(t.lower_ in FIRST_PERSON for t in doc[previous.end : entity.start])
        ):
            negated, uncertain = previous._.negated, previous._.uncertain
        else:
            negated = denied_after
    entity._.uncertain = uncertain
    entity._.negated = negated
    before = list(doc[start : entity.start])
    # "if I'm pregnant" asks; "not sure if I'm pregnant" tells (uncertainty); "it beeps if
    # my glucose goes low" tells of a monitor the runner wears
    entity._.hypothetical = not uncertain and any(
        t.lower_ in HYPOTHETICAL_CUES and not (t.i and doc[t.i - 1].lower_ in ALARM_WORDS)
        for t in before
    )
    # "my wife is pregnant", "pregnant wife", "she's on warfarin"; but in "my wife
    # says I should mention my haemophilia" the runner speaks of themself again
    # The runner also speaks of themself when "I"/"my" follows in the clause:
    # "since they took the lymph nodes out during my mastectomy" is the runner's.
    others = [
        i
        for i, t in enumerate(before)
        if t.lower_ in OTHER_PEOPLE
        # "my little one has conjunctivitis", "the wee one's got a cold"
        or (t.lower_ in ("one", "ones", "un") and i and before[i - 1].lower_ in _CHILD_WORDS)
    ]
    own_again = bool(others) and any(
        t.lower_ in FIRST_PERSON for t in [*before[others[-1] + 1 :], *doc[entity.end : end]]
    )
    following = doc[entity.end].lower_ if entity.end < len(doc) else ""
    # the words just before the first person named, up to the condition
    around = doc[max(0, start + others[0] - 3) : entity.start].text.lower() if others else ""
    with_me = bool(_WITH_ME.search(around))
    reported = bool(others) and any(t.lower_ in REPORTING_VERBS for t in before[others[-1] + 1 :])
    named_after = (
        _IS_SOMEONE.match(doc[entity.end : end].text.lower()) if entity.end < end else None
    )
    # "the pred they gave me", "the tablets she put me on": the prescriber, not whose it is
    prescribed_to_me = following in OTHER_PEOPLE and any(
        t.lower_ in ("me", "i") for t in doc[entity.end + 1 : min(end, entity.end + 5)]
    )
    for_someone = bool(_FOR_SOMEONE.match(doc[entity.end : end].text.lower())) and not any(
        t.lower_ in FIRST_PERSON for t in doc[start:end]
    )
    if for_someone and not any(
        (t.lower_ in OTHER_PEOPLE and t.lower_ not in _PRONOUNS) or t.text in _PET_EMOJI
        for t in doc[: entity.start]
    ):
        for_someone = False
        entity._.uncertain = True
    entity._.other_person = (
        (bool(others) and not (own_again or with_me or reported))
        or (following in OTHER_PEOPLE and not prescribed_to_me)
        or for_someone
        or bool(
            named_after
            and named_after.group(1) in OTHER_PEOPLE
            and _THE_ONE_WITH.search(doc[start : entity.start].text.lower())
            # "... are my greyhound and me": the runner is one of them
            and not any(t.lower_ in _ME for t in doc[entity.end : end])
        )
    )
    if (
        entity._.other_person
        and entity.ent_id_ == "pregnancy"
        and others
        and all(before[i].lower_ in CANNOT_BE_PREGNANT for i in others)
        and following not in OTHER_PEOPLE
    ):
        entity._.other_person = False
        entity._.uncertain = True
    if _SKILLED_WITH.search(doc[start : entity.start].text_with_ws.lower()):
        sentence_start = max(
            (t.i + 1 for t in doc[: entity.start] if t.text in (".", "!", "?")), default=0
        )
        if any(t.lower_ in OTHER_PEOPLE for t in doc[sentence_start : entity.start]):
            entity._.other_person = True
    if reported and not entity._.other_person and not entity._.negated:
        entity._.uncertain = True  # whose Xarelto? not the runner's "no", never
    # "my mum has diabetes and so do I": the runner shares it, or may; not sure, never no
    if entity._.other_person and _shares_it(doc[entity.end :].text.lower()):
        entity._.other_person = False
        entity._.uncertain = True


# An infection is about right now: "had covid back in 2021" is no infection today,
# but not a plain "no" either, so the runner confirms with the buttons (principle 2).
# Diabetes, or a blood thinner "since 2015", still counts.
CONDITIONS_OF_NOW = {"infection", "blood_clot"}  # a clot long ago: its blood thinners ended
# A medicine's course counts as over only when the words say it ended: "a course of
# rivaroxaban in 2019 and that was it", "came off warfarin in 2018"; "started eliquis
# last year" is still taken
COURSES = {"blood_thinners", "immunosuppressants"}
_COURSE_ENDED = re.compile(
    r"\b(?:and that was it|that was it|came off|stopped|finished|done with|no longer|"
    r"nothing since|none since|for (?:\d+|a few|a couple of|two|three|four|six) (?:weeks?|months?)|"
    r"(?:\d+|a few|a couple of|two|three|four|six) (?:weeks?|months?) of)\b"
)
# ...and not when it still goes on, or another medicine took its place ("came off
# warfarin when they switched me to a DOAC")
_COURSE_GOES_ON = re.compile(
    r"\b(?:started|starting|began|put on|put me on|still|i'm on|im on|i am on|currently|"
    r"at the moment|switch\w*|swapped|moved|changed|onto|instead|replaced)\b"
    r"|(?<!nothing )(?<!none )(?<!not )\bsince\b"
)
_LONG_AGO = re.compile(
    r"\b(?:back in|in) (?:(?:jan|feb|march|april|may|june|july|aug|sept?|oct|nov|dec)\w* )?"
    r"(?:19|20)\d\d\b"
    r"|\b(?:\d+|a few|few|a couple of|couple of|two|three|four|five|several|many) "
    r"(?:years?|yrs?|months?) ago\b|\byears ago\b|\blast year\b"
    r"|\bas a (?:kid|child|teenager|baby)\b|\bwhen i was (?:a kid|little|younger|young|a child|\d+)\b"
    # "had a cold back in january but long gone": a month named as the past, or gone
    r"|\bback in (?:jan|feb|march|april|may|june|july|aug|sept?|oct|nov|dec)\w*\b"
    r"|\b(?:long gone|all gone|cleared up|all better|got over it|and that was it)\b"
)

_STILL_NOW = re.compile(
    r"\b(?:now|again|still|currently|at the moment|today|this week|recently|lately)\b"
    r"|(?<!nothing )(?<!none )(?<!not )\bsince\b"  # "only since the stent", not "nothing since"
)


# "me? pregnant? not since 2019": no longer, unless something after takes it back
_NOT_SINCE_A_PAST_YEAR = re.compile(r"^\W*(?:no|nope|nah)?\W*not since (?:19|20)\d\d\b")
_TAKEN_BACK = re.compile(
    r"\b(?:but|though|although|however|except|until|till|now|again|still|currently"
    r"|at the moment|today|this week|recently|lately)\b"
)


def _not_since_a_past_year(doc: Doc, entity: Span) -> bool:
    after = doc[entity.end :].text.lower()
    found = _NOT_SINCE_A_PAST_YEAR.match(after)
    return bool(found) and not _TAKEN_BACK.search(after[found.end() :])


# "took Coartem and it's long gone": the clause after says it is over
_OVER_SINCE = re.compile(
    r"^\W*(?:and|but)?\s*(?:it'?s|it is|it was|that'?s|that is|which is)\s+(?:now\s+)?"
    r"(?:long gone|all gone|cleared up|all better|gone|over|finished)\b"
)


def _long_ago(doc: Doc, entity: Span) -> bool:
    if entity.ent_id_ not in CONDITIONS_OF_NOW | COURSES:
        return False
    clause = doc[_clause_start(doc, entity) : _clause_end(doc, entity)].text.lower()
    after = doc[_clause_end(doc, entity) :].text.lower()
    if entity.ent_id_ in COURSES and (
        not (_COURSE_ENDED.search(clause) or _COURSE_ENDED.search(after))
        or _COURSE_GOES_ON.search(clause)
    ):
        return False
    return (
        bool(_LONG_AGO.search(clause) or _OVER_SINCE.search(after))
        and not _STILL_NOW.search(clause)
        and not re.search(r"\b(?:never|not|hasn't|hasnt|haven't|havent)\b", clause)
    )


# "paranoid since covid", "pre-covid I ran more", "covid lockdowns": the pandemic as a
# time, no infection now; not a plain "no" either, so the runner confirms (principle 2)
_PANDEMIC_BEFORE = {"since", "during", "pre", "post", "before", "after", "through", "thru", "in"}
_PANDEMIC_AFTER = {"pandemic", "lockdown", "lockdowns", "times", "era", "restrictions", "days"}
# ...but "coughing since covid on monday", "rough after covid, positive saturday" is the
# runner's own covid of the last days
_RECENT = re.compile(
    r"\b(?:(?<!every )(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?|yesterday|today"
    r"|tonight|last night|right now|covid now|currently|at the moment|atm|still"
    r"|(?:this|last|the) (?:week|weekend|morning)|days? ago|day \d+|positive"
    r"|isolat\w*|quarantin\w*|jail)\b"
)


def _the_pandemic(doc: Doc, entity: Span) -> bool:
    if entity.ent_id_ != "infection" or entity.text.lower() not in {"covid", "covid-19", "corona"}:
        return False
    words_before = re.findall(r"[a-z]+", doc.text[: entity.start_char].lower())
    before = words_before[-1] if words_before else ""
    after = doc[entity.end].lower_ if entity.end < len(doc) else ""
    # the words around it: "still getting through covid now", "covid hit me at the weekend"
    around = doc[_clause_start(doc, entity) : min(len(doc), _clause_end(doc, entity) + 6)]
    return (before in _PANDEMIC_BEFORE or after in _PANDEMIC_AFTER) and not _RECENT.search(
        around.text.lower()
    )


# "ran a half in the heatwave, 38 degrees": the air's temperature, or the runner's? Ask.
_WEATHER = re.compile(
    r"\b(?:heatwave|heat wave|weather|forecast|sunny|sunshine|scorch\w*|humid\w*|outside"
    r"|in the shade|in the sun|roasting|sweltering|boiling day|hot day|hottest)\b"
)
_BODY_HEAT = re.compile(
    r"\b(?:temp|temperature|fever\w*|thermometer|shiver\w*|chills|sweats|bed|sick|ill|unwell"
    r"|poorly|rough|awful|achy|aching|headache|flu|under the weather|calpol|paracetamol|ibuprofen)\b"
)


def _the_weather(doc: Doc, entity: Span) -> bool:
    if entity.ent_id_ != "infection" or not _in_degrees(entity):
        return False
    around = doc[max(0, entity.start - 8) : min(len(doc), entity.end + 8)].text.lower()
    return bool(_WEATHER.search(around)) and not _BODY_HEAT.search(around)


# "temp was 27 at the start" is the morning's; "temp was 101 last night" a fever (NHS: 38 C
# or more; 100.4 F)
_FEVER_CELSIUS = (37.5, 43.0)
_FEVER_FAHRENHEIT = (99.5, 108.0)


def a_fever_figure(value: float) -> bool:
    return any(low <= value <= high for low, high in (_FEVER_CELSIUS, _FEVER_FAHRENHEIT))


_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}  # fmt: skip


# a figure as typed: "39", "38.5", "38,5" (a decimal comma, as most of Europe writes it)
FIGURE = r"\d+(?:[.,]\d{1,2})?"


def _figure(token: Token) -> float | None:
    """ "38.5", "38,5", "39"."""
    if re.fullmatch(FIGURE, token.text):
        return float(token.text.replace(",", "."))
    return None


# "39c", "38,5°C", "102f": a figure with its scale joined to it (the vocabulary's "#c")
_JOINED_DEGREES = re.compile(rf"(?P<figure>{FIGURE})°?[cf]")


def _in_degrees(entity: Span) -> bool:
    """ "38 degrees", "39°" (the vocabulary's "# degrees" and "# °"), "39c"."""
    return (len(entity) == 2 and entity[-1].lower_ in {"degrees", "degree", "°"}) or bool(
        len(entity) == 1 and _JOINED_DEGREES.fullmatch(entity.text.lower())
    )


def _any_figure(token: Token) -> float | None:
    """ "38.5", "38,5", "39c", "102f"."""
    if joined := _JOINED_DEGREES.fullmatch(token.lower_):
        return float(joined.group("figure").replace(",", "."))
    return _figure(token)


def _figure_in_degrees(doc: Doc, entity: Span) -> float | None:
    """The figure of "38,5 degrees", "thirty-eight degrees", "forty°", "39c"; None when
    it cannot be read ("a hundred and two degrees", "thirty eight point five")."""
    number = entity[0]
    if (figure := _any_figure(number)) is not None:
        return figure  # "38,5 degrees", "39c" (one token)
    before = [t.lower_ for t in doc[max(0, entity.start - 3) : entity.start] if t.text != "-"]
    if before and before[-1] in {"point", "hundred", "and", "oh"}:
        return None
    if number.lower_ in _TENS:
        return float(_TENS[number.lower_])
    if number.lower_ in _UNITS:
        tens = _TENS.get(before[-1], 0) if before else 0
        return float(tens + _UNITS[number.lower_])
    return None


_SCALES = {"fahrenheit", "celsius", "centigrade"}


def _a_temperature_below_a_fever(doc: Doc, entity: Span) -> bool:
    """ "temp was 27 at the start": a figure follows (after "like", "about"...), and no
    figure anywhere in the message is a fever's ("temp was 36.8 after calpol, 38.4
    before" is one); "2 degrees in sports science"."""
    if _in_degrees(entity):
        figure = _figure_in_degrees(doc, entity)
        return figure is not None and not a_fever_figure(figure)
    if entity.text.lower() in _SCALES:
        # "30c in fahrenheit?": a scale asked about, beside figures that are no fever's
        figures = [figure for token in doc if (figure := _any_figure(token)) is not None]
        return bool(figures) and not any(map(a_fever_figure, figures))
    if entity[0].lower_ == "temp" and len(entity) == 2 and entity[1].like_num:
        following = [entity[1]]  # "temp 37 this morning"
    elif entity.text.lower() in {"temp was", "temperature was", "temp of"}:
        following = [t for t in doc[entity.end : entity.end + 4] if t.like_num]
    else:
        return False
    if not following:
        return False
    figures = [figure for token in doc if (figure := _figure(token)) is not None]
    return bool(figures) and not any(map(a_fever_figure, figures))


def _list_joined_by_or(doc: Doc, entity: Span) -> bool:
    """An "or"/"nor"/"and" between the clause's start and the end of this list item
    or straight after it: "no A, B or C"."""
    window = doc[_clause_start(doc, entity) : min(len(doc), _clause_end(doc, entity) + 4)]
    return any(t.lower_ in {"or", "nor", "and", "&", "/"} for t in window)


# "I'm a midwife on nights", "as a midwife", "my mum's a midwife", "I work with
# midwives": the runner's job, or someone else's, is no pregnancy of hers (principle 8);
# "there's a midwife appointment on Friday" and "the midwife says..." stay one
MIDWIFE_AS_A_JOB = re.compile(
    r"\b(?:i'm|im|i am|i was|i've been|ive been|i'll be|being|as|work as|working as|worked as"
    r"|works as|job as|(?:training|trained|train|studying|qualified) (?:to be|as)|become|becoming"
    r"|is|was|s) (?:a |an )?(?:(?:student|trainee|community|nhs|senior|junior|newly qualified"
    r"|qualified|registered|locum|agency|bank|independent|hospital|labour ward|retired|practising"
    r"|practicing|specialist|lead|band \d|night|night shift|private|former|ex) )*midwi(?:fe|ves)\b"
    r"(?! (?:appointment|appt|app|visit|check|checkup|booking|clinic|review|said|says|told|wants"
    r"|reckons|thinks)\b)"
    r"|\bmidwi(?:fe|ves) (?:here|by trade|by profession|myself|on (?:nights|days|shift|call"
    r"|the ward|a ward)|shifts?|for \d+ (?:years|yrs)|of \d+ (?:years|yrs)|colleagues?|friends?"
    r"|mates?|training|course|degree|students?|job|work)\b"
    r"|\b(?:work|working|worked|works) (?:with|alongside) (?:the )?midwi(?:fe|ves)\b"
)


def _midwife_as_a_job(doc: Doc, entity: Span) -> bool:
    """Whether this "midwife" is a job: the n-th "midwi" of the message, found again in
    the message without punctuation, lies inside a job's words."""
    if not entity.text.lower().startswith("midwi"):
        return False
    nth = doc.text.lower().count("midwi", 0, entity.start_char)
    clean = doc.text.lower().replace("\u2019", "'").replace("\u2018", "'")
    clean = " ".join(re.sub(r"[^\w\s']", " ", clean).split())
    found = [match.start() for match in re.finditer("midwi", clean)]
    if nth >= len(found):
        return False
    return any(m.start() <= found[nth] < m.end() for m in MIDWIFE_AS_A_JOB.finditer(clean))


# "tested positive for hypermobility on the beighton score": a test for no infection
_POSITIVE_FOR = re.compile(r"^\s*for (?:(?:a|an|the|my)\s+)?(?P<what>[a-z]+)")
_INFECTIONS_TESTED = {"covid", "corona", "coronavirus", "flu", "influenza", "strep", "rsv",
                      "glandular", "mono", "chlamydia", "tb", "it"}  # fmt: skip


def _positive_for_something_else(doc: Doc, entity: Span) -> bool:
    if not entity.text.lower().startswith(("tested pos", "testing pos")):
        return False
    found = _POSITIVE_FOR.match(doc.text[entity.end_char :].lower())
    return bool(found) and found["what"] not in _INFECTIONS_TESTED


# "i donate platelets every month", "platelet donor": giving them is no disorder
_DONATED = re.compile(r"\b(?:donat\w*|give|giving|gave|given)\s+(?:my\s+)?$")
_DONOR_AFTER = re.compile(r"^\s*(?:donor|donors|donation|donations|donating)\b")


def _platelets_donated(doc: Doc, entity: Span) -> bool:
    if entity.text.lower() not in {"platelets", "platelet"}:
        return False
    before = doc.text[: entity.start_char].lower()
    return bool(_DONATED.search(before) or _DONOR_AFTER.match(doc.text[entity.end_char :].lower()))


ORDINARY_LABEL = "ordinary"

# "not pregnant pregnant women can't...": a word after the repeated one makes it a
# noun phrase, no hedge
_NOUN_AFTER = re.compile(r"^\s*(?!(?:like|but|lol|tho|though|haha|ish|really|either)\b)[a-z]")

# "a cold pack or heat after?", "my cold plunge": cold as a temperature, not the illness
_COLD_THING_AFTER = re.compile(
    r"^\s*(?:packs?|compress(?:es)?|water|baths?|plunges?|showers?|tubs?|therapy|spray|gel"
    r"|towels?|flannels?|drinks?|brew)\b"
)
# "it was a cold morning": the weather, most likely, so the runner is asked
_COLD_WEATHER_AFTER = re.compile(
    r"^\s*(?:weather|(?:mornings?|days?|nights?|evenings?)(?!\s*\d)|snap|spell|winds?|air"
    r"|swims?|dips?|sea|feet|hands)\b"
)
# "caught a cold sea swimming", "got a cold hands down the worst": the illness
_CAUGHT_BEFORE = re.compile(
    r"\b(?:caught|catch\w*|got|get|getting|have|has|had|having|fighting|fight|nursing|shak\w+"
    r"|down with|over|with)\s+$"
)


def _caught(doc: Doc, entity: Span) -> bool:
    return bool(_CAUGHT_BEFORE.search(doc.text[: entity.start_char].lower()))


def _cold_as_a_temperature(doc: Doc, entity: Span) -> bool:
    if not entity.text.lower().endswith("cold"):
        return False
    return bool(_COLD_THING_AFTER.match(doc.text[entity.end_char :].lower()))


def _cold_as_the_weather(doc: Doc, entity: Span) -> bool:
    if not entity.text.lower().endswith("cold") or _caught(doc, entity):
        return False
    return bool(_COLD_WEATHER_AFTER.match(doc.text[entity.end_char :].lower()))


@Language.component("clinic_negation")
def clinic_negation(doc: Doc) -> Doc:
    doc.ents = [
        entity
        for entity in doc.ents
        if not (
            _midwife_as_a_job(doc, entity)
            or _positive_for_something_else(doc, entity)
            or _platelets_donated(doc, entity)
            or _cold_as_a_temperature(doc, entity)
            or _a_temperature_below_a_fever(doc, entity)
            # clinic/vocabulary.yml's everyday phrases ("type 2 fun") hide what they hold
            or entity.label_ == ORDINARY_LABEL
        )
    ]
    previous = None
    for entity in doc.ents:
        same_clause = previous is not None and _clause_start(doc, entity) <= previous.start
        mark_entity(doc, entity, previous if same_clause else None)
        # "no diabetes, lymphoedema or ...": a list after a comma may share the
        # negation, or start a new statement ("not pregnant, diabetic"): ask
        listed = previous is not None and all(
            t.lower_ in LIST_SEPARATORS for t in doc[previous.end : entity.start]
        )
        ambiguous = (
            listed
            and not entity._.negated
            and not entity._.uncertain
            and (previous._.ambiguous or (not same_clause and previous._.negated))
        )
        # "no diabetes, lymphoedema or ...": a list the "no" may cover, so ask;
        # "not type 1, type 2": more likely a new statement, so unsure
        if ambiguous and not _list_joined_by_or(doc, entity):
            entity._.uncertain = True
        else:
            entity._.ambiguous = ambiguous
        if (
            _the_pandemic(doc, entity)
            or _the_weather(doc, entity)
            or _cold_as_the_weather(doc, entity)
        ) and not entity._.negated:
            # a hedge nearby ("a bit paranoid since covid") is about something else
            entity._.uncertain = False
            entity._.ambiguous = True
        if not (entity._.negated or entity._.uncertain) and (
            _long_ago(doc, entity) or _not_since_a_past_year(doc, entity)
        ):
            entity._.ambiguous = True
        if (
            entity._.negated
            and entity.text.lower() == "expecting"
            and entity.end < len(doc)
            and doc[entity.end].lower_ == "to"
        ):
            # "wasn't expecting to tell anyone yet but yes, 8 weeks": no denial of a
            # pregnancy, so the runner is asked (principle 2)
            entity._.negated = False
            entity._.ambiguous = True
        if (
            previous is not None
            and previous.end == entity.start
            and previous.text.lower() == entity.text.lower()
            and previous._.negated
            and not _NOUN_AFTER.match(doc.text[entity.end_char :].lower())
        ):
            # "not pregnant pregnant, like 5 weeks": the repeated word says "not really",
            # a hedge, no denial (principle 3)
            for said in (previous, entity):
                said._.negated = False
                said._.uncertain = True
        previous = entity
    return doc


for _name in ("negated", "uncertain", "hypothetical", "other_person", "ambiguous"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=False)
