// Sentence splitting (ICU break iterator plus the rule-based fallback) and
// whitespace normalisation. The first byte picks how the rest becomes text:
// UTF-8 (lossy, as the readers produce) or raw UTF-16, which lets lone
// surrogates through as they can arrive from QString arithmetic.
#include "core/extract/sentencesplitter.h"
#include "tests/fuzz/fuzzsupport.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    rs::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    QString text;
    if (data[0] & 1)
        text = QString(reinterpret_cast<const QChar *>(data + 1), qsizetype((size - 1) / 2));
    else
        text = QString::fromUtf8(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    static rs::SentenceSplitter splitter; // reused, as a worker reuses it
    const QStringList sentences = splitter.split(text);
    qsizetype total = 0;
    for (const QString &s : sentences)
        total += s.size();
    // Sentences are pieces of the text: together never longer than it.
    if (total > text.size())
        __builtin_trap();
    (void)rs::normalizeWhitespace(text);
    return 0;
}
