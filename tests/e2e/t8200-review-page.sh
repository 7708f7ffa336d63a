#!/usr/bin/env bash
# t8200-review-page: the HTML review page of `ward check`, rendered by
# headless Chromium (Debian's chromium): a screenshot is taken and the DOM
# Chromium built is checked (verdict, risk badges, requirement beside the
# explanation, entitlement table and chart, tests, approvals, controls), and
# the page makes no network fetch. Skipped, saying so, when Chromium is not
# installed or cannot start here.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gate_lib.sh"
gate_require_commands

CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	echo "SKIP: chromium is not installed (scripts/install-deps installs it)"
	exit 0
fi

# chrome ARGS...: headless Chromium with a fresh profile, no background
# traffic; output in $TMP/chrome.out.
chrome() {
	rm -rf "$TMP/profile"
	: >"$TMP/out"
	: >"$TMP/err"
	timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$TMP/profile" \
		--window-size=1280,2000 "$@" >"$TMP/chrome.out" 2>"$TMP/chrome.err"
}

if ! chrome --dump-dom "data:text/html,<p id=probe>ok</p>" || ! grep -q 'id="probe"' "$TMP/chrome.out"; then
	echo "SKIP: chromium cannot start here: $(tail -1 "$TMP/chrome.err")"
	exit 0
fi

R=$TMP/repo
gate_repo "$R"
cd "$R" || exit 1
req_1050 "$R"
WARD_USER=alice@example.com "$WARD" draft requests/REQ-1050.yaml -o policies/REQ-1050.cedar 2>/dev/null ||
	fail "draft failed"
"$WARD" approve --key "$KEYS/erin@example.com.key" -m "<script>alert(1)</script>" >/dev/null ||
	fail "approve failed"
"$WARD" check --format html --out "$TMP/review.html"
[ -s "$TMP/review.html" ] || fail "no review page written"

tcase "the page renders: screenshot"
chrome --screenshot="$TMP/review.png" "file://$TMP/review.html"
status=$?
expect_status 0
[ -s "$TMP/review.png" ] || fail "no screenshot"
# a PNG of the requested width
python3 - "$TMP/review.png" <<'PY' || fail "the screenshot is not a 1280-pixel-wide PNG"
import struct, sys
b = open(sys.argv[1], "rb").read(24)
assert b[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", b[16:24])
assert w == 1280 and h > 500, (w, h)
PY

tcase "the DOM holds the review"
chrome --dump-dom "file://$TMP/review.html"
status=$?
expect_status 0
python3 - "$TMP/chrome.out" <<'PY' || fail "DOM assertions failed"
import sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.els = []   # (tag, attrs)
        self.text = []
        self.stack = []
    def handle_starttag(self, tag, attrs):
        self.els.append((tag, dict(attrs)))
    def handle_data(self, d):
        self.text.append(d)

p = P()
p.feed(open(sys.argv[1]).read())
text = " ".join(p.text)
def find(tag=None, **kw):
    out = []
    for t, a in p.els:
        if tag and t != tag:
            continue
        if all(a.get(k.rstrip("_").replace("_", "-")) == v for k, v in kw.items()):
            out.append(a)
    return out

v = find(id="verdict")
assert v and v[0]["data-verdict"] == "NEEDS-APPROVAL", v
assert any(a.get("data-class") == "production" for a in find("span")), "no production badge"
pol = find("div", class_="policy")
assert pol and pol[0]["data-id"] == "REQ-1050", pol
assert find("div", class_="requirement") and find("div", class_="explanation"), "requirement/explanation missing"
assert "metrics-collector" in text and "may read or list" in text, "explanation text missing"
cells = find("tr", class_="cell")
assert len(cells) >= 2 and all(c["data-change"] == "+" for c in cells), cells
bars = [a for t, a in p.els if t == "rect" and a.get("class") == "bar"]
assert len(bars) == 7, len(bars)
gained = [b for b in bars if b["data-label"] == "entitlements gained"][0]
assert gained["data-value"] == "4", gained
assert find("svg", id="chart"), "no chart"
assert find("section", id="tests") and "Coverage" in text
needs = find("tr", class_="need unmet")
assert len(needs) == 1, needs
ap = find("tr", class_="approval")
assert ap and ap[0]["data-status"] == "not-needed", ap
assert not [a for t, a in p.els if t == "script"], "a script element made it into the page"
assert "<script>alert(1)</script>" in text, "the comment is not shown as text"
codes = {a["data-code"] for a in find("tr") if "data-code" in a}
assert {"production", "approvals", "evidence"} <= codes, codes
assert "NHI8:2025" in text and "PR.AA-05" in text and "GOVERN 3.2" in text
PY

tcase "the page is self-contained: no network fetch"
grep -Eq '(src|href)="(https?:)?//' "$TMP/review.html" && fail "a remote reference in the page"
grep -q "Content-Security-Policy" "$TMP/review.html" || fail "no CSP"
grep -q "<script" "$TMP/review.html" && fail "the page has a script"

finish
