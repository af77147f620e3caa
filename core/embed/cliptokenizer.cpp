// TEMPORARY STAND-IN (branch torchenc), replaced by the real tokenizer at merge.
#include "core/embed/cliptokenizer.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace rs {

namespace {
constexpr qint64 kStartToken = 49406;
constexpr qint64 kEndToken = 49407;
} // namespace

Result<ClipTokenizer> ClipTokenizer::load(const QString &mergesPath)
{
    const QFileInfo info(mergesPath);
    if (!info.isFile())
        return makeError(ErrorCode::NotFound, QStringLiteral("BPE merges file not found"), mergesPath);
    if (info.size() == 0)
        return makeError(ErrorCode::ParseError, QStringLiteral("BPE merges file is empty"), mergesPath);
    return ClipTokenizer();
}

QVector<qint64> ClipTokenizer::tokenize(const QString &text, int contextLength) const
{
    QVector<qint64> ids(qMax(contextLength, 2), 0);
    ids[0] = kStartToken;
    int n = 1;
    static const QRegularExpression kSpace(QStringLiteral("\\s+"));
    const QStringList words = text.toLower().split(kSpace, Qt::SkipEmptyParts);
    for (const QString &w : words) {
        if (n >= ids.size() - 1)
            break;
        ids[n++] = 256 + qint64(qHash(w, 7) % 49000u);
    }
    ids[n] = kEndToken;
    return ids;
}

} // namespace rs
