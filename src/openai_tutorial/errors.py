"""The error a user fixes themselves, at the bottom of the package so that any layer may raise it.

``client.run`` prints it as one line and exits 2; so does click, for a ``flask`` command
(``purge``) whose app cannot start. Scripts import it from ``openai_tutorial.client``.
"""

import click


class UsageError(click.ClickException):
    """Something the user has to fix before a script can work: a setting, a path, an argument."""

    exit_code = 2
