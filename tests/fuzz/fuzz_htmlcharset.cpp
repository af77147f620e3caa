// Charset detection and decoding of HTML bytes: BOM, <meta charset> prescan,
// ICU conversion of whatever label the page declares.
#include "core/ingest/detail/htmlcharset.h"
#include "tests/fuzz/fuzzsupport.h"

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
    // Decoding never grows text beyond one UTF-16 unit per input byte plus
    // replacement characters; a result longer than twice the input would mean
    // a converter ran off its buffer.
    if (decoded.text.size() > 2 * qsizetype(size) + 16)
        __builtin_trap();
    return 0;
}
