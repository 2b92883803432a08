import subprocess
import tempfile

import httpx
import pytest

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/27-apply_patch_coding_agent.py"
TASK = (
    "Work in the current folder: run `ls`; create `greet.py`, a script that prints a greeting; "
    "change `greet.py` so that it greets the name given on its command line; run `cat greet.py`; "
    "run `python3 greet.py Ada`; delete `draft.txt`."
)
INSTRUCTIONS = "You are a careful coding agent. Change files only with apply_patch; use the shell to look."
TOOLS = [{"type": "apply_patch"}, {"type": "shell", "environment": {"type": "local"}}]
GREETING = "+def greet(name):\n+    return 'Hello, ' + name\n+\n+print(greet('world'))"
BY_NAME = "+import sys\n def greet(name):\n@@\n-print(greet('world'))\n+print(greet(sys.argv[1]))"
NOT_ALLOWED = "refused: only cat, head, ls, wc run here: running other programs needs a sandbox"


def replying(*outputs: list[dict]) -> list[httpx.Response]:
    """One response per round: each holds the calls given, then a last one answers."""
    rounds = [payloads.response(output=output, id=f"resp_{n}") for n, output in enumerate(outputs)]
    return [httpx.Response(200, json=each) for each in [*rounds, payloads.response("Done.", id="resp_end")]]


@pytest.fixture
def temporary(tmp_path, monkeypatch):
    """Where the lesson's temporary workspace is made; empty again once the lesson has run."""
    folder = tmp_path / "temporary"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def patched(openai_api, run_script, *calls: dict, stdin: str = "", yes: bool = True):
    """Run the lesson with one response holding ``calls``; returns what it printed and the outputs it sent back."""
    responses = openai_api.post("/responses").mock(side_effect=replying(list(calls)))
    result = run_script(SCRIPT, *(["--yes"] if yes else []), stdin=stdin)
    return result, sent_json(responses, 1)["input"]


def files_shown(stdout: str) -> dict[str, str]:
    """The workspace's files as the lesson prints them at the end: path -> text."""
    files: dict[str, list[str]] = {}
    for line in stdout.split("The workspace now holds:\n", 1)[1].splitlines():
        if line.startswith("    |"):
            files[next(reversed(files))].append(line[6:] + "\n")
        else:
            files[line.strip().rstrip(":")] = []
    return {path: "".join(lines) for path, lines in files.items()}


def test_each_diff_and_command_is_shown_answered_and_the_workspace_printed(openai_api, run_script, temporary):
    responses = openai_api.post("/responses").mock(
        side_effect=replying(
            [
                payloads.shell_call(["ls"], container_id=None, call_id="call_ls"),
                payloads.apply_patch_call("create_file", "greet.py", GREETING, call_id="call_new"),
            ],
            [
                payloads.apply_patch_call("update_file", "greet.py", BY_NAME, call_id="call_edit"),
                payloads.shell_call(["cat greet.py", "wc -l greet.py"], container_id=None, call_id="call_cat"),
            ],
            [
                payloads.shell_call(["python3 greet.py Ada"], container_id=None, call_id="call_py"),
                payloads.apply_patch_call("delete_file", "draft.txt", call_id="call_rm"),
            ],
        )
    )

    result = run_script(SCRIPT, "--yes")

    assert (result.exit_code, result.stderr) == (0, "")
    asked = [sent_json(responses, n) for n in range(4)]
    assert asked[0] == {"model": asked[0]["model"], "instructions": INSTRUCTIONS, "input": TASK, "tools": TOOLS}
    assert [body["previous_response_id"] for body in asked[1:]] == ["resp_0", "resp_1", "resp_2"]
    assert all(body["instructions"] == INSTRUCTIONS and body["tools"] == TOOLS for body in asked[1:])
    exit_0 = {"type": "exit", "exit_code": 0}
    script = "import sys\ndef greet(name):\n    return 'Hello, ' + name\n\nprint(greet(sys.argv[1]))\n"
    assert [body["input"] for body in asked[1:]] == [
        [
            {
                "type": "shell_call_output",
                "call_id": "call_ls",
                "output": [{"stdout": "draft.txt\n", "stderr": "", "outcome": exit_0}],
                "max_output_length": 4096,
            },
            {
                "type": "apply_patch_call_output",
                "call_id": "call_new",
                "status": "completed",
                "output": "Created greet.py",
            },
        ],
        [
            {
                "type": "apply_patch_call_output",
                "call_id": "call_edit",
                "status": "completed",
                "output": "Updated greet.py",
            },
            {
                "type": "shell_call_output",
                "call_id": "call_cat",
                "output": [
                    {"stdout": script, "stderr": "", "outcome": exit_0},
                    {"stdout": "5 greet.py\n", "stderr": "", "outcome": exit_0},
                ],
                "max_output_length": 4096,
            },
        ],
        [
            {
                "type": "shell_call_output",
                "call_id": "call_py",
                "output": [{"stdout": "", "stderr": NOT_ALLOWED + "\n", "outcome": {"type": "exit", "exit_code": 126}}],
                "max_output_length": 4096,
            },
            {
                "type": "apply_patch_call_output",
                "call_id": "call_rm",
                "status": "completed",
                "output": "Deleted draft.txt",
            },
        ],
    ]
    assert result.stdout.splitlines() == [
        "Working in a new temporary folder (deleted at the end) that holds draft.txt.",
        "  $ ls   [exit 0]",
        "      draft.txt",
        "  apply_patch: create_file greet.py",
        *[f"    {line}" for line in GREETING.splitlines()],
        "    -> completed: Created greet.py",
        "  apply_patch: update_file greet.py",
        *[f"    {line}" for line in BY_NAME.splitlines()],
        "    -> completed: Updated greet.py",
        "  $ cat greet.py   [exit 0]",
        *[f"      {line}".rstrip() for line in script.splitlines()],
        "  $ wc -l greet.py   [exit 0]",
        "      5 greet.py",
        "  $ python3 greet.py Ada   [exit 126]",
        f"      {NOT_ALLOWED}",
        "  apply_patch: delete_file draft.txt",
        "    -> completed: Deleted draft.txt",
        "",
        "Answer: Done.",
        "",
        "The workspace now holds:",
        "  greet.py:",
        *[f"    | {line}".rstrip() for line in script.splitlines()],
    ]
    assert list(temporary.iterdir()) == []  # the workspace is gone


