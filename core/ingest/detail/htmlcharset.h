#pragma once
// Private to core/ingest: decides which character encoding an HTML page's
// bytes are in and converts them to text (ICU ucnv). Never include this from
// outside core/ingest.
//
// Order of evidence: a byte-order mark (UTF-8, UTF-16LE/BE), then a <meta
// charset> or <meta http-equiv="Content-Type" content="...charset=..."> within
// the first kPrescanBytes bytes, then "the bytes are valid UTF-8", else
// windows-1252. Labels that browsers treat as windows-1252 (iso-8859-1,
// latin1, us-ascii, ...) decode as windows-1252, and a UTF-16 label without a
// BOM decodes as UTF-8, as the WHATWG encoding rules say. Functions here are
// reentrant (each call opens its own converter).

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

namespace rs::detail {

// HTML's white space (the tokenizer's: tab, LF, FF, CR, space).
inline bool isHtmlSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// How far into the page a <meta> charset declaration is looked for.
inline constexpr qsizetype kPrescanBytes = 4096;

struct DecodedHtml {
    QByteArray utf8;      // the whole page as UTF-8 (what the HTML parser reads); no BOM
    QString encoding;     // the IANA/MIME name of the encoding used, e.g. "UTF-8", "windows-1252"
    QStringList warnings; // conversion from a non-UTF-8 encoding, replaced bytes, unknown labels
};

// The charset label that a <meta> element declares in `head` (only the first
// kPrescanBytes are looked at), trimmed; empty when there is none. A small
// byte scanner after the WHATWG "prescan a byte stream" steps: comments,
// other tags and their attributes are skipped, not pattern-matched.
QByteArray sniffMetaCharset(QByteArrayView head);

// Decodes a whole page to UTF-8. Invalid byte sequences become U+FFFD and are
// counted in a warning; never fails (an empty input gives empty text,
// "UTF-8"). Pages that are valid UTF-8 and say so, or say nothing, are the
// common case: their bytes are the result as they are, with no conversion.
DecodedHtml decodeHtml(const QByteArray &bytes);

} // namespace rs::detail
