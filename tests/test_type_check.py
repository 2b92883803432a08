"""The type checker (``uv run --group typecheck mypy``, which ``.ci/run`` runs over every lesson, app and
module) refuses what the SDK's types refuse: a lesson with a misspelt field fails it before anything is sent.

Each case checks a copy of lesson 6 (function calling) with one mistake in it, with the project's
settings (``[tool.mypy]`` in pyproject.toml), and the copy as it is, which passes.
"""

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT
from tests.support import optional

LESSON = REPO_ROOT / "Responses_API/Basic_examples/06-function_calling.py"


def type_check(tmp_path, source: str) -> subprocess.CompletedProcess[str]:
    optional.require_module("mypy", "typecheck")
    copy = tmp_path / "lesson.py"
    copy.write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", str(copy)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_lesson_as_it_is_passes(tmp_path):
    checked = type_check(tmp_path, LESSON.read_text())

    assert (checked.returncode, checked.stdout) == (0, "")


@pytest.mark.parametrize(
    ("correct", "misspelt", "said"),
    [
        ('"strict": True', '"strcit": True', 'List item 0 has incompatible type "dict[str, object]"'),
        ("previous_response_id=", "previous_respons_id=", 'Unexpected keyword argument "previous_respons_id"'),
        ('"type": "function_call_output"', '"type": "function_output"', 'Argument 1 to "append" of "list"'),
    ],
    ids=["a tool's field", "a parameter of responses.create", "an input item's type"],
)
def test_a_misspelt_field_fails_the_type_check(tmp_path, correct, misspelt, said):
    source = LESSON.read_text()
    assert correct in source

    checked = type_check(tmp_path, source.replace(correct, misspelt, 1))

    assert checked.returncode == 1
    assert said in checked.stdout
