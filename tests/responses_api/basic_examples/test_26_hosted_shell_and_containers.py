import httpx
import pytest

from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/26-hosted_shell_and_containers.py"
NOTES = "/mnt/data/notes.txt"
LIMITS = "Give each shell call a timeout_ms of at most 10000 and a max_output_length of at most 4096."
QUESTIONS = [
    "Run `python3 --version` and `curl -sI https://example.com`, then say what each one shows.",
    f"Run `printf 'milk\\neggs\\nbread\\n' > {NOTES}` and `wc -l {NOTES}`.",
    f"Run `cat {NOTES}`: what is on the last line?",
]


def ran(commands: list[str], outputs: list[tuple[str, str, int | None]], answer: str, container: str) -> httpx.Response:
    call = payloads.shell_call(commands, container_id=container, call_id=f"call_{len(commands)}{answer[:3]}")
    output = payloads.shell_call_output(call["call_id"], outputs)
    return httpx.Response(200, json=payloads.response(output=[call, output, payloads.message(answer)]))


AUTO_RUN = ran(
    ["python3 --version", "curl -sI https://example.com"],
    [("Python 3.12.3\n", "", 0), ("", "curl: (6) Could not resolve host: example.com\n", 6)],
    "Python 3.12; no network.",
    "cntr_auto",
)
WRITE_RUN = ran(
    [f"printf 'milk\\neggs\\nbread\\n' > {NOTES}", f"wc -l {NOTES}"],
    [("", "", 0), (f"3 {NOTES}\n", "", 0)],
    "Three lines.",
    "cntr_0001",
)
READ_RUN = ran([f"cat {NOTES}"], [("milk\neggs\nbread\n", "", None)], "Bread.", "cntr_0001")
SKILL = b"""---
name: container-report
description: Report on the container: its Python version and the files in /mnt/data.
---
Run `python3 --version` and `ls -l /mnt/data`, then say what the container holds.
"""
MANIFEST = "/mnt/skills/container-report/SKILL.md"
SKILL_RUN = ran(
    [f"cat {MANIFEST}", "python3 --version"],
    [(SKILL.decode(), "", 0), ("Python 3.12.3\n", "", 0)],
    "It runs Python 3.12.",
    "cntr_auto2",
)


@pytest.fixture
def container_api(openai_api):
    """The Containers endpoints the lesson calls: create, list its files, download one, delete."""
    return {
        "create": openai_api.post("/containers").mock(return_value=httpx.Response(200, json=payloads.container())),
        "delete": openai_api.delete("/containers/cntr_0001").mock(
            return_value=httpx.Response(200, json=payloads.deleted("container", "cntr_0001"))
        ),
    }


@pytest.fixture
def skill_api(openai_api):
    """The Skills endpoints the lesson calls: upload one, delete it."""
    skill = {
        "id": "skill_1",
        "object": "skill",
        "name": "container-report",
        "description": "Report on the container.",
        "created_at": 1_700_000_000,
        "default_version": "1",
        "latest_version": "1",
    }
    return {
        "create": openai_api.post("/skills").mock(return_value=httpx.Response(200, json=skill)),
        "delete": openai_api.delete("/skills/skill_1").mock(
            return_value=httpx.Response(200, json={"id": "skill_1", "object": "skill.deleted", "deleted": True})
        ),
    }


def files_listed(openai_api, paths: list[str]):
    listing = payloads.item_list([payloads.container_file(path, id=f"cfile_{n}") for n, path in enumerate(paths)])
    return openai_api.get("/containers/cntr_0001/files").mock(return_value=httpx.Response(200, json=listing))


