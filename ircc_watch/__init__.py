"""The wiring: the CLI, the service, the pipeline that joins crawlers, storage, diffing and
notifier. ``storage`` is imported first, so that sqlite-utils loads without numpy (see there)."""

import storage  # noqa: F401