@pytest.mark.parametrize(
    "path",
    ["../escape.txt", "sub/../../escape.txt", "{temporary}/escape.txt", "/etc/passwd"],
    ids=["parent", "through a folder", "absolute, beside it", "absolute, elsewhere"],
)
@pytest.mark.parametrize("kind", ["create_file", "update_file", "delete_file"])
def test_a_patch_that_climbs_out_of_the_workspace_fails_unasked_and_writes_nothing(
    openai_api, run_script, temporary, path, kind
):
    path = path.format(temporary=temporary)
    diff = None if kind == "delete_file" else "+escaped"

    result, sent = patched(openai_api, run_script, payloads.apply_patch_call(kind, path, diff, call_id="c"), yes=False)

    assert sent == [
        {
            "type": "apply_patch_call_output",
            "call_id": "c",
            "status": "failed",
            "output": f"{path} is outside the workspace",
        }
    ]
    assert "[y/N]" not in result.stdout  # refused before anyone is asked
    assert list(temporary.iterdir()) == []
    assert files_shown(result.stdout) == {"draft.txt": "An old note, no longer needed.\n"}


def test_each_change_is_asked_for_and_a_declined_one_is_reported_as_failed(openai_api, run_script, temporary):
    result, sent = patched(
        openai_api,
        run_script,
        payloads.apply_patch_call("create_file", "yes.txt", "+kept", call_id="c1"),
        payloads.apply_patch_call("delete_file", "draft.txt", call_id="c2"),
        stdin="y\nn\n",
        yes=False,
    )

    assert [(output["status"], output["output"]) for output in sent] == [
        ("completed", "Created yes.txt"),
        ("failed", "the user declined this change"),
    ]
    assert "Apply create_file on yes.txt? [y/N] " in result.stdout
    assert "Apply delete_file on draft.txt? [y/N] " in result.stdout
    assert files_shown(result.stdout) == {"draft.txt": "An old note, no longer needed.\n", "yes.txt": "kept\n"}


def test_with_nothing_to_read_on_stdin_every_change_is_declined(openai_api, run_script, temporary):
    result, sent = patched(
        openai_api, run_script, payloads.apply_patch_call("delete_file", "draft.txt", call_id="c"), yes=False
    )

    assert sent[0]["status"] == "failed"
    assert result.exit_code == 0
    assert "draft.txt" in files_shown(result.stdout)


DRAFT = "draft.txt"