def test_each_command_and_its_output_are_shown_the_file_downloaded_and_the_container_deleted(
    openai_api, container_api, skill_api, run_script, tmp_path
):
    responses = openai_api.post("/responses").mock(side_effect=[AUTO_RUN, WRITE_RUN, READ_RUN, SKILL_RUN])
    files_listed(openai_api, ["/mnt/data/other.txt", NOTES])
    content = openai_api.get("/containers/cntr_0001/files/cfile_1/content").mock(
        return_value=httpx.Response(200, content=b"milk\neggs\nbread\n", headers={"content-type": "application/binary"})
    )
    out = tmp_path / "saved.txt"

    result = run_script(SCRIPT, "--out", str(out))

    assert result.exit_code == 0, result.stderr
    asked = [sent_json(responses, n) for n in range(4)]
    assert [body["input"] for body in asked] == [*QUESTIONS, "Use the container-report skill."]
    assert [(body["instructions"], body["max_tool_calls"]) for body in asked] == [(LIMITS, 3)] * 4
    assert asked[0]["tools"] == [
        {"type": "shell", "environment": {"type": "container_auto", "network_policy": {"type": "disabled"}}}
    ]
    by_reference = [{"type": "shell", "environment": {"type": "container_reference", "container_id": "cntr_0001"}}]
    assert [body["tools"] for body in asked[1:3]] == [by_reference, by_reference]
    assert asked[3]["tools"] == [
        {
            "type": "shell",
            "environment": {
                "type": "container_auto",
                "network_policy": {"type": "disabled"},
                "skills": [{"type": "skill_reference", "skill_id": "skill_1"}],
            },
        }
    ]
    upload = skill_api["create"].calls.last.request
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'name="files[]"; filename="container-report/SKILL.md"' in upload.content
    assert SKILL in upload.content
    assert skill_api["delete"].call_count == 1
    assert all("previous_response_id" not in body for body in asked)  # the container, not the chain, remembers
    assert sent_json(container_api["create"]) == {
        "name": "lesson-26",
        "memory_limit": "1g",
        "network_policy": {"type": "disabled"},
        "expires_after": {"anchor": "last_active_at", "minutes": 20},
    }
    assert (content.call_count, container_api["delete"].call_count) == (1, 1)
    assert out.read_bytes() == b"milk\neggs\nbread\n"
    limits = "(timeout 10000 ms, output cut at 4096 characters)"
    assert result.stdout.splitlines() == [
        "1. An automatic container, with the network disabled",
        f"  shell_call in cntr_auto {limits}:",
        "    $ python3 --version   [exit 0]",
        "      Python 3.12.3",
        "    $ curl -sI https://example.com   [exit 6]",
        "      curl: (6) Could not resolve host: example.com",
        "  answer: Python 3.12; no network.",
        "",
        "2. A container of our own, named by reference in two requests",
        "  created cntr_0001 (expires after 20 idle minutes)",
        f"  shell_call in cntr_0001 {limits}:",
        f"    $ printf 'milk\\neggs\\nbread\\n' > {NOTES}   [exit 0]",
        f"    $ wc -l {NOTES}   [exit 0]",
        f"      3 {NOTES}",
        "  answer: Three lines.",
        f"  shell_call in cntr_0001 {limits}:",
        f"    $ cat {NOTES}   [timed out]",
        "      milk",
        "      eggs",
        "      bread",
        "  answer: Bread.",
        f"  downloaded {NOTES} (16 bytes, written by the assistant) to {out}",
        "  deleted cntr_0001",
        "",
        "3. A skill of our own, mounted in an automatic container",
        "  uploaded the skill container-report as skill_1 (version 1)",
        f"  shell_call in cntr_auto2 {limits}:",
        f"    $ cat {MANIFEST}   [exit 0]",
        *[f"      {line}" for line in SKILL.decode().splitlines()],
        "    $ python3 --version   [exit 0]",
        "      Python 3.12.3",
        "  answer: It runs Python 3.12.",
        "  deleted the skill skill_1",
    ]
    assert result.stderr == ""


def test_the_file_is_saved_as_notes_txt_in_the_current_folder_by_default(
    openai_api, container_api, skill_api, run_script, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    openai_api.post("/responses").mock(side_effect=[AUTO_RUN, WRITE_RUN, READ_RUN, SKILL_RUN])
    files_listed(openai_api, [NOTES])
    openai_api.get("/containers/cntr_0001/files/cfile_0/content").mock(return_value=httpx.Response(200, content=b"x"))

    result = run_script(SCRIPT)

    assert (result.exit_code, (tmp_path / "notes.txt").read_bytes()) == (0, b"x")


def test_a_failed_request_still_deletes_the_container_and_is_one_line(openai_api, container_api, run_script):
    openai_api.post("/responses").mock(side_effect=[AUTO_RUN, WRITE_RUN, api_failure(500)])

    result = run_script(SCRIPT)

    assert result.exit_code == 1
    assert container_api["delete"].call_count == 1
    assert result.stdout.splitlines()[-1] == "  deleted cntr_0001"
    assert result.stderr == api_failure_line(500)


def test_a_container_without_the_file_says_so_exits_1_and_is_deleted(openai_api, container_api, run_script, tmp_path):
    openai_api.post("/responses").mock(side_effect=[AUTO_RUN, WRITE_RUN, READ_RUN])
    files_listed(openai_api, ["/mnt/data/other.txt"])

    result = run_script(SCRIPT, "--out", str(tmp_path / "saved.txt"))

    assert result.exit_code == 1
    assert result.stderr == f"The container holds no {NOTES}: the model did not write it.\n"
    assert container_api["delete"].call_count == 1
    assert not (tmp_path / "saved.txt").exists()


def test_a_container_that_cannot_be_deleted_is_named_on_stderr(openai_api, skill_api, run_script, tmp_path):
    openai_api.post("/containers").mock(return_value=httpx.Response(200, json=payloads.container()))
    openai_api.delete("/containers/cntr_0001").mock(return_value=api_failure(500))
    openai_api.post("/responses").mock(side_effect=[AUTO_RUN, WRITE_RUN, READ_RUN, SKILL_RUN])
    files_listed(openai_api, [NOTES])
    openai_api.get("/containers/cntr_0001/files/cfile_0/content").mock(return_value=httpx.Response(200, content=b"x"))

    result = run_script(SCRIPT, "--out", str(tmp_path / "saved.txt"))

    assert result.exit_code == 0
    assert result.stderr == (
        "Could not delete cntr_0001, so it lives until it has been idle for 20 minutes.\n" + api_failure_line(500)
    )


def test_an_api_error_before_any_container_exists_creates_none(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(401))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "1. An automatic container, with the network disabled\n",
        api_failure_line(401),
    )


def test_a_failed_request_with_the_skill_mounted_still_deletes_the_skill(
    openai_api, container_api, skill_api, run_script, tmp_path
):
    openai_api.post("/responses").mock(side_effect=[AUTO_RUN, WRITE_RUN, READ_RUN, api_failure(500)])
    files_listed(openai_api, [NOTES])
    openai_api.get("/containers/cntr_0001/files/cfile_0/content").mock(return_value=httpx.Response(200, content=b"x"))

    result = run_script(SCRIPT, "--out", str(tmp_path / "saved.txt"))

    assert (result.exit_code, result.stderr) == (1, api_failure_line(500))
    assert skill_api["delete"].call_count == 1
    assert result.stdout.splitlines()[-1] == "  deleted the skill skill_1"
