// MMC4 and OBELICS JSONL: the same bytes read as both flavours, images
// resolved against the scratch folder (so path checks run on real files).
#include "core/ingest/jsonlreader.h"
#include "tests/fuzz/fuzzsupport.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    rs::fuzz::quietQt();
    // One real image for lines that name it; the reader checks existence.
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    rs::fuzz::writeScratch(QStringLiteral("a.png"), png, sizeof png);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString path = rs::fuzz::writeScratch(QStringLiteral("docs.jsonl"), data, size);
    for (auto flavor : {rs::JsonlReader::Flavor::Mmc4, rs::JsonlReader::Flavor::Obelics}) {
        rs::JsonlReader reader(flavor, path, rs::fuzz::scratchDir());
        // Small enough that the per-line limit is reached inside libFuzzer's
        // input sizes too.
        reader.setMaxLineBytes(2048);
        (void)reader.read([](rs::SourceItem &&item) {
            // Exactly one of document and error is set (sourceitem.h).
            if (item.document.has_value() == !item.error.isEmpty())
                __builtin_trap();
            return true;
        });
    }
    return 0;
}
