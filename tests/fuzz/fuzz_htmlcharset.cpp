// Charset detection and decoding of HTML bytes: BOM, <meta charset> prescan,
// ICU conversion of whatever label the page declares.
#include "core/ingest/detail/htmlcharset.h"
#include "tests/fuzz/fuzzsupport.h"

#include <QStringDecoder>

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    rs::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = rs::fuzz::bytesOf(data, size);
    const QByteArray head = bytes.left(rs::detail::kPrescanBytes);
    (void)rs::detail::sniffMetaCharset(head);
    const rs::detail::DecodedHtml decoded = rs::detail::decodeHtml(bytes);
    // A byte never becomes more than three bytes of UTF-8 (U+FFFD, or a
    // windows-1252 character); more would mean a converter ran off its buffer.
    if (decoded.utf8.size() > 3 * qsizetype(size) + 16)
        __builtin_trap();
    // The parser is given UTF-8: always valid, and a valid UTF-8 page read as
    // UTF-8 is itself (less a byte-order mark).
    if (!decoded.utf8.isValidUtf8())
        __builtin_trap();
    const QByteArray unmarked = bytes.startsWith("\xEF\xBB\xBF") ? bytes.mid(3) : bytes;
    if (decoded.encoding == QLatin1String("UTF-8") && unmarked.isValidUtf8() && decoded.utf8 != unmarked)
        __builtin_trap();
    // What the check calls valid UTF-8 decodes without a replacement (no
    // surrogates, overlong forms or code points past U+10FFFF slip through).
    // (A second BOM is text: U+FEFF.)
    if (unmarked.isValidUtf8()) {
        QStringDecoder utf8(QStringDecoder::Utf8, QStringConverter::Flag::ConvertInitialBom);
        const QString text = utf8.decode(unmarked);
        if (utf8.hasError() || text.toUtf8() != unmarked)
            __builtin_trap();
    }
    return 0;
}
