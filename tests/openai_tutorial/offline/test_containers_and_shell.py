"""Containers and the hosted shell in the stand-in: the Containers endpoints, files kept across requests, commands
simulated (never run) on a container's files, and the requests it refuses."""

import openai
import pytest

from openai_tutorial.client import get_model
from tests.support.refusals import error_of, refusal

MODEL = get_model()
NO_NETWORK = {"type": "disabled"}


def reference(container_id: str) -> dict:
    return {"type": "shell", "environment": {"type": "container_reference", "container_id": container_id}}


def shell_items(response):
    (call,) = [item for item in response.output if item.type == "shell_call"]
    (output,) = [item for item in response.output if item.type == "shell_call_output"]
    return call, output


def outcomes(response) -> list[tuple[str, str, int]]:
    _, output = shell_items(response)
    return [(each.stdout, each.stderr, each.outcome.exit_code) for each in output.output]


@pytest.fixture
def container(client):
    return client.containers.create(name="work", network_policy=NO_NETWORK)


def run_in(client, container, *commands: str):
    question = "Run " + " and ".join(f"`{command}`" for command in commands) + "."
    return client.responses.create(model=MODEL, input=question, tools=[reference(container.id)])


def test_a_container_is_created_with_the_api_s_defaults_listed_retrieved_and_deleted(client):
    made = client.containers.create(name="defaults")
    other = client.containers.create(
        name="big",
        memory_limit="4g",
        expires_after={"anchor": "last_active_at", "minutes": 5},
        network_policy={"type": "allowlist", "allowed_domains": ["pypi.org"]},
    )

    assert (made.object, made.status, made.memory_limit, made.network_policy.type) == (
        "container",
        "running",
        "1g",
        "disabled",
    )
    assert (made.expires_after.anchor, made.expires_after.minutes, made.last_active_at) == (
        "last_active_at",
        20,
        made.created_at,
    )
    assert (other.memory_limit, other.expires_after.minutes, other.network_policy.allowed_domains) == (
        "4g",
        5,
        ["pypi.org"],
    )
    assert [c.id for c in client.containers.list()] == [other.id, made.id]
    assert [c.id for c in client.containers.list(name="big")] == [other.id]
    assert client.containers.retrieve(made.id).name == "defaults"
    assert client.containers.delete(made.id) is None
    assert [c.id for c in client.containers.list(order="asc")] == [other.id]
    with pytest.raises(openai.NotFoundError) as raised:
        client.containers.retrieve(made.id)
    assert error_of(raised) == refusal(f"Container with id '{made.id}' not found.")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({}, refusal("Missing required parameter: 'name'.", "name", "missing_required_parameter")),
        (
            {"name": "x", "memory_limit": "2g"},
            refusal("Invalid 'memory_limit': '2g'. Supported values are: 1g, 4g, 16g, 64g.", "memory_limit"),
        ),
        (
            {"name": "x", "file_ids": ["file-missing"]},
            refusal("The file 'file-missing' was not found.", "file_ids"),
        ),
    ],
    ids=["no name", "memory limit", "missing file"],
)
def test_a_container_the_api_would_refuse_is_a_400_and_nothing_is_kept(client, raw_api, arguments, expected):
    answer = raw_api.post("containers", json=arguments)

    assert (answer.status_code, answer.json()) == (400, {"error": expected})
    assert list(client.containers.list()) == []


