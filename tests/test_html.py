"""The HTML report: one self-contained page with every claim, checked in headless Chromium."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.page import html_page

BASELINE = Path(__file__).parent.parent / "baselines" / "ci.json"
INSTALL = "apt-get install chromium (Debian/Ubuntu), or put a chromium binary on PATH"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The committed baseline's 43 claims and one claim with traces as a page, written once for
    the module's tests (the traced claim's figure stands in for every claim's: drawing 44 takes
    20 s)."""
    pytest.importorskip("matplotlib")
    from test_plots import traced_row

    import harness.plots

    report = json.loads(BASELINE.read_text())
    rows = report["claims"] + [traced_row("toy/curves")]
    drawn = harness.plots.png_bytes(rows[-1])
    path = tmp_path_factory.mktemp("html") / "run.html"
    with pytest.MonkeyPatch.context() as patch:  # one figure drawn, the others reused: fast
        patch.setattr(harness.plots, "png_bytes", lambda row: drawn)
        path.write_text(html_page(report["environment"], rows))
    return path, [row["id"] for row in rows]


def test_the_page_is_self_contained_and_names_every_claim(page):
    path, ids = page
    text = path.read_text()
    assert all(claim_id in text for claim_id in ids)
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", text)
    assert "<link" not in text and "<script src" not in text
    assert text.count('src="data:image/png;base64,') == len(ids)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    pytest.skip(f"no headless Chromium here: {INSTALL}")


def test_headless_chromium_renders_every_claim(page, tmp_path):
    path, ids = page
    flags = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--window-size=1280,2400", "--virtual-time-budget=5000"]
    shot = tmp_path / "page.png"
    subprocess.run([*flags, f"--screenshot={shot}", path.as_uri()], capture_output=True,
                   timeout=120, check=True)
    assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 10_000
    dom = subprocess.run([*flags, "--dump-dom", path.as_uri()], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    rendered = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)>.*?</\1>", "", dom, flags=re.S))
    missing = [claim_id for claim_id in ids if claim_id not in rendered]
    assert not missing
