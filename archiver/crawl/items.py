"""The item the spider hands to the pipelines: one fetched page, before extraction."""

from __future__ import annotations

from dataclasses import dataclass, field

from archiver.extract.page import Hints


@dataclass
class RawPage:
    """A fetched page: what the extractor needs, and what a raw capture keeps."""

    site: str
    url: str  #: the normalised URL that was requested
    final_url: str  #: where the response came from after redirects
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str
    hints: Hints = field(default_factory=Hints)
    capture_id: int | None = None  #: the WARC capture this page was read from, if kept
    #: a distributed worker's capture: where its WARC record is
    #: (archiver.distributed.redis_destination)
    capture_ref: dict | None = None

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")
