"""The response-lifecycle notebook: kept without outputs in git, and run whole, offline, with no error cell."""

import json

from tests.conftest import PATIENCE, REPO_ROOT
from tests.support import optional

NOTEBOOK = REPO_ROOT / "notebooks" / "response_lifecycle.ipynb"


def test_the_notebook_is_kept_without_outputs_and_says_how_to_open_it():
    notebook = json.loads(NOTEBOOK.read_text())
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]

    assert code
    assert all(cell["outputs"] == [] and cell["execution_count"] is None for cell in code)
    first = "".join(notebook["cells"][0]["source"])
    assert "uv run --group notebook jupyter lab notebooks/response_lifecycle.ipynb" in first


def test_the_notebook_runs_offline_from_top_to_bottom(monkeypatch, tmp_path):
    optional.require_module("nbclient", "notebook")
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("OPENAI_OFFLINE", "1")
    monkeypatch.setenv("OPENAI_OFFLINE_STATE", str(tmp_path / "state.sqlite3"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)

    NotebookClient(
        notebook, timeout=PATIENCE, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()

    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert [output for output in outputs if output.output_type == "error"] == []
    printed = "".join(output.get("text", "") for output in outputs if output.output_type == "stream")
    assert "{'notebook': 'response_lifecycle', 'step': 'create'}" in printed
    assert "your name is Ada" in printed  # the chain remembers
    assert "['Tomatoes.', 'Basil.'] has_more: True" in printed  # a page of two, then the next
    assert "queued\ncancelled cancelled\n" in printed
    assert printed.endswith("gone: 404\n")
