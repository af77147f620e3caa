// Sentence splitting (ICU break iterator plus the rule-based fallback),
// whitespace normalisation, and each sentence's scores and dedup key. The first byte picks how the rest becomes text:
// UTF-8 (lossy, as the readers produce) or raw UTF-16, which lets lone
// surrogates through as they can arrive from QString arithmetic.
#include "core/extract/sentencescore.h"
#include "core/extract/sentencesplitter.h"
#include "tests/fuzz/fuzzsupport.h"

namespace {

// normalizeWhitespace by Qt's own rule: drop U+FEFF, count U+200B as a
// space, then simplified(). Its shortcut for text that is already normal
// must give the same.
QString normalizedByQt(QString text)
{
    text.remove(QChar(0xFEFF));
    text.replace(QChar(0x200B), u' ');
    return text.simplified();
}

} // namespace

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
    for (const QString &s : sentences) {
        total += s.size();
        (void)rs::scoreSentence(s);
        // Ingest stores the key in UTF-8, made by a shortcut for ASCII.
        if (rs::dedupKeyUtf8(s) != rs::dedupKey(s).toUtf8())
            __builtin_trap();
    }
    if (rs::dedupKeyUtf8(text) != rs::dedupKey(text).toUtf8())
        __builtin_trap();
    (void)rs::scoreSentence(text);
    // Sentences are pieces of the text: together never longer than it.
    if (total > text.size())
        __builtin_trap();
    if (rs::normalizeWhitespace(text) != normalizedByQt(text))
        __builtin_trap();
    return 0;
}
