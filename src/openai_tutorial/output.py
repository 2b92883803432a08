"""Where a lesson saves what it makes (pictures, downloaded files), so that nothing lands loose in the repository.

Run from the repository's root, as the README's commands are, a lesson saves into ``output/``
there, which git ignores; run from any other folder, it saves into that folder, as asked.
"""

from pathlib import Path

from openai_tutorial import client


def output_folder() -> Path:
    """The folder to save into: ``output/`` of the repository when run from its root, else the current one."""
    here = Path.cwd()
    if here.resolve() != client.REPO_ROOT.resolve():
        return here
    folder = here / "output"
    folder.mkdir(exist_ok=True)
    return folder
