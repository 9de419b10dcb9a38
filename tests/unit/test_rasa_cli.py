"""The clinic's Rasa CLI sets TensorFlow's threads unless the environment already does,
and keeps the dependencies' deprecation warnings out of the terminal (`make shell`)."""

from __future__ import annotations

import os
import subprocess
import warnings

import pytest

from clinic_assistant.launcher import BIN
from clinic_assistant.rasa import cli


def test_one_thread_per_operation_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in cli.TENSORFLOW_THREADS:
        monkeypatch.delenv(name, raising=False)
    cli.set_tensorflow_threads()
    assert {name: os.environ[name] for name in cli.TENSORFLOW_THREADS} == {
        "TF_INTRA_OP_PARALLELISM_THREADS": "1",
        "TF_INTER_OP_PARALLELISM_THREADS": "1",
    }


def test_a_value_set_outside_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_INTRA_OP_PARALLELISM_THREADS", "4")
    monkeypatch.delenv("TF_INTER_OP_PARALLELISM_THREADS", raising=False)
    cli.set_tensorflow_threads()
    assert os.environ["TF_INTRA_OP_PARALLELISM_THREADS"] == "4"
    assert os.environ["TF_INTER_OP_PARALLELISM_THREADS"] == "1"


@pytest.mark.slow
def test_rasa_applies_them_to_tensorflow() -> None:
    """What Rasa's CLI does at start (`setup_tf_environment`), in a fresh process."""
    code = (
        "from clinic_assistant.rasa import cli; cli.set_tensorflow_threads();"
        "from rasa.utils.tensorflow.environment import setup_tf_environment; setup_tf_environment();"
        "import tensorflow as tf;"
        "print(tf.config.threading.get_intra_op_parallelism_threads(),"
        " tf.config.threading.get_inter_op_parallelism_threads())"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_") or "LOG" in k}
    result = subprocess.run(
        [str(BIN / "python"), "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["1", "1"]


@pytest.mark.parametrize("setting, shown", [("ignore", ["a real warning"]),
                                            ("default", ["old API", "a real warning"])])  # fmt: skip
def test_deprecation_warnings_are_hidden_unless_asked_for(
    monkeypatch: pytest.MonkeyPatch, setting: str, shown: list
) -> None:
    monkeypatch.setenv("PYTHONWARNINGS", setting)
    with warnings.catch_warnings(record=True) as caught:  # restores the filters afterwards
        warnings.simplefilter("default")  # a fresh interpreter's behaviour
        cli.hide_deprecation_warnings()
        warnings.filterwarnings("once", category=UserWarning)  # what Rasa's CLI adds later
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
        warnings.warn("a real warning", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == shown