def test_files_are_uploaded_copied_listed_read_and_deleted(client, container, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("first upload")
    uploaded = client.containers.files.create(container.id, file=note)
    kept = client.files.create(file=("kept.csv", b"a,b\n1,2\n"), purpose="user_data")
    copied = client.containers.files.create(container.id, file_id=kept.id)
    note.write_text("second upload")
    replaced = client.containers.files.create(container.id, file=note)

    assert (uploaded.object, uploaded.path, uploaded.source, uploaded.container_id) == (
        "container.file",
        "/mnt/data/note.txt",
        "user",
        container.id,
    )
    assert (copied.path, copied.bytes) == ("/mnt/data/kept.csv", 8)
    assert replaced.id == uploaded.id  # one file per path: an upload to the same path replaces it
    assert [f.path for f in client.containers.files.list(container.id)] == ["/mnt/data/kept.csv", "/mnt/data/note.txt"]
    assert client.containers.files.retrieve(copied.id, container_id=container.id).bytes == 8
    content = client.containers.files.content.retrieve(uploaded.id, container_id=container.id)
    assert content.read() == b"second upload"
    assert client.containers.files.delete(copied.id, container_id=container.id) is None
    with pytest.raises(openai.NotFoundError) as raised:
        client.containers.files.content.retrieve(copied.id, container_id=container.id)
    assert error_of(raised) == refusal(f"File with id '{copied.id}' not found in container '{container.id}'.")


def test_a_container_made_with_uploaded_files_holds_them_and_its_deletion_removes_them(client, raw_api):
    kept = client.files.create(file=("data.txt", b"42\n"), purpose="user_data")
    made = client.containers.create(name="with files", file_ids=[kept.id])
    (file,) = client.containers.files.list(made.id)

    client.containers.delete(made.id)

    assert (file.path, file.source) == ("/mnt/data/data.txt", "user")
    answer = raw_api.get(f"containers/{made.id}/files/{file.id}")
    assert (answer.status_code, answer.json()["error"]["message"]) == (404, f"Container with id '{made.id}' not found.")


def test_a_file_upload_without_a_file_is_refused(client, container, raw_api):
    missing = raw_api.post(f"containers/{container.id}/files", json={"file_id": "file-nope"})
    empty = raw_api.post(f"containers/{container.id}/files", files={"purpose": (None, "x")})

    assert (missing.status_code, missing.json()) == (
        400,
        {"error": refusal("The file 'file-nope' was not found.", "file_id")},
    )
    assert (empty.status_code, empty.json()) == (
        400,
        {"error": refusal("Send either 'file' or 'file_id'.", "file", "missing_required_parameter")},
    )


def test_container_auto_makes_a_container_per_request_with_the_tool_s_network_policy(client):
    tool = {"type": "shell", "environment": {"type": "container_auto", "network_policy": NO_NETWORK}}
    first = client.responses.create(model=MODEL, input="Run `python3 --version`.", tools=[tool])
    second = client.responses.create(model=MODEL, input="Run `ls`.", tools=[tool])

    call, output = shell_items(first)
    assert call.action.commands == ["python3 --version"]
    assert (call.action.timeout_ms, call.action.max_output_length, output.max_output_length) == (10000, 4096, 4096)
    assert (call.status, output.status, output.call_id) == ("completed", "completed", call.call_id)
    assert outcomes(first) == [("Python 3.12.3\n", "", 0)]
    made = {c.id: c for c in client.containers.list()}
    ids = [shell_items(response)[0].environment.container_id for response in (first, second)]
    assert sorted(made) == sorted(set(ids))  # one new container for each request
    assert [(c.name, c.network_policy.type) for c in made.values()] == [("container_auto", "disabled")] * 2
    assert first.output[-1].content[0].text == (
        "This is the offline stand-in, not a model, so this reply is canned, and nothing ran: the stand-in "
        "simulated 1 command(s) on the container's files, of which 0 failed. The last line printed was "
        "“Python 3.12.3”."
    )


def test_a_file_written_in_one_request_is_read_in_the_next_and_downloaded(client, container):
    wrote = run_in(client, container, "printf 'milk\\neggs\\n' > notes.txt", "echo bread >> /mnt/data/notes.txt")
    read = run_in(client, container, "cat /mnt/data/notes.txt", "wc -l notes.txt", "ls /mnt/data")

    assert outcomes(wrote) == [("", "", 0), ("", "", 0)]
    assert outcomes(read) == [
        ("milk\neggs\nbread\n", "", 0),
        ("3 /mnt/data/notes.txt\n", "", 0),
        ("notes.txt\n", "", 0),
    ]
    (file,) = client.containers.files.list(container.id)
    assert (file.path, file.source, file.bytes) == ("/mnt/data/notes.txt", "assistant", 16)
    assert client.containers.files.content.retrieve(file.id, container_id=container.id).read() == b"milk\neggs\nbread\n"
    assert client.containers.retrieve(container.id).last_active_at >= container.last_active_at
    assert read.output[-1].content[0].text.endswith("of which 0 failed. The last line printed was “notes.txt”.")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("cat /mnt/data/absent.txt", ("", "cat: /mnt/data/absent.txt: No such file or directory\n", 1)),
        ("wc -l ../etc/passwd", ("", "wc: /mnt/etc/passwd: No such file or directory\n", 1)),
        ("rm -rf /", ("", "offline stand-in: `rm -rf /` is not simulated, so nothing ran\n", 127)),
        ("echo 'unclosed", ("", "sh: syntax error: No closing quotation\n", 2)),
        ("cat > broken.txt", ("", "offline stand-in: `cat` is not simulated, so nothing ran\n", 127)),
        ("wc -c", ("", "offline stand-in: `wc -c` is not simulated, so nothing ran\n", 127)),
        ("curl -sI https://example.com", ("", "curl: (6) Could not resolve host: example.com\n", 6)),
        ("python --version", ("Python 3.12.3\n", "", 0)),
        ("ls", ("", "", 0)),
    ],
    ids=[
        "missing file",
        "climbing out",
        "unknown",
        "unclosed quote",
        "failed redirect",
        "wc without -l",
        "no network",
        "python",
        "ls",
    ],
)
def test_a_command_the_stand_in_does_not_simulate_or_that_fails_says_so_and_writes_nothing(
    client, container, command, expected
):
    response = run_in(client, container, command)

    assert outcomes(response) == [expected]
    assert list(client.containers.files.list(container.id)) == []


