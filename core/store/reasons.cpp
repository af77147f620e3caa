#include "core/store/reasons.h"

namespace rs {

namespace {

ReasonDef def(const char *code, const char *display, const char *stage)
{
    return {QString::fromLatin1(code), QString::fromUtf8(display), QString::fromLatin1(stage)};
}

} // namespace

const QVector<ReasonDef> &reasonDefs(ReasonTable table)
{
    static const QVector<ReasonDef> images = {
        def("not_local", "remote URL or data: URI", "extract"),
        def("outside_corpus", "outside the corpus folder", "extract"),
        def("missing_file", "file missing", "extract"),
        def("unreadable", "unreadable", "extract"),
        def("too_large", "file too large", "extract"),
        def("too_many_pixels", "too many pixels", "extract"),
        def("decode_failed", "failed to decode", "extract"),
        def("too_small", "too small", "extract"),
        def("bad_aspect", "extreme aspect ratio", "extract"),
        def("low_quality", "low quality (BRISQUE)", "extract"),
        def("exact_duplicate", "exact duplicate", "extract"),
        def("near_duplicate", "near duplicate (perceptual hash)", "extract"),
        def("embedding_duplicate", "near duplicate (embedding)", "embed"),
    };
    static const QVector<ReasonDef> sentences = {
        def("code_block", "code block", "extract"),
        def("navigation", "navigation", "extract"),
        def("has_url", "contains a URL", "extract"),
        def("has_email", "contains an e-mail address", "extract"),
        def("has_emoji", "contains emoji", "extract"),
        def("too_few_words", "too few words", "extract"),
        def("too_many_words", "too many words", "extract"),
        def("low_entropy", "low word entropy", "extract"),
        def("exact_duplicate", "exact duplicate", "extract"),
        def("normalized_duplicate", "duplicate after normalisation", "extract"),
    };
    static const QVector<ReasonDef> sample = {
        def("no_embedding", "no embedding", "sample"),
        def("missing_texts", "no retrieved or synthetic text", "sample"),
        def("below_band", "similarity below the band", "sample"),
        def("above_band", "similarity above the band", "sample"),
        def("cluster_cap", "over its cluster's cap", "sample"),
    };
    switch (table) {
    case ReasonTable::Images: return images;
    case ReasonTable::Sentences: return sentences;
    case ReasonTable::Sample: break;
    }
    return sample;
}

QStringList reasonCodes(ReasonTable table)
{
    QStringList codes;
    for (const ReasonDef &d : reasonDefs(table))
        codes.push_back(d.code);
    return codes;
}

QString curatorRejectReason()
{
    return QStringLiteral("curator_reject");
}

QString reasonDisplayName(ReasonTable table, const QString &code)
{
    for (const ReasonDef &d : reasonDefs(table))
        if (d.code == code)
            return d.display;
    return code;
}

} // namespace rs
