"""Answers volunteered in free text, read through the real spaCy pipeline.

"I'm not pregnant and I don't have diabetes, can I book?" answers two
screening questions at once; negation and uncertainty decide the answer.
"""

from __future__ import annotations

from typing import Dict

import pytest
from spacy.language import Language

from clinic_assistant.nlp.pipeline import build_pipeline, find_mentions
from clinic_assistant.screening.rules import Screening, decide, load_screening
from clinic_assistant.screening.volunteered import (
    read_message,
    read_yes_no_answer,
    volunteered_answers,
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_pipeline()


@pytest.fixture(scope="module")
def screening() -> Screening:
    return load_screening()


def volunteered(nlp: Language, screening: Screening, text: str) -> Dict[str, str]:
    return volunteered_answers(text, find_mentions(nlp, text), screening)


CASES = [
    # several questions at once, with negation
    (
        "I'm not pregnant and I don't have diabetes, can I book?",
        # "no diabetes" denies one of the four things the infection-risk question covers
        {"pregnant": "no"},
    ),
    ("I'm neither pregnant nor diabetic", {"pregnant": "no"}),
    ("I'm not pregnant or diabetic", {"pregnant": "no"}),
    (
        "no diabetes, no lymphoedema, no immune problems, no immunosuppressants",
        {"infection_risk": "no"},
    ),
    # a list after a comma may or may not share the "no": asked, not assumed
    ("no diabetes, lymphoedema, immune problems or immunosuppressants", {}),
    ("I'm not pregnant and I have diabetes", {"pregnant": "no", "infection_risk": "yes"}),
    ("I'm not pregnant and have diabetes", {"pregnant": "no", "infection_risk": "yes"}),
    ("I have diabetes but no infection", {"infection_risk": "yes", "current_infection": "no"}),
    (
        "I'm on aspirin and have the flu",
        {"blood_disorder": "yes", "current_infection": "yes"},
    ),
    ("No fever, no flu", {}),
    ("no infection", {"current_infection": "no"}),
    ("without any infection", {"current_infection": "no"}),
    # pregnancy and its stage
    ("I'm 10 weeks pregnant", {"pregnant": "yes", "pregnancy_stage": "10 weeks"}),
    ("I'm pregnant, about 20 weeks", {"pregnant": "yes", "pregnancy_stage": "about 20 weeks"}),
    ("I'm expecting, second trimester", {"pregnant": "yes", "pregnancy_stage": "trimester 2"}),
    ("I'm pregnant, not sure how far along", {"pregnant": "yes"}),
    # how long the calf has hurt is not how far along she is
    ("I'm pregnant and my calf has hurt for 6 months", {"pregnant": "yes", "complaint": "calf"}),
    ("not sure if I'm pregnant", {"pregnant": "unsure"}),
    ("I might be pregnant", {"pregnant": "unsure"}),
    ("Pregnant: no", {"pregnant": "no"}),
    ("No, I'm pregnant", {"pregnant": "yes"}),
    ("no I'm pregnant", {"pregnant": "yes"}),
    # blood
    ("I take warfarin", {"blood_disorder": "yes"}),
    ("no blood thinners", {}),
    ("no blood thinners and no bleeding disorder", {"blood_disorder": "no"}),
    ("not on warfarin", {}),
    ("I'm not on blood thinners but I have haemophilia", {"blood_disorder": "yes"}),
    # infection risk: the yes wins for the same question
    ("I have lymphoedema and I'm not diabetic", {"infection_risk": "yes"}),
    ("no diabetes but I do have lymphoedema", {"infection_risk": "yes"}),
    ("I don't know if I have diabetes", {"infection_risk": "unsure"}),
    ("diabetes - none", {}),
    ("I'm type 2 diabetic", {"infection_risk": "yes"}),
    ("I had chemo last year", {"infection_risk": "yes"}),
    ("I take prednisone", {"infection_risk": "yes"}),
    # injuries answer the complaint question
    ("my calves hurt after running", {"complaint": "calf"}),
    ("I have shin splints", {"complaint": "shin"}),
    ("I've got sore hips", {"complaint": "hip"}),
    ("Achilles tendinitis for weeks", {"complaint": "achilles"}),
    ("I rolled my ankle", {"complaint": "other"}),
    ("my hamstring is tight", {"complaint": "other"}),
    ("I have plantar fasciitis and I'm pregnant", {"complaint": "foot", "pregnant": "yes"}),
    ("I'm not pregnant, I have runner's knee", {"pregnant": "no", "complaint": "knee"}),
    # a negated injury is ignored; the first one named counts
    ("no knee pain", {}),
    ("I don't have achilles pain, my knee hurts", {"complaint": "knee"}),
    ("my shin hurts and my knee too", {"complaint": "shin"}),
    # a negative word that governs something else is not a denial
    ("I never skip my rivaroxaban", {"blood_disorder": "unsure"}),
    ("I never miss a dose of warfarin", {"blood_disorder": "unsure"}),
    ("my diabetes never gave me any trouble", {"infection_risk": "yes"}),
    ("I'm not not pregnant", {"pregnant": "unsure"}),
    ("I can't rule out being pregnant", {"pregnant": "unsure"}),
    ("I don't think I'm pregnant", {"pregnant": "unsure"}),
    ("Yes! Never been so happy, I'm expecting", {"pregnant": "yes"}),
    # a list after a denial may or may not share it: nothing is assumed
    ("not pregnant, diabetic", {"pregnant": "no", "infection_risk": "unsure"}),
    # someone else's conditions and questions are not the runner's answers
    ("my wife is pregnant, can she book?", {}),
    ("she's on warfarin", {}),
    ("my husband has diabetes, I'm fine", {}),
    # ...unless the runner says they share it: not sure, never ignored
    ("my mum has type 1 diabetes and so do I", {"infection_risk": "unsure"}),
    ("my sister is on warfarin and I am too", {"blood_disorder": "unsure"}),
    # ...but "they" doing something to the runner is the runner's own condition
    (
        "my arm swelled since they took the lymph nodes out during my mastectomy",
        {"infection_risk": "yes"},
    ),
    ("my mum has diabetes like me", {"infection_risk": "yes"}),
    ("can I have it if I'm pregnant?", {}),
    # a medicine the vocabulary does not know makes the medicine question unsure
    ("I take Zontivity every day", {"blood_disorder": "unsure"}),
    ("some tablets for my heart", {"blood_disorder": "unsure"}),
    ("I'm on the pill", {}),
    ("I take the bus to work", {}),
    ("I take Velmorin twice a day", {"blood_disorder": "unsure"}),
    ("I'm on Velmorin, one a day", {"blood_disorder": "unsure"}),
    # Brilique (ticagrelor) is in the vocabulary now: a blood thinner, not an unknown one
    ("I take Brilique twice a day", {"blood_disorder": "yes"}),
    # a time ("a day later") is no dose, chat words and a muscle rub are no medicines
    ("the muscle feels kinda stiff now, a day later - normal??", {}),
    ("should i use deep heat afterwards", {}),
    ("i use deep heat on my calves after long runs", {"complaint": "calf"}),
    # "fine" denies a body system, never a condition the runner names as theirs
    ("my diabetes is fine, well controlled", {"infection_risk": "yes"}),
    ("immune system is fine", {}),
    # "when" is not a hypothetical: the runner takes it
    ("when I take my warfarin I bruise a lot", {"blood_disorder": "yes"}),
    # a new statement ends a denial: the "no" does not reach the medicine named after
    (
        "no no bleeding disorder no blood thinners I take Eliquis for my heart rhythm",
        {"blood_disorder": "yes"},
    ),
    (
        "no diabetes no lymph problems no immune problems I'm on methotrexate though",
        {"infection_risk": "yes"},
    ),
    ("no blood thinners and I'm not on anything else", {}),
    # the runner is one of those named, or only reports what someone says
    ("me and my brother both have haemophilia", {"blood_disorder": "yes"}),
    ("me and the husband are expecting our first", {"pregnant": "yes"}),
    ("coach says the Xarelto shouldn't matter", {"blood_disorder": "unsure"}),
    ("my wife says she is pregnant", {}),
    # someone who cannot be the one pregnant
    (
        "my husband's convinced it's a boy with how bad the morning sickness is",
        {"pregnant": "unsure"},
    ),
    ("my son's girlfriend is pregnant", {}),
    # a denial that is not the whole story
    ("no warfarin no more, the new one now", {"blood_disorder": "unsure"}),
    (
        "not on apixaban this week, paused for a scan, back on it Monday",
        {"blood_disorder": "unsure"},
    ),
    # a medicine word in a comparison, and words the dictionaries only know uninflected
    ("hey is it like getting an injection or nothing like that", {}),
    ("once the trigger points are released is my problem solved?", {}),
    ("i'm getting injections for my knee", {"complaint": "knee", "blood_disorder": "unsure"}),
    ("hiya! does it feel like getting an injection or is it different", {}),
    ("do you have a lift? i'm on crutches at the moment", {}),
    # a health insurer is no medicine; an unknown name beside insurance still is one
    ("does my medical aid pay for dry needling? I'm on Discovery", {}),
    ("is it covered if I'm on Bupa", {}),
    ("I'm on Zontivity, will my insurance cover it?", {"blood_disorder": "unsure"}),
    # a medicine asked about is not one taken; a screenshot is taken, but no medicine
    ("how much ibuprofen can I take before a race", {}),
    ("how do i take a screenshot on a samsung", {}),
    ("I take ibuprofen most days", {"blood_disorder": "unsure"}),
    # what a person "gave me" is a medicine only when no dictionary knows the word; a sport
    # played twice a week is no dose; a question is read apart from the sentence after it
    ("the hill reps gave me knots in my calves", {"complaint": "calf"}),
    ("my physio gave me exercises", {}),
    ("the GP gave me Xylotrin for it", {"blood_disorder": "unsure"}),
    ("I play padel twice a week", {}),
    ("I take Velmorin twice a day", {"blood_disorder": "unsure"}),
    ("on Velmorin. twice a day", {"blood_disorder": "unsure"}),
    ("would zontex be a problem? i have it twice a day", {"blood_disorder": "unsure"}),
    ("have my felvira every arvo", {"blood_disorder": "unsure"}),
    ("i do inhixa injections", {"blood_disorder": "unsure"}),
    ("the GP gave me something to thin the blood", {"blood_disorder": "unsure"}),
    ("a 10 min jab or an hour? fitting it in before arvo training", {}),
    ("arvo training daily, crossfit and hyrox", {}),
    # found by trying to break the rules above
    ("the gp gave me caprin for my heart, still on it", {"blood_disorder": "unsure"}),
    ("no diabetes, but i do zelkora jabs every other week", {"blood_disorder": "unsure"}),
    # an immunosuppressant the vocabulary knows (adalimumab)
    ("no diabetes, but i do amgevita jabs every other week", {"infection_risk": "yes"}),
    ("parkrun every morning in salthill, massage with ciara twice a month", {}),
    ("the physio gave me exercises for my calf", {"complaint": "calf"}),
    ("the physio gave me eccentrics twice a day", {}),
    ("no, im a week late", {"pregnant": "yes"}),
    ("kinesio tape twice a week", {}),
    # shorthand, brands and slang found by the thirteenth adversarial round
    ("im a bleeder, always have been, dad too", {"blood_disorder": "yes"}),
    ("no, on lmwh jabs since the op tho", {"blood_disorder": "yes"}),
    ("cardiologist has me on iscover", {"blood_disorder": "yes"}),
    ("im on war far in since my valve op", {"blood_disorder": "yes"}),
    ("off work with gastro this week", {"current_infection": "yes"}),
    ("temp was 101 last night", {"current_infection": "yes"}),
    ("no diabetes. cystitis again though, on nitrofurantoin", {"current_infection": "yes"}),
    ("no, just carry jelly babies for my hypos", {"infection_risk": "yes"}),
    ("no, but im poz, undetectable for years", {"infection_risk": "yes"}),
    ("crohns on entyvio tho", {"infection_risk": "yes"}),
    ("got my BFP on sunday", {"pregnant": "yes"}),
    ("not pregnant pregnant, like 5 weeks", {"pregnant": "unsure"}),
    ("no but my partner is 10 weeks pregnant, same boat as her tbh", {"pregnant": "unsure"}),
    ("my running buddy's on warfarin, snap 😂", {"blood_disorder": "unsure"}),
    ("haemophilia runs in the family, me included", {"blood_disorder": "yes"}),
    ("a pix a ban twice a day", {"blood_disorder": "yes"}),
    ("had a hypo on my long run, pump was set wrong", {"infection_risk": "yes"}),
    ("been off with d&v since tuesday", {"current_infection": "yes"}),
    ("wasnt expecting to tell anyone yet but yes, 8 weeks", {"pregnant": "unsure"}),
    # ... and what only sounds like them
    ("my mate is on warfarin but im not in the same boat", {}),
    (
        "my brother is on warfarin, never thought id be in the same boat",
        {"blood_disorder": "unsure"},
    ),
    ("my brother is on warfarin and the gp put me on it too", {"blood_disorder": "yes"}),
    ("my wife is 22 weeks pregnant, we both still run parkrun", {}),
    ("no not pregnant pregnant women cant do it right", {"pregnant": "no"}),
    ("i wear my oura ring every night", {}),
    # devices and apps are no medicines; a name no dictionary knows still is one
    ("my wifi keeps dropping out every evening, any idea how to fix it", {}),
    ("i check my fitbit daily and listen to a podcast every morning", {}),
    ("I take Zelvitra every evening", {"blood_disorder": "unsure"}),
    # a vaccination is no medicine taken
    ("i passed out at my covid jab once", {}),
    ("I get injections every month for my MS", {"blood_disorder": "unsure"}),
    # whether to take a medicine is a question, not a medicine taken
    ("should i be taking ibuprofen for my sore achilles", {"complaint": "achilles"}),
    ("I'm taking ibuprofen for my shin", {"complaint": "shin", "blood_disorder": "unsure"}),
    # a hedged denial answers nothing: the question is asked
    ("knee, and not pregnant as far as I know", {"complaint": "knee"}),
    # nothing to answer
    ("What is dry needling?", {}),
    ("my legs are sore", {}),
    # slang and other Englishes for a pregnancy, a treated infection, no spleen
    ("me calf is killing me and I'm up the duff again", {"complaint": "calf", "pregnant": "yes"}),
    ("I am carrying belle, can I still come?", {"pregnant": "yes"}),
    ("hips are sore, the SPD started early", {"complaint": "hip", "pregnant": "yes"}),
    ("no o, na malaria, I start Coartem yesterday", {"current_infection": "yes"}),
    ("no fever, just the PICC line for my IV abx", {"current_infection": "yes"}),
    ("it's not an infection, only conjunctivitis", {"current_infection": "yes"}),
    ("I catch every bug since my spleen op", {"infection_risk": "yes"}),
    # a pet's condition or a charity run names no condition of the runner's
    ("my cat is diabetic", {}),
    # a child's infection, and one that the runner says is over
    ("no, my little one has conjunctivitis but I'm fine", {}),
    ("my toddler has a cold", {}),
    ("had malaria back in 2015, took Coartem and it's long gone", {}),
    ("on Coartem for malaria", {"current_infection": "yes"}),
    ("no, but my dog's diabetic so I'm a dab hand with insulin pens", {}),
    ("my dog's diabetic and I'm on insulin too", {"infection_risk": "yes"}),
    ("I'm a dab hand with insulin pens", {"infection_risk": "yes"}),
    ("running the Diabetes UK 10k for my mum", {}),
    # "once" is said like a dose, but the words of runners' world are no medicines
    ("my old physio mentioned needling for my calf once, what is it?", {"complaint": "calf"}),
    # a budget and a fear of injections are no medicines (held-out v19); injections are
    ("what does a session cost? im on a student budget", {}),
    ("i have avoided injections my whole life, can i still have it?", {}),
    (
        "i have injections every month for my knee",
        {"blood_disorder": "unsure", "complaint": "knee"},
    ),
    # a fever's figure without its unit beside feeling ill (fourteenth break); not a time
    ("been 38.6 since the heatwave started and feel rough", {"current_infection": "unsure"}),
    ("ran 39.5k and felt awful at the end", {}),
    ("37.2 this morning and feel rough", {}),
    # ...in Fahrenheit too (fifteenth look); a marathon's 42.2 km is no figure of a fever
    ("been 100.4 and feel rough", {"current_infection": "unsure"}),
    ("ran 42.2k and feel rough", {}),
    # fifteenth look: a pregnancy app's size, a monitor that beeps "if", haemophilia's
    # clotting factor, lymph glands taken out; gels and the dog's blood thinner are not
    (
        "the app says the baby is the size of a lime now, can i book for my achilles",
        {"pregnant": "yes", "complaint": "achilles"},
    ),
    # a glucose monitor that alarms, however it is told (fifteenth break); not a runner's
    # glucose that drops at 30k, nor gels beside a watch that beeps
    (
        "it's linked to the thing on my arm that beeps if my glucose goes low",
        {"infection_risk": "unsure"},
    ),
    ("my sensor buzzes at me if my glucose drops mid run", {"infection_risk": "unsure"}),
    ("my libre beeps if my blood sugar goes low", {"infection_risk": "yes"}),
    ("what if my glucose goes low", {}),
    ("my glucose drops at 30k, classic bonk", {}),
    ("watch beeps every km and i take glucose gels", {}),
    ("no, just revising clotting factors for my biology exam", {}),
    ("a nurse gives me my clotting factor twice a week", {"blood_disorder": "yes"}),
    ("the only ones on blood thinners are my greyhound and me", {"blood_disorder": "yes"}),
    ("my arm puffs up since they took glands out of my armpit", {"infection_risk": "yes"}),
    ("taking glucose gels every 5k", {}),
    # what a session makes one expect is no pregnancy; "I'm expecting" still is
    ("what should i be expecting after the session", {}),
    ("what sort of sensation should i be expecting during the needling", {}),
    ("im expecting, is needling ok", {"pregnant": "yes"}),
    ("should i be expecting? my period is 5 days late", {"pregnant": "yes"}),
    ("only one on blood thinners in our house is my greyhound", {}),
    ("the only one on blood thinners in our house is me", {"blood_disorder": "yes"}),
    # a pregnancy told in British and NHS words, with a request to book (session 21)
    (
        "book dn for my foot pls, 8 wks gone, not told anyone yet",
        {"complaint": "foot", "pregnant": "yes", "pregnancy_stage": "8 weeks"},
    ),
    (
        "22 wks with no.2, can i still get my hip done",
        {"complaint": "hip", "pregnant": "yes", "pregnancy_stage": "22 weeks"},
    ),
    ("book me in 🤰", {"pregnant": "yes"}),
    ("the letter from my booking scan says all good", {"pregnant": "yes"}),
    ("booking a scan for my ankle next week", {}),
    ("4 weeks with my first pair of carbon plates", {}),
    # blood disorders in the words of those who have them
    ("thal major, transfused every 3 weeks", {"blood_disorder": "yes"}),
    ("im a sickler", {"blood_disorder": "yes"}),
    ("christmas disease like my grandad", {"blood_disorder": "yes"}),
    ("", {}),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_volunteered_answers(
    nlp: Language, screening: Screening, text: str, expected: dict
) -> None:
    assert volunteered(nlp, screening, text) == expected


def test_at_least_twenty_cases() -> None:
    assert len(CASES) >= 20


def test_volunteered_answers_feed_the_decision(nlp: Language, screening: Screening) -> None:
    found = volunteered(nlp, screening, "I'm 10 weeks pregnant, can I still have dry needling?")
    decision = decide(found, screening)
    assert decision.outcome == "ruled_out"
    assert [r.id for r in decision.reasons] == ["early_pregnancy"]


def test_only_conditions_in_the_screening_count(nlp: Language) -> None:
    """A clinic that drops a question no longer reads answers to it from free text."""
    full = load_screening()
    trimmed = Screening(
        questions=tuple(q for q in full.questions if q.slot != "infection_risk"),
        contraindications=full.contraindications,
        condition_answers=full.condition_answers,
        first_months_limit_weeks=full.first_months_limit_weeks,
        general_terms=full.general_terms,
    )
    text = "I have diabetes and I'm on warfarin"
    assert volunteered(nlp, full, text) == {"infection_risk": "yes", "blood_disorder": "yes"}
    assert volunteered(nlp, trimmed, text) == {"blood_disorder": "yes"}


@pytest.mark.parametrize(
    ("slot", "text", "expected"),
    [
        ("pregnant", "I'm pregnant", "yes"),
        ("pregnant", "I am pregnant", "yes"),
        ("pregnant", "not pregnant", "no"),
        ("pregnant", "Nope, not pregnant lol", "no"),
        ("pregnant", "I'm a guy lol", "check"),
        ("pregnant", "I have a sore knee", "check"),
        ("pregnant", "my wife is", None),
        ("pregnant", "I'm not not pregnant", "unsure"),
        ("pregnant", "im pregnat", "yes"),
        ("infection_risk", "I have diabetes", "yes"),
        ("infection_risk", "I've got diabetes", "yes"),
        ("infection_risk", "i'm diabetic", "yes"),
        ("infection_risk", "not diabetic", "check"),
        ("infection_risk", "type 2 diabeetus lol", "yes"),
        ("infection_risk", "can't live without my metformin", "unsure"),
        ("blood_disorder", "I'm on warfarin", "yes"),
        ("blood_disorder", "I take blood thinners", "yes"),
        ("blood_disorder", "I do have haemophilia", "yes"),
        ("blood_disorder", "not on warfarin", "check"),
        ("blood_disorder", "no blood disease and no blood thinners", "no"),
        ("blood_disorder", "I never skip my rivaroxaban", "unsure"),
        ("blood_disorder", "I take Zontivity", "unsure"),
        ("blood_disorder", "xeralto", "yes"),
        ("blood_disorder", "I'm on the pill", "check"),
        ("blood_disorder", "even if I'm on rivaroxaban it's only a low dose", "unsure"),
        ("current_infection", "I have the flu", "yes"),
        ("current_infection", "no fever", "check"),
        ("current_infection", "no infection", "no"),
        ("current_infection", "ye got a fevr", "yes"),
        # the infection question is about now: long ago is checked, recently counts
        ("current_infection", "no, had covid back in 2021 but nothing since", "check"),
        ("current_infection", "no, had a cold back in january but long gone", "check"),
        ("current_infection", "had the flu, cleared up but back again now", "yes"),
        ("current_infection", "had the flu a couple of years ago", "check"),
        ("current_infection", "had covid in 2022 and again now", "yes"),
        ("current_infection", "had a chest infection since 2023 that never cleared", "yes"),
        ("infection_risk", "diabetic since 2015", "yes"),
        ("current_infection", "nah only boiling up then shivering all night", "yes"),
        ("blood_disorder", "no just my disprin every morning", "unsure"),  # aspirin, after a no
        ("blood_disorder", "nowt like that", "no"),
        ("blood_disorder", "no. well my doctor put me on something for my heart", "unsure"),
        ("blood_disorder", "no, only since the stent last year", "yes"),
        # the questions copied and answered line by line, or one letter each
        (
            "blood_disorder",
            "Pregnant: no\nBlood disease, bleeding disorder or blood thinners: no",
            "no",
        ),
        ("blood_disorder", "Pregnant: no\nBlood thinners: yes", "yes"),
        ("infection_risk", "N N N Y", "unsure"),
        ("blood_disorder", "no bleeding disorder n no blood thinnerz", "check"),  # a typo: confirm
        # a question about the question's words is no answer; naming one's own is
        ("infection_risk", "what do you mean by a weakened immune system?", None),
        ("current_infection", "what counts as an infection?", None),
        ("blood_disorder", "what do you mean by blood thinners, I take aspirin", "yes"),
        ("blood_disorder", "what counts as a blood thinner? aspirin?", "yes"),
        # whether one thing counts: explained and asked again, unless it is the runner's
        ("current_infection", "is a cold an infection?", None),
        ("current_infection", "does a cold count as an infection??", None),
        ("current_infection", "sorry, do cold sores count?", None),
        ("blood_disorder", "would ibuprofen count", "unsure"),  # not in the vocabulary
        ("current_infection", "is a cold an infection? i've got one", "yes"),
        ("current_infection", "does my cold count?", "yes"),
        # ...or followed by a denial of it, which the buttons confirm
        ("current_infection", "is a cold counted as an infection? i don't have one", "check"),
        ("current_infection", "does flu count?? i havent got it, just wondering", "check"),
        ("current_infection", "is a cold counted as an infection? i have one", "yes"),
        # the question is the whole message: what follows it is read as usual
        ("current_infection", "does eczema count? its all cracked and weeping on the shin", "yes"),
        ("infection_risk", "does diabetes count? I have type 2", "yes"),
        ("blood_disorder", "is aspirin a blood thinner? I take 75mg", "yes"),
        # names from abroad, from clinic letters and in shorthand (seventh look)
        ("blood_disorder", "nah just ASA 81 daily", "unsure"),
        ("blood_disorder", "no, only ASS 100 for my heart", "yes"),
        ("blood_disorder", "no blood thinners, only antiplatelets since my MI", "yes"),
        ("infection_risk", "no yaar, bas thodi si sugar hai", "yes"),
        ("infection_risk", "T1DM", "yes"),
        ("infection_risk", "no, though I did have a groin dissection for melanoma in 2022", "yes"),
        ("current_infection", "no fever, just on fluclox for my toe, 2 more days", "yes"),
        # a medicine nobody added may be an antibiotic: asked about, never a "no"
        ("current_infection", "no fever, just on zoxiclor for my toe, 2 more days", "unsure"),
        ("current_infection", "no, just on holiday next week", "check"),
        # ...also straight after the "no": "no, on X", "nope, just X" (fourteenth look)
        ("blood_disorder", "no, on zorblatex", "unsure"),
        ("infection_risk", "nope, just zepbound for my weight", "unsure"),
        ("blood_disorder", "no, on holiday next week", "check"),
        # ...or to begin the answer; LADA, no spleen (session 15)
        ("infection_risk", "on hydroxychloroquine for lupus", "unsure"),
        ("infection_risk", "type 1.5 actually", "yes"),
        ("infection_risk", "no, asplenic", "yes"),
        ("infection_risk", "no just tired lol", "check"),
        # everyday words for easy bruising, and a psoriasis injection (a biologic)
        ("blood_disorder", "no but I bruise like a peach", "yes"),
        ("infection_risk", "nah, psoriasis jab every fortnight", "yes"),
        # another person's condition that the runner shares
        ("blood_disorder", "no, my dad takes warfarin, same as me", "unsure"),
        ("blood_disorder", "no, my brother's on warfarin, as am I", "unsure"),
        ("infection_risk", "no, my husband has HIV, and I'm positive too", "unsure"),
        (
            "infection_risk",
            "No. Well, my mum had lymphoedema, and I've got the same swelling in my leg now",
            "unsure",
        ),
        ("blood_disorder", "no, my husband is on warfarin but I'm fine", "check"),
        # a negative test result, and an illness in a past year: buttons, never a "yes"
        ("infection_risk", "no, HIV negative, tested last month, immune system's fine", "check"),
        ("current_infection", "nope, last time I was ill was covid in march 2022", "check"),
        ("infection_risk", "HIV positive", "yes"),
        # beside a denial, something the runner says they have in words nothing reads: the
        # check with the buttons would let them tap it away (principle 3)
        ("infection_risk", "no diabetes, but I do have CVID", "yes"),  # (NHS) vocabulary
        ("blood_disorder", "no, but I have MGUS, they keep an eye on it", "unsure"),
        ("infection_risk", "not diabetic, but I've got HSCT follow ups", "unsure"),
        ("blood_disorder", "no but i get PF flare ups", "check"),  # runners' shorthand
        ("blood_disorder", "no but i have a parkrun PB to chase lol", "check"),
        ("infection_risk", "no, I have asthma but that's it", "check"),
        # taken on a schedule, whatever a voice keyboard made of the name
        ("blood_disorder", "no bleeding disorder but I'm on eli kwis twice a day", "unsure"),
        ("blood_disorder", "no, I take the dog out twice a day", "check"),
        # named in the vocabulary (NHS): manual lymphatic drainage, a bleeding tendency
        ("infection_risk", "no diabetes. I do have MLD every Wednesday for my leg", "yes"),
        ("blood_disorder", "not haemophilia, more of a mild bleeding tendency", "yes"),
        ("blood_disorder", "not that they've found, they're still doing tests", "unsure"),
        # a course of a blood thinner that ended: checked with the buttons, never a no
        ("blood_disorder", "3 months of rivaroxaban in 2019 and that was it", "check"),
        ("blood_disorder", "came off warfarin in 2018, nothing now", "check"),
        ("blood_disorder", "I've been on warfarin since 2019", "yes"),
        ("blood_disorder", "had apixaban last year and that was it, now on clopidogrel", "yes"),
        ("blood_disorder", "started eliquis after my PE last year, all fine now", "yes"),
        ("blood_disorder", "was on warfarin in 2019", "yes"),  # no word that it ended
        ("blood_disorder", "came off warfarin in 2018 when they switched me to a DOAC", "yes"),
        ("blood_disorder", "I'm on rivaroxaban for 6 months after my PE in 2026", "yes"),
        (
            "blood_disorder",
            "had 6 weeks of Clexane jabs after my op in 2021, nothing since",
            "check",
        ),
        ("infection_risk", "nah, just T2 and it's diet controlled since 2019", "yes"),
        # a blood clot now means blood thinners now (NHS); one long ago is checked
        ("blood_disorder", "no, but I have a DVT at the moment", "yes"),
        ("blood_disorder", "had a blood clot in my leg years ago", "check"),
        ("blood_disorder", "no blood thinners and no bleeding disorder", "no"),
        # what the runner says they have: with other verbs, no verb, or a person's name
        ("blood_disorder", "no, I've had MGUS for years but it's stable", "unsure"),
        ("blood_disorder", "no. got MGUS tho", "unsure"),
        ("blood_disorder", "no, Glanzmann's but very mild", "unsure"),
        ("blood_disorder", "no but I have AF", "unsure"),
        # ...but a race beside a date, or a brand of running shoes, is no condition
        ("blood_disorder", "no but I've got the Brathay 10in10 in May", "check"),
        ("blood_disorder", "no, I've got new Hokas, reckon that's what set my shin off", "check"),
        # a schedule ends the scope of a denial before it; plurals of harmless things
        ("blood_disorder", "no disorder. I take lick see ana once a day", "unsure"),
        ("blood_disorder", "no bleeding disorder, I take pro dax a morning and night", "unsure"),
        ("blood_disorder", "no, I'm on 4 coffees a day though lol", "check"),
        ("blood_disorder", "no, nothing diagnosed, haematology are still running bloods", "unsure"),
        ("infection_risk", "antibody deficiency, I get immunoglobulin every 3 weeks", "yes"),
        ("infection_risk", "I do my self drainage massage on my arm every night", "yes"),
        # fifteenth look: a fever's figure without its unit, in answer to the infection
        # question, whatever the words around it; a figure below a fever is checked
        ("current_infection", "no, it was 100.9 this morning but i feel ok honestly", "unsure"),
        ("current_infection", "no, 37.9 last night", "unsure"),
        # ...a whole figure or one with its scale, in answer to this question (fifteenth
        # break); not a distance done or an age
        ("current_infection", "no, it was 101 this morning but i feel ok", "unsure"),
        ("current_infection", "no, did 38.5 on sunday", "check"),
        ("current_infection", "nope, im 40 lol", "check"),
        ("current_infection", "no but im 38.4 this morning", "unsure"),
        (
            "infection_risk",
            "nah. my phone alarm goes off at 3am so i can check my sugars",
            "unsure",
        ),
        ("infection_risk", "no! my garmin beeps every km and i take glucose gels", "check"),
        ("infection_risk", "no, i take glucose when the monitor goes off at night", "unsure"),
        # sixteenth look: Nordic and French brands, IVF words, an organ told as whose it was,
        # a bleeding disorder without its name; jobs and shifts are no conditions
        ("blood_disorder", "no, I'm on Waran since my valve op", "yes"),
        ("blood_disorder", "no. well hjertemagnyl but thats just the heart one", "yes"),
        ("blood_disorder", "my blood doesnt clot properly thats all", "yes"),
        ("blood_disorder", "no, I'm on zarelto", "yes"),
        ("current_infection", "no infection, the doc put me on a z pak for my sinuses", "yes"),
        ("current_infection", "no, just finishing my tamiflu, day 4 of 5", "yes"),
        ("current_infection", "nah, the kids gave me hand foot and mouth, nearly over", "yes"),
        ("current_infection", "no fever, my RAT was positive this morning tho", "yes"),
        ("infection_risk", "no but I have sugar since 5 years", "yes"),
        ("infection_risk", "nah my pancreas packed in when I was 9", "yes"),
        ("infection_risk", "no. they took 12 nodes from my armpit, arm's fine", "yes"),
        ("infection_risk", "they took the nodes out of my armpit", "yes"),
        ("infection_risk", "no, I got my sister's kidney in 2019 and I'm fine", "yes"),
        ("infection_risk", "I got a kidney from my brother in 2015", "yes"),
        ("infection_risk", "nah, rinvoq for my eczema", "yes"),
        ("infection_risk", "no, im on prograf", "yes"),
        ("pregnant", "no. well my beta came back at 240 yesterday", "yes"),
        ("pregnant", "no but I'm PUPO after our transfer on monday", "yes"),
        ("infection_risk", "no, my sister's kidney is failing, worried about her", "check"),
        ("infection_risk", "no, i ran 12 nodes on the trail map", "check"),
        ("pregnant", "no, just on my beta blockers", "check"),
        ("pregnant", "no, in other circumstances i'd run through it", "check"),
        ("infection_risk", "no, been off sugar since january", "check"),
        ("infection_risk", "no, got a new kidney stone last year", "check"),
        # ACCEPTED OVER-CAUTION (sixteenth break): a job named by a condition is read as
        # the runner's, since "a diabetes nurse, got it myself since I was 12" is both
        ("infection_risk", "no, I'm a diabetes nurse lol, I know all about it", "yes"),
        ("infection_risk", "no, I'm an HIV counsellor, not a patient", "yes"),
        ("pregnant", "nope, I just work on the front desk of an IVF clinic", "yes"),
        # sixteenth break: a second thing one is on, a course being finished, a past alarm
        ("blood_disorder", "nah im on furlough atm and pletal", "unsure"),
        ("blood_disorder", "no, im on my period and duoplavin", "unsure"),
        ("blood_disorder", "no, I'm on pletal", "unsure"),
        ("blood_disorder", "no wait, I'm on pletal for my legs", "unsure"),
        ("blood_disorder", "no, im on a plant based diet", "check"),
        ("blood_disorder", "no, i'm on holiday and loving it", "check"),
        ("current_infection", "no, im on holidays, just finishing the zinnat", "unsure"),
        ("current_infection", "no, just finishing the marathon plan", "check"),
        ("infection_risk", "no, phone vibrated last night when my sugars went low", "unsure"),
        ("pregnant", "no. beta was 180 on tuesday", "yes"),
        # the retrained model no longer kept this from the booking: the words must read it
        ("pregnant", "i am waiting baby, 7 week, it is problem?", "unsure"),
        ("pregnant", "no, my beta was rubbish at bouldering", "check"),
        ("infection_risk", "no, my brother got a kidney from me in 2019", "check"),
        ("infection_risk", "yep, got my new kidney 3 yrs ago", "yes"),
        ("infection_risk", "no, had sugar since 6am", "check"),
        ("blood_disorder", "nope, I'm on earlies all week", "check"),
        ("current_infection", "nah, I'm on furlough so I can come in any time", "check"),
        # the alarm words are negation's (one list): a phone that vibrates or pings
        ("infection_risk", "no, phone vibrates when my sugars are dropping overnight", "unsure"),
        ("infection_risk", "nope, my watch pings every mile and i sip sugar drinks", "check"),
        ("current_infection", "nope, 36.7 this morning", "check"),
        ("current_infection", "no, pb is 39.5 mins", "check"),
        ("current_infection", "well i've got a stye at the mo, does that count lol", "yes"),
        # "at the half" is the half marathon, no half-yes
        (
            "current_infection",
            "no, my heel got rubbed raw and bled into my sock at the half but it's fine now",
            "check",
        ),
        ("current_infection", "half and half", "unsure"),
        # a voice keyboard's list without commas: each "no" denies its own item
        ("current_infection", "I'm not on any tablets no infections not diabetic", "no"),
        ("current_infection", "I don't have no infection", "unsure"),
        ("current_infection", "not 100 percent no infection", "unsure"),
        ("current_infection", "cant promise you no infection", "unsure"),
        ("blood_disorder", "haha no, a nurse pops round to give me my clotting factor", "yes"),
        ("blood_disorder", "no! only one on blood thinners in our house is my greyhound", "check"),
        # seventeenth break and look, in other words than their conversations
        ("pregnant", "nope, about 11 weeks along now", "yes"),
        ("pregnant", "no, but my hcg came back at 400", "yes"),
        ("pregnant", "nope, but the scan says we're expecting twins", "yes"),
        ("pregnant", "too early to tell, we only did the transfer on friday", "unsure"),
        ("pregnant", "no, it's not as if I'm not a week late", "unsure"),
        ("blood_disorder", "nope, just my 81 mg each morning", "yes"),
        ("blood_disorder", "no, fluindione since my clot", "yes"),
        ("blood_disorder", "not really, I've got a metal heart valve", "yes"),
        ("blood_disorder", "no, factor XI is a bit low but nothing major", "unsure"),
        ("current_infection", "no, finishing the macrobid tomorrow", "yes"),
        ("current_infection", "nah, only chicken pox, the kids gave it me", "yes"),
        ("infection_risk", "no, my a1c was 62 in the summer", "yes"),
        # HbA1c by its figure (48 mmol/mol or 6.5 % is diabetes, 42 or 6.0 % prediabetes)
        ("infection_risk", "nah, hba1c came back at 51", "yes"),
        ("infection_risk", "no, a1c 6.8%", "yes"),
        ("infection_risk", "no, a1c was 45 so borderline-ish", "unsure"),
        ("infection_risk", "no, my hba1c is 6.2", "unsure"),
        ("infection_risk", "no, hba1c 33 at my medical", "check"),
        # eighteenth break, in other words
        ("pregnant", "no, just up the stick with number two", "yes"),
        ("pregnant", "nah, not ill, due the 9th of march though", "unsure"),
        ("pregnant", "no, my rent's due 3rd of feb lol", "check"),
        ("blood_disorder", "no, one Adiro a day since my stent", "yes"),
        ("blood_disorder", "no, plts were low at my last bloods", "yes"),
        ("current_infection", "nope, GP put me on cipro yesterday", "yes"),
        ("current_infection", "no, estoy resfriado desde el lunes", "yes"),
        ("infection_risk", "no, imuran keeps my crohns quiet", "yes"),
        ("infection_risk", "no, only my januvia in the mornings", "yes"),
        ("infection_risk", "no, havent got a spleen since I was 12", "yes"),
        ("infection_risk", "nope, finished radiotherapy in may", "unsure"),
        # the prescriber is no other person: "the pred they gave me" is the runner's
        ("infection_risk", "no, just the pred they put me on for my chest", "yes"),
        ("infection_risk", "no diabetes, my mum has it and they say I'm fine", "check"),
        # a watch's race predictor is no prednisolone
        ("infection_risk", "no, the pred for my marathon says 3:20", "check"),
        ("infection_risk", "nope, my garmin's race pred is way off", "check"),
        # twenty-first look: a phone's virus is software; the cat's clopidogrel "for his
        # heart" is the cat's; giving blood is no bleeding disorder
        ("current_infection", "no, tho my phone's got a virus lol", "check"),
        ("current_infection", "nope but there's a virus on my laptop", "check"),
        ("current_infection", "no but I've got a virus", "yes"),
        (
            "blood_disorder",
            "no, the only one on thinners here is the cat (clopidogrel for his heart)",
            "check",
        ),
        ("blood_disorder", "yes, clopidogrel for my heart", "yes"),
        ("blood_disorder", "I take clopidogrel for his sake", "yes"),
        # "for her stent" with nobody else named may be the runner's own: not sure
        ("blood_disorder", "nope, yours truly is on clopidogrel for her stent", "unsure"),
        ("blood_disorder", "no. the dog has clopidogrel for her heart", "check"),
        ("blood_disorder", "nope, I'm a regular blood donor actually", "check"),
        ("blood_disorder", "nope, I'm a regular blood donor 🩸", "unsure"),
    ],
)
def test_answers_read_with_their_mentions(
    nlp: Language, screening: Screening, slot: str, text: str, expected: str | None
) -> None:
    question = screening.question(slot)
    assert read_yes_no_answer(question, text, find_mentions(nlp, text), screening) == expected


@pytest.mark.parametrize(
    ("text", "asked_about", "answers"),
    [
        ("is it still ok if I'm on chemo?", ["infection_risk"], {}),
        ("knee. what if I'm pregnant?", ["pregnant"], {"complaint": "knee"}),
        ("what if my wife is pregnant?", [], {}),
        ("is it ok if I'm not pregnant", [], {}),
        (
            "yes to the first, no to the rest. can I book for my hip?",
            [],
            {
                "complaint": "hip",
                "pregnant": "unsure",
                "blood_disorder": "unsure",
                "current_infection": "unsure",
                "infection_risk": "unsure",
            },
        ),
    ],
)
def test_a_condition_asked_about_is_noted_but_answers_nothing(
    nlp: Language, screening: Screening, text: str, asked_about: list, answers: dict
) -> None:
    reading = read_message(text, find_mentions(nlp, text), screening)
    assert reading.asked_about == asked_about
    assert reading.answers == answers
