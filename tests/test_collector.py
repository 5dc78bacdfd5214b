"""The live preview's cycle collector switch (adapters/collector.py): off from the start of a
rebuild until the collection after it, and on again whatever happens."""

from __future__ import annotations

import gc

from cir_portal.adapters.collector import Collector


def test_collector_is_off_during_a_rebuild_and_on_after_its_collection() -> None:
    collector = Collector(delay=60.0)
    try:
        collector.pause()
        assert not gc.isenabled()
        collector.resume()
        assert not gc.isenabled()  # until the idle collection
        collector._collect()  # (what the timer runs)
        assert gc.isenabled()
        # a rebuild that starts before the collection ran: still off, then one collection after both
        collector.pause()
        collector.resume()
        collector.pause()
        assert not gc.isenabled()
        collector.resume()
    finally:
        collector.close()
    assert gc.isenabled()
