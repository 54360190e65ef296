"""Features: what a reader sees besides the ranking.

Snippets and best passages (`snippets`), suggestions as you type
(`suggest`), did-you-mean and automatic correction (`spelling`,
`correction`), the editors' synonyms and pinned stories (`synonyms`, `pins`,
`editors`) and search analytics (`analytics`).

Imports `search.index`, `search.text` and the core records; never ranking or
serving.
"""
