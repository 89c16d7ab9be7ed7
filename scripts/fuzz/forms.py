"""Form fuzzer: signs in, crawls the staff pages, and posts hostile values
into every POST form it finds (15 payloads each), with a fresh CSRF token.
It reports server errors (5xx), and refusals that fall through to the
generic error page. Run it against a throwaway demo only: it changes data.

    python3 -m venv /tmp/fz && /tmp/fz/bin/pip install requests beautifulsoup4
    /tmp/fz/bin/python scripts/fuzz/forms.py http://127.0.0.1:18080 EMAIL PASSWORD [PAGES] [TOTP_KEY]

Give it an account with every role (`loket user add --role ... --password-stdin`).
Staff accounts need a second factor: on the first run the script enrols one
and prints its key; pass that key as TOTP_KEY on later runs.
"""
import requests, sys, re, random, collections
import base64, hashlib, hmac, struct, time
from bs4 import BeautifulSoup
from urllib.parse import urljoin, urlparse
BASE = sys.argv[1].rstrip("/")
EMAIL, PASSWORD = sys.argv[2], sys.argv[3]
HOST = BASE.split("://", 1)[1]
s = requests.Session()
def form_fields(form):
    data = []
    for el in form.find_all(["input", "select", "textarea"]):
        n = el.get("name")
        if not n: continue
        t = (el.get("type") or "").lower()
        if el.name == "select":
            opt = el.find("option", selected=True) or el.find("option")
            data.append((n, opt.get("value", opt.text) if opt else "", "select"))
        elif el.name == "textarea":
            data.append((n, el.text, "text"))
        elif t in ("checkbox", "radio"):
            if el.has_attr("checked"): data.append((n, el.get("value", "on"), t))
        elif t == "file":
            continue
        elif t in ("submit", "button", "image"):
            continue
        else:
            data.append((n, el.get("value", ""), t or "text"))
    return data
SECRET = [sys.argv[5] if len(sys.argv) > 5 else ""]
def totp(secret, at):
    raw = secret.replace(" ", "").upper()
    k = base64.b32decode(raw + "=" * (-len(raw) % 8))
    h = hmac.new(k, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    o = h[-1] & 15
    return "%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)
def login():
    r = s.get(BASE + "/login")
    f = BeautifulSoup(r.text, "html.parser").find("form", action="/login")
    data = {n: v for n, v, _ in form_fields(f)}
    data.update({"email": EMAIL, "password": PASSWORD})
    r = s.post(BASE + "/login", data=data)
    print("login", r.status_code, r.url)
    for attempt in range(2):
        if urlparse(r.url).path != "/login/factor":
            return
        # Staff accounts need a second factor: enrol one from the key the
        # page shows, or answer with the key we have (RFC 6238, SHA-1, 30 s).
        page = BeautifulSoup(r.text, "html.parser")
        key = page.find(id="totp-secret")
        if key is not None and key.get("data-secret"):
            SECRET[0] = key.get("data-secret")
        f = page.find("form", action="/login/factor")
        if f is None:
            return  # signed in (after an enrolment the page shows recovery codes)
        data = {n: v for n, v, _ in form_fields(f)}
        # A code is taken once: the second try waits for the next one.
        data["totp_code"] = totp(SECRET[0], time.time() + 30 * attempt)
        if attempt:
            time.sleep(30 - time.time() % 30 + 1)
        r = s.post(BASE + "/login/factor", data=data)
        print("second factor", r.status_code, r.url, "key", SECRET[0])
login()
seen = set(); queue = collections.deque(["/", "/staff", "/admin", "/kb", "/services", "/appointments", "/shifts", "/mobile/vaccination", "/staff/vaccination", "/staff/contact", "/equipment", "/bikes", "/telework", "/queue"])
forms = {}
errors = []
skip = re.compile(r"/logout|/download|\.pdf|\.csv|\.ics|\.zpl|/events|/stream|/export|/feed")
pages = 0
while queue and pages < int(sys.argv[4] if len(sys.argv) > 4 else 1500):
    path = queue.popleft()
    if path in seen: continue
    seen.add(path)
    try:
        r = s.get(BASE + path, timeout=20, allow_redirects=True, stream=True)
        ctype = r.headers.get("content-type", "")
        if r.status_code >= 500: errors.append(("GET", path, r.status_code)); 
        if "html" not in ctype: r.close(); continue
        text = r.text
    except Exception as e:
        errors.append(("GET", path, str(e))); continue
    pages += 1
    soup = BeautifulSoup(text, "html.parser")
    for a in soup.find_all("a", href=True):
        u = urlparse(urljoin(BASE + path, a["href"]))
        if u.netloc != HOST: continue
        p = u.path + (("?" + u.query) if u.query and len(seen) < 300 else "")
        if skip.search(p): continue
        # limit many similar detail pages
        key = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27,}|\d{4}-\d{6}|\d+", "N", u.path)
        if sum(1 for x in seen if re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27,}|\d{4}-\d{6}|\d+", "N", x.split("?")[0]) == key) > 3: continue
        if p not in seen: queue.append(p)
    for f in soup.find_all("form"):
        if (f.get("method") or "get").lower() != "post": continue
        act = urlparse(urljoin(BASE + path, f.get("action") or path)).path
        if skip.search(act) or "/login" in act or "password" in act: continue
        k = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27,}|\d{4}-\d{6}", "N", act)
        if k not in forms: forms[k] = (path, act, form_fields(f), f.get("enctype"))
