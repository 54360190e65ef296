"""Text: how words are read, in articles and in queries.

The analyzer that turns text into index terms per language (`analysis`), the
query syntax (phrases, ``-word``, ``field:word``, AND/OR: `syntax`) and the
language a query is read in (`query_language`).

The ground floor: imports nothing from the other rooms.
"""
