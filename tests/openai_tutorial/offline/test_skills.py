"""Skills in the stand-in: bundles uploaded as files or a zip, checked, kept, listed, deleted, and mounted in an
automatic container, where the simulated model reads the SKILL.md and runs what it quotes."""

import io
import zipfile

import openai
import pytest

from openai_tutorial.client import get_model
from tests.support.refusals import error_of, refusal

MODEL = get_model()
REPORT = b"---\nname: report\ndescription: Say which Python runs.\n---\nRun `python3 --version`.\n"
GREETING = b"---\nname: greeting\ndescription: Say hello.\n---\nRun `echo hello`.\n"


def shell_with(*skill_ids: str) -> list[dict]:
    skills = [{"type": "skill_reference", "skill_id": skill_id} for skill_id in skill_ids]
    return [{"type": "shell", "environment": {"type": "container_auto", "skills": skills}}]


def ran(response) -> list[tuple[str, str]]:
    (call,) = [item for item in response.output if item.type == "shell_call"]
    (output,) = [item for item in response.output if item.type == "shell_call_output"]
    return [(command, each.stdout) for command, each in zip(call.action.commands, output.output, strict=True)]


def test_a_skill_is_uploaded_as_files_retrieved_listed_and_deleted(client):
    skill = client.skills.create(
        files=[("report/SKILL.md", REPORT, "text/markdown"), ("report/notes.txt", b"n", "text/plain")]
    )

    assert (skill.object, skill.name, skill.description, skill.default_version) == (
        "skill",
        "report",
        "Say which Python runs.",
        "1",
    )
    assert client.skills.retrieve(skill.id) == skill
    assert [each.id for each in client.skills.list()] == [skill.id]
    deleted = client.skills.delete(skill.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (skill.id, True, "skill.deleted")
    with pytest.raises(openai.NotFoundError) as raised:
        client.skills.retrieve(skill.id)
    assert error_of(raised) == refusal(f"Skill with id '{skill.id}' not found.")


def test_a_skill_is_uploaded_as_one_zip_of_its_folder(client):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("greeting/", "")
        bundle.writestr("greeting/SKILL.md", GREETING)

    skill = client.skills.create(files=("greeting.zip", archive.getvalue(), "application/zip"))

    assert skill.name == "greeting"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            [("a/SKILL.md", REPORT), ("b/SKILL.md", REPORT)],
            "Invalid 'files': a skill is the files of one top-level folder.",
        ),
        ([("/abs/SKILL.md", REPORT)], "Invalid 'files': a skill is the files of one top-level folder."),
        ([("a/../SKILL.md", REPORT)], "Invalid 'files': a skill is the files of one top-level folder."),
        ([("a/README.md", REPORT)], "Invalid 'files': the folder 'a' has no SKILL.md."),
        (
            [("a/SKILL.md", b"---\nname: a\n---\nNo description.")],
            "Invalid 'files': the front matter of SKILL.md needs a name and a description.",
        ),
        (
            [("a/SKILL.md", b"No front matter.")],
            "Invalid 'files': the front matter of SKILL.md needs a name and a description.",
        ),
        ([("a.zip", b"not a zip")], "Invalid 'files': the zip could not be read."),
    ],
    ids=[
        "two folders",
        "an absolute path",
        "a path that climbs",
        "no SKILL.md",
        "no description",
        "no front matter",
        "a bad zip",
    ],
)
def test_a_bundle_that_is_not_one_skill_is_refused(client, files, message):
    with pytest.raises(openai.BadRequestError) as raised:
        client.skills.create(files=list(files))

    assert error_of(raised) == refusal(message, "files")
    assert list(client.skills.list()) == []


def test_a_mounted_skill_s_files_are_in_the_container_and_its_way_is_followed(client):
    skill = client.skills.create(files=[("report/SKILL.md", REPORT), ("report/notes.txt", b"n")])

    response = client.responses.create(model=MODEL, input="Use the report skill.", tools=shell_with(skill.id))

    assert ran(response) == [
        ("cat /mnt/skills/report/SKILL.md", REPORT.decode()),
        ("python3 --version", "Python 3.12.3\n"),
    ]
    (container,) = client.containers.list()
    paths = sorted(file.path for file in client.containers.files.list(container.id))
    assert paths == ["/mnt/skills/report/SKILL.md", "/mnt/skills/report/notes.txt"]


def test_of_two_skills_the_one_the_question_names_is_used(client):
    report = client.skills.create(files=[("report/SKILL.md", REPORT)])
    greeting = client.skills.create(files=[("greeting/SKILL.md", GREETING)])

    named = client.responses.create(model=MODEL, input="Use greeting.", tools=shell_with(report.id, greeting.id))
    unnamed = client.responses.create(model=MODEL, input="Go.", tools=shell_with(greeting.id, report.id))

    assert ran(named) == [("cat /mnt/skills/greeting/SKILL.md", GREETING.decode()), ("echo hello", "hello\n")]
    assert ran(unnamed)[0][0] == "cat /mnt/skills/greeting/SKILL.md"  # the first in path order


@pytest.mark.parametrize(
    ("skills", "expected"),
    [
        (
            [{"type": "skill_reference", "skill_id": "skill_gone"}],
            refusal("Skill with id 'skill_gone' not found.", "tools[0].environment.skills[0].skill_id"),
        ),
        (
            [{"type": "inline", "name": "x", "description": "y", "source": {}}],
            refusal(
                "The offline stand-in mounts uploaded skills only: name each one as "
                "{'type': 'skill_reference', 'skill_id': ...}.",
                "tools[0].environment.skills[0]",
            ),
        ),
    ],
    ids=["an unknown skill", "an inline skill"],
)
def test_a_skill_that_cannot_be_mounted_is_refused_before_a_container_is_made(client, skills, expected):
    tools = [{"type": "shell", "environment": {"type": "container_auto", "skills": skills}}]

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="Use it.", tools=tools)

    assert error_of(raised) == expected
    assert list(client.containers.list()) == []
