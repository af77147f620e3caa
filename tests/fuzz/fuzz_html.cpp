// The HTML reader end to end: a page file in a corpus folder, read with the
// default limits (the same path `realsyn ingest --format html` takes).
#include "core/ingest/htmlreader.h"
#include "tests/fuzz/fuzzsupport.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    rs::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rs::fuzz::writeScratch(QStringLiteral("page.html"), data, size);
    const rs::HtmlReader reader(rs::fuzz::scratchDir());
    auto doc = reader.readPage(QStringLiteral("page.html"));
    // Cutting whitespace runs at tags, and lifting runs of text out of the
    // parse, must change nothing the page gives (htmlreader.h).
    rs::HtmlReader asWritten(rs::fuzz::scratchDir());
    asWritten.setFoldWhitespace(false);
    asWritten.setLiftText(false);
    const auto plain = asWritten.readPage(QStringLiteral("page.html"));
    if (doc.ok() != plain.ok() || (doc && !(doc.value() == plain.value())))
        __builtin_trap();
    if (doc) {
        // Every image the page names is either a file inside the corpus or
        // refused with a reason: nothing may point elsewhere.
        for (const rs::ImageRef &img : doc->images)
            if (img.localPath.isEmpty() == img.refusal.isEmpty())
                __builtin_trap();
    }
    return 0;
}
