"""The demo's pricing chapter quotes a stay and shows where every cent comes from."""

from __future__ import annotations

import io

from staycore.demo import run_demo


def test_the_demo_quotes_a_stay_with_its_breakdown() -> None:
    out = io.StringIO()
    run_demo(out)
    chapter = out.getvalue().split("5. A quote that explains every cent", 1)[1]
    assert "2026-12-31  Garden double, member rate       186.22" in chapter
    assert "discount    50 off over 500 (code WINTER50)     -50.00" in chapter
    assert "total                                        EUR 612.21" in chapter
    assert "derived plan   Garden double, member rate      -5 %      -9.00" in chapter