@pytest.mark.parametrize(
    ("calls", "outcome", "files"),
    [
        (
            [("update_file", DRAFT, "@@ An old note, no longer needed.\n+Second line.\n")],
            ("completed", "Updated draft.txt"),
            {DRAFT: "An old note, no longer needed.\nSecond line.\n"},
        ),
        (
            [("update_file", DRAFT, "-An old note, no longer needed.   \n+A new note.\n*** End of File")],
            ("completed", "Updated draft.txt"),
            {DRAFT: "A new note.\n"},
        ),
        (
            [("create_file", "a.txt", "+one\n+two\n+three"), ("update_file", "a.txt", " one\n\n-three\n+3")],
            ("failed", "the diff does not fit a.txt: ['one', '', 'three'] is not in it where the diff says"),
            {DRAFT: "An old note, no longer needed.\n", "a.txt": "one\ntwo\nthree\n"},
        ),
        (
            [("create_file", "a.txt", "+one\n+\n+three"), ("update_file", "a.txt", " one\n\n-three\n+3")],
            ("completed", "Updated a.txt"),
            {DRAFT: "An old note, no longer needed.\n", "a.txt": "one\n\n3\n"},
        ),
        (
            [("create_file", "src/app/main.py", "+print('hi')")],
            ("completed", "Created src/app/main.py"),
            {DRAFT: "An old note, no longer needed.\n", "src/app/main.py": "print('hi')\n"},
        ),
        (
            [("create_file", DRAFT, "+again")],
            ("failed", "draft.txt already exists"),
            {DRAFT: "An old note, no longer needed.\n"},
        ),
        (
            [("create_file", "b.txt", "+fine\nnot added")],
            ("failed", "a new file's diff holds only '+' lines, not 'not added'"),
            {DRAFT: "An old note, no longer needed.\n"},
        ),
        (
            [("update_file", "missing.txt", "+x")],
            ("failed", "missing.txt does not exist"),
            {DRAFT: "An old note, no longer needed.\n"},
        ),
        (
            [("delete_file", "missing.txt", None)],
            ("failed", "missing.txt does not exist"),
            {DRAFT: "An old note, no longer needed.\n"},
        ),
        (
            [("update_file", DRAFT, "@@ a line that is not there\n+x")],
            (
                "failed",
                "the diff does not fit draft.txt: ['a line that is not there'] is not in it where the diff says",
            ),
            {DRAFT: "An old note, no longer needed.\n"},
        ),
        (
            [("update_file", DRAFT, "-nothing like this")],
            ("failed", "the diff does not fit draft.txt: ['nothing like this'] is not in it where the diff says"),
            {DRAFT: "An old note, no longer needed.\n"},
        ),
        (
            [("update_file", DRAFT, " An old note, no longer needed.\n?what")],
            ("failed", "a diff line starts with ' ', '-' or '+', not '?what'"),
            {DRAFT: "An old note, no longer needed.\n"},
        ),
        (
            [("update_file", DRAFT, "@@ An old note, no longer needed.\n-An old note, no longer needed.")],
            (
                "failed",
                "the diff does not fit draft.txt: ['An old note, no longer needed.'] is not in it where the diff says",
            ),
            {DRAFT: "An old note, no longer needed.\n"},
        ),
    ],
    ids=[
        "after the line @@ names",
        "trailing spaces not compared, End of File marker",
        "a missing blank line does not fit",
        "a bare line is a blank context line",
        "folders made for a new file",
        "create over a file",
        "create with a line that is not added",
        "update a missing file",
        "delete a missing file",
        "the @@ line is not there",
        "a removed line is not there",
        "a line with no mark",
        "hunks are found after the @@ line, not on it",
    ],
)
def test_the_applier_makes_each_change_or_says_why_it_cannot(openai_api, run_script, temporary, calls, outcome, files):
    made = [payloads.apply_patch_call(kind, path, diff, call_id=f"c{n}") for n, (kind, path, diff) in enumerate(calls)]

    result, sent = patched(openai_api, run_script, *made)

    assert (sent[-1]["status"], sent[-1]["output"]) == outcome
    assert all(output["status"] == "completed" for output in sent[:-1])
    assert files_shown(result.stdout) == files
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize(
    ("command", "stderr"),
    [
        ("rm draft.txt", NOT_ALLOWED),
        ("cat ../../etc/passwd", "refused: ../../etc/passwd is outside the workspace"),
        ("head -n 1 /etc/passwd", "refused: /etc/passwd is outside the workspace"),
        ("cat 'draft.txt", "refused: cannot read the command: No closing quotation"),
        ("", NOT_ALLOWED),
    ],
    ids=["not allowed", "outside", "absolute", "unclosed quote", "empty"],
)
def test_a_command_off_the_allow_list_or_outside_the_workspace_is_refused_with_126(
    openai_api, run_script, temporary, command, stderr
):
    result, sent = patched(openai_api, run_script, payloads.shell_call([command], container_id=None, call_id="c"))

    assert sent[0]["output"] == [{"stdout": "", "stderr": stderr + "\n", "outcome": {"type": "exit", "exit_code": 126}}]
    assert f"  $ {command}   [exit 126]" in result.stdout
    assert "draft.txt" in files_shown(result.stdout)


