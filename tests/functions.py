"""Building deployment packages for tests."""

from __future__ import annotations

import io
import textwrap
import uuid
import zipfile

# The execution role of the tests' functions; LaminaServer.create_role() makes it (Lambda refuses roles
# that do not exist or that it may not assume).
ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def zip_files(files: dict[str, str | bytes], modes: dict[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = ((modes or {}).get(name, 0o644) | 0o100000) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, textwrap.dedent(content) if isinstance(content, str) else content)
    return buffer.getvalue()


def python_zip(source: str, module: str = "app") -> bytes:
    return zip_files({f"{module}.py": source})


def unique_name(prefix: str = "fn") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
