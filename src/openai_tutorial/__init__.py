"""Plumbing shared by every example and app in this tutorial, so that each of them shows only its lesson."""
