"""The crawl state part (`Store.crawl_state`): one `url_state` upsert serves the local crawl's
`save_page` and the distributed writer's `record_pages`, and the part works on its own."""

from __future__ import annotations

from archiver.extract.page import Article
from archiver.store.archive import Store

from ..support import article

URL = "https://example.com/news/a"
REQUESTED = "https://example.com/news/a?utm=feed"
SEEN = "2026-01-01T10:00:00+00:00"


def council_story() -> Article:
    return article(URL, "Council votes", "The council voted.\nTurnout was low.")


def url_state(store: Store) -> list[tuple]:
    return store.conn.execute("SELECT url, site, article_url, etag, last_modified, "
                              "last_checked, next_check, checks FROM url_state "
                              "ORDER BY url").fetchall()


def test_a_crawl_and_a_writer_leave_the_same_revisit_state(tmp_path):
    with Store(tmp_path / "local.db") as local, Store(tmp_path / "writer.db") as writer:
        for _ in range(2):  # the second fetch counts a second check
            local.save_page("s", council_story(), SEEN, requested_url=REQUESTED, etag='"v1"',
                            last_modified="Thu, 01 Jan 2026 09:00:00 GMT", schedule=(3600,))
            writer.save_many([("s", council_story(), SEEN, None)])
            writer.record_pages([{"url": URL, "requested_url": REQUESTED, "site": "s",
                                  "seen_at": SEEN, "etag": '"v1"',
                                  "last_modified": "Thu, 01 Jan 2026 09:00:00 GMT",
                                  "schedule": [3600], "capture_id": None}])
        assert url_state(local) == url_state(writer)
        assert url_state(local) == [
            (u, "s", URL, '"v1"', "Thu, 01 Jan 2026 09:00:00 GMT", SEEN,
             "2026-01-01T11:00:00+00:00", 2) for u in sorted({URL, REQUESTED})]


def test_a_page_stored_leaves_the_frontier_and_is_not_due(tmp_path):
    with Store(tmp_path / "a.db") as store:
        state = store.crawl_state
        state.frontier_add("s", REQUESTED, "page", 1)
        assert [e["url"] for e in state.frontier("s")] == [REQUESTED]
        state.save_page("s", council_story(), SEEN, requested_url=REQUESTED, schedule=(3600,))
        assert state.frontier("s") == []
        assert state.due_urls("s", now="2026-01-01T10:30:00+00:00") == []
        assert state.due_urls("s", now="2026-01-01T11:00:00+00:00") != []
        assert store.validators(REQUESTED) is None  # no validators given
