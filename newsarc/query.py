"""The query language -> a syntax tree. No SQL here: `store.py` compiles the tree.

CONTRACT (the store compiles exactly these nodes):

    Query(root: Node | None, sort: str | None, text: bool, source: str)
        root   None means "every article"
        sort   None, or one of SORT_KEYS
        text   True when the tree holds a TextTerm outside a Not (ranking applies)
    Node = TextTerm | FieldFilter | RangeFilter | Not | And | Or

    TextTerm(words: tuple[str, ...], field: str | None, phrase: bool, prefix: bool, position: int)
        field  None (all text), or one of TEXT_FIELDS
        words  the word(s) of the term; a phrase keeps its words in order; prefix means
               the last word is a prefix (`sense*`)
    FieldFilter(field: str, values: tuple[str, ...], position: int)
        field in EXACT_FIELDS; any of `values` matches (comma lists); compared
        case-insensitively; for `path` each value is a glob; for `published` the values
        are "yes"/"no"; for `has` one of HAS_VALUES
    RangeFilter(field: str, low, high, low_inclusive: bool, high_inclusive: bool, position: int)
        field "date" (low/high aware UTC datetimes or None) or "quality"/"heat" (ints or None)
    Not(child), And(children: tuple), Or(children: tuple)
"""
