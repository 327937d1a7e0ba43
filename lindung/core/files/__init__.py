"""Files: uploaded and generated files through Django's storage API, one upload check, one way
out (see docs/files.md).

- ``check_upload(uploaded_file, kind, field="file") -> Detected`` raises ``UploadRefused``;
- ``store(...)``, ``store_upload(...)``, ``attach(...)``, ``local_path(...)``, ``open_stored(...)``;
- ``serve(request, file_id)`` / ``file_for(user, file_id)`` / ``response_for(user, stored)``.

The names are imported lazily, so the kernel's models module can import ``files.models`` first.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "check_upload": "checks",
    "check_path": "checks",
    "check_source": "checks",
    "sniff": "checks",
    "UploadRefused": "checks",
    "Detected": "checks",
    "inspect_spreadsheet": "checks",
    "FileKind": "kinds",
    "KINDS": "kinds",
    "SheetLimits": "kinds",
    "get_kind": "kinds",
    "StoredFile": "models",
    "store": "storage",
    "store_upload": "storage",
    "attach": "storage",
    "local_path": "storage",
    "open_stored": "storage",
    "open_text": "storage",
    "delete_stored": "storage",
    "serve": "serving",
    "file_for": "serving",
    "response_for": "serving",
    "can_see": "serving",
    "record_download": "serving",
    "record_document_download": "serving",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