def test_curl_reaches_only_the_hosts_an_allowlist_names_and_fetches_nothing(client):
    allowlist = {"type": "allowlist", "allowed_domains": ["pypi.org"]}
    made = client.containers.create(name="online", network_policy=allowlist)

    response = run_in(client, made, "curl -sI https://pypi.org/simple/", "curl https://example.com")

    assert outcomes(response) == [
        ("HTTP/2 200\ncontent-type: text/html\n\n(offline stand-in: nothing was fetched from pypi.org)\n", "", 0),
        ("", "curl: (6) Could not resolve host: example.com\n", 6),
    ]


def test_a_question_that_quotes_no_command_lists_the_data_folder(client, container):
    response = client.responses.create(model=MODEL, input="What is in there?", tools=[reference(container.id)])

    assert shell_items(response)[0].action.commands == ["ls /mnt/data"]


def test_a_long_output_is_cut_at_the_call_s_limit(client, container):
    response = run_in(client, container, "echo " + "x" * 5000)

    (stdout, _, _) = outcomes(response)[0]
    assert len(stdout) == 4096


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        (
            {"type": "container_reference", "container_id": "cntr_gone"},
            refusal("Container with id 'cntr_gone' not found.", "tools[1].environment.container_id"),
        ),
        (
            {"type": "elsewhere"},
            refusal(
                "Invalid shell environment: expected one of 'container_auto', 'container_reference' or 'local'.",
                "tools[1].environment",
            ),
        ),
        (
            "container_auto",
            refusal(
                "Invalid shell environment: expected one of 'container_auto', 'container_reference' or 'local'.",
                "tools[1].environment",
            ),
        ),
    ],
    ids=["unknown container", "unknown environment", "not an object"],
)
def test_a_shell_tool_whose_container_or_environment_is_unknown_is_refused(client, environment, expected):
    tools = [{"type": "web_search"}, {"type": "shell", "environment": environment}]

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="Run `ls`.", tools=tools)

    assert error_of(raised) == expected
    assert list(client.containers.list()) == []
