"""Serving: a searcher kept live over a changing index directory.

`live` swaps in each new generation once it is checked and keeps serving the
last sound one; `site` is the site's search as a reader asks for it (typo
correction, editors' synonyms and pins around `Searcher.search`).

The top floor: may import every room and `search.searcher`; nothing in
`search` imports it.
"""
