#pragma once
// HTML character-reference decoding with Python's html.unescape semantics.
//
// Used by the CLIP tokenizer (which unescapes twice, exactly as CLIP's Python
// code does) and by readers of HTML text. The rules are the HTML5 ones that
// Python implements:
//  - named references from the full HTML5 table (2,231 names, compiled in
//    from resources/html5_entities.tsv). The ~100 legacy names ("amp", "lt",
//    "copy", "eacute", ...) also match without a ';' and as the longest prefix
//    of a longer word: "&notit;" -> "¬it;", "&copy2023" -> "©2023";
//  - "&#NN;" and "&#xHH;" (the ';' is optional) with the HTML5 replacements:
//    0 -> U+FFFD, 0x80..0x9F -> the windows-1252 characters, surrogates and
//    values above U+10FFFF -> U+FFFD, other non-characters and most C0/C1
//    controls -> removed;
//  - anything else, e.g. "&unknown;" or "&#xg;", is left as it is.
//
// Thread-safety: safe to call from any thread; the entity table is built once
// on first use (about 2,200 entries, a fraction of a millisecond).

#include <QString>

namespace rs {

// Decodes every character reference in s once (not recursively: "&amp;lt;"
// gives "&lt;"). Returns s unchanged (shared, no copy) when it has no '&'.
QString htmlUnescape(const QString &s);

} // namespace rs
