"""What a browser would post from a rendered protocol page: every input, select and textarea
of the protocol form with the values the page shows (tests post what the page offers)."""

from html.parser import HTMLParser


class _FormValues(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, {}
        self._select = self._textarea = None
        self._template = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "template":  # the row template for "Add row" is not posted
            self._template += 1
        if self._template:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "checkbox"):
            self.values[name] = a.get("value", "")
        elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
            self.values[name] = a.get("value", "on")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "template" and self._template:
            self._template -= 1
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # HTML drops one newline right after <textarea>; browsers do not post it.
            value = self.values[self._textarea]
            self.values[self._textarea] = value[1:] if value.startswith("\n") else value
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside = False

    def handle_data(self, data):
        if self._textarea and not self._template:
            self.values[self._textarea] += data


def form_values(html: str, form_id: str = "protocol-form") -> dict[str, str]:
    parser = _FormValues(form_id)
    parser.feed(html)
    return parser.values