print("pages", pages, "forms", len(forms), "GET errors", errors)
payloads = ["", "x" * 20000, "<script>alert(1)</script>", "-1", "99999999999999999999999", "0", "2026-02-30", "1e309", "NaN", "\u0000nul", "'; DROP TABLE users;--", "ø🙂\u202e", "   ", "../../etc/passwd", "2026-13-01T25:61"]
post_errors = []
generic = set(); bare = set()
tried = 0
for k, (page, act, fields, enctype) in forms.items():
    for payload in payloads:
        # refresh csrf: fetch the page again
        r = s.get(BASE + page)
        soup = BeautifulSoup(r.text, "html.parser")
        csrf = None
        inp = soup.find("input", attrs={"name": "csrf"})
        if inp: csrf = inp.get("value")
        data = []
        for n, v, t in fields:
            if n == "csrf": data.append((n, csrf or v)); continue
            if t in ("hidden",) and random.random() < 0.5: data.append((n, v)); continue
            data.append((n, payload))
        try:
            if enctype == "multipart/form-data":
                r = s.post(BASE + act, files={n: (None, v) for n, v in data}, allow_redirects=False, timeout=30)
            else:
                r = s.post(BASE + act, data=data, allow_redirects=False, timeout=30)
            if r.status_code >= 500:
                post_errors.append((act, repr(payload[:30]), r.status_code, r.text[:200]))
            if r.status_code in (409, 422) and 'class="error-list"' in r.text:
                generic.add(act)
            if r.status_code in (409, 422) and 'error-list' not in r.text and 'aria-invalid' not in r.text and 'error-summary' not in r.text and '<h1>Ongeldige' in r.text:
                bare.add(act)
        except Exception as e:
            post_errors.append((act, repr(payload[:30]), str(e)[:100]))
    # session may have been lost (e.g. a form that signs out)
    tried += 1
    r = s.get(BASE + "/staff", allow_redirects=False)
    if r.status_code in (302, 303):
        print("lost session after", act, "- signing in again")
        login()
print("POST forms tried", tried, "of", len(forms), "errors", len(post_errors))
for e in post_errors: print(e)

print("refusals on the generic error page (fields listed):", sorted(generic))
print("bare:", sorted(bare))
sys.exit(1 if post_errors or errors else 0)