def test_output_is_cut_to_the_call_s_limit_stdout_first(openai_api, run_script, temporary):
    lines = "".join(f"+line {n}\n" for n in range(50))

    _, sent = patched(
        openai_api,
        run_script,
        payloads.apply_patch_call("create_file", "long.txt", lines, call_id="c1"),
        payloads.shell_call(["cat long.txt", "cat nowhere.txt"], container_id=None, call_id="c2", max_output_length=20),
    )

    stdout, missing = sent[1]["output"]
    assert (stdout["stdout"], stdout["stderr"], stdout["outcome"]) == (
        "line 0\nline 1\nline 2",
        "",
        {"type": "exit", "exit_code": 0},
    )
    assert (missing["stdout"], missing["outcome"]) == ("", {"type": "exit", "exit_code": 1})
    assert missing["stderr"] == "cat: nowhere.txt: No such file or directory\n"[:20]
    assert sent[1]["max_output_length"] == 20


def test_a_command_runs_in_the_workspace_without_your_environment_and_may_time_out(
    openai_api, run_script, temporary, monkeypatch
):
    monkeypatch.setenv("OPENAI_API_KEY_FOR_SOMETHING_ELSE", "sk-secret")
    ran = []

    def too_slow(words, **options):
        ran.append((words, options))
        raise subprocess.TimeoutExpired(words, options["timeout"])

    monkeypatch.setattr(subprocess, "run", too_slow)

    result, sent = patched(
        openai_api, run_script, payloads.shell_call(["ls -l"], container_id=None, call_id="c", timeout_ms=None)
    )

    ((words, options),) = ran
    assert words == ["ls", "-l"]
    assert options["env"].keys() == {"PATH"}
    assert (options["timeout"], options["stdin"], options["cwd"].parent) == (10.0, subprocess.DEVNULL, temporary)
    assert sent[0]["output"] == [{"stdout": "", "stderr": "", "outcome": {"type": "timeout"}}]
    assert "  $ ls -l   [timed out]" in result.stdout


def test_a_command_that_is_not_installed_exits_127(openai_api, run_script, temporary, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder with no programs in it

    _, sent = patched(openai_api, run_script, payloads.shell_call(["wc -l draft.txt"], container_id=None))

    assert sent[0]["output"] == [
        {"stdout": "", "stderr": "wc: not installed\n", "outcome": {"type": "exit", "exit_code": 127}}
    ]


def test_a_model_that_never_stops_calling_is_stopped_after_twelve_rounds(openai_api, run_script, temporary):
    looping = [
        httpx.Response(200, json=payloads.response(output=[payloads.shell_call(["ls"], container_id=None)]))
        for _ in range(12)
    ]
    responses = openai_api.post("/responses").mock(side_effect=looping)

    result = run_script(SCRIPT, "--yes")

    assert (result.exit_code, responses.call_count) == (1, 12)
    assert result.stderr == "Stopped after 12 rounds of calls without an answer.\n"
    assert files_shown(result.stdout) == {"draft.txt": "An old note, no longer needed.\n"}
    assert list(temporary.iterdir()) == []


def test_an_api_error_is_one_line_exit_1_and_the_workspace_is_deleted(openai_api, run_script, temporary):
    openai_api.post("/responses").mock(
        side_effect=[
            httpx.Response(
                200, json=payloads.response(output=[payloads.apply_patch_call("create_file", "a.txt", "+a")])
            ),
            api_failure(429),
        ]
    )

    result = run_script(SCRIPT, "--yes", "make a.txt")

    assert (result.exit_code, result.stderr) == (1, api_failure_line(429))
    assert list(temporary.iterdir()) == []


def test_the_task_given_on_the_command_line_is_sent(openai_api, run_script, temporary):
    responses = openai_api.post("/responses").mock(
        return_value=httpx.Response(200, json=payloads.response("Nothing to do."))
    )

    result = run_script(SCRIPT, "Say hello.")

    assert sent_json(responses)["input"] == "Say hello."
    assert result.stdout.splitlines()[2] == "Answer: Nothing to do."
