"""Where lessons save files: ``output/`` of the repository from its root (git ignores it), else the current folder."""

import subprocess

from openai_tutorial import client
from openai_tutorial.output import output_folder
from tests.conftest import REPO_ROOT


def test_from_the_repository_root_files_go_to_its_output_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(client, "REPO_ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)

    assert output_folder() == tmp_path / "output"
    assert (tmp_path / "output").is_dir()
    assert output_folder() == tmp_path / "output"  # made once, then used as it is


def test_from_anywhere_else_files_go_to_the_current_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)

    assert output_folder() == tmp_path
    assert not (tmp_path / "output").exists()


def test_git_ignores_the_output_folder():
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "output/image.png"], cwd=REPO_ROOT, capture_output=True, text=True
    )

    assert ignored.stdout == "output/image.png\n"
