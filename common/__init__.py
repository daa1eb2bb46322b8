"""Plumbing every app shares and no app's models depend on: the platform's base error
(`errors`), the REST API's conventions (`api`: one error format, strict JSON, pagination,
strict serializers, the `<id:...>` URL converter), the checks of untrusted JSON (`json_input`), the
client's address (`client_ip`), enqueueing a task by name without failing the caller
(`queueing`), and a helper for tests that wait on other processes (`testing`).

It imports Django and DRF, never an app (an import-linter contract, docs/architecture.md).
"""
