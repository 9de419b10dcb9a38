"""Measurement tooling: every report in reports/ is written by one module here.

    python -m measure.evaluate   NLU scores vs a `rasa init` baseline   (make evaluate)
    python -m measure.answers    answers end to end; `tune`: the guard's threshold
    python -m measure.bench      latency, throughput, memory            (make bench)
    python -m measure.profile    py-spy profile of the Rasa server      (make profile)

measure.common holds what they share: the quiet environment, the machine, the
"generated from commit X" stamp (the tools refuse uncommitted code unless
--allow-dirty / ALLOW_DIRTY=1, then the report says "+uncommitted changes"), and
the Markdown helpers. The safety report stays with its suite
(`python -m tests.safety.report`, make safety) and uses the same stamp.
Raw outputs go to reports/raw/, which is not committed.
"""
