"""Synthetic referring-aerial corpus: procedural top-down scenes, unambiguous referring
expressions and their ground-truth masks, written in the RefSegRS layout.

Entry points: :func:`dataset.write_split` (what ``model/generate.py`` calls),
:func:`dataset.build_scene` (a scene and its expressions, for tests and tools),
:func:`scene.random_scene` / :class:`scene.Composer` and :func:`render.render` (building blocks).
"""
