"""Authoring: everything that writes records (ids, YAML text, the atomic editor, scaffold,
import, gaps). Imports core only."""
