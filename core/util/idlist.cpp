#include "core/util/idlist.h"

#include <QSet>

namespace rs {

Result<QVector<qint64>> parseIdList(const QByteArray &text)
{
    QVector<qint64> ids;
    QSet<qint64> seen;
    int line = 1;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            ++i;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == ',') {
            ++i;
        } else if (c == '#') {
            while (i < n && text[i] != '\n')
                ++i;
        } else {
            qsizetype end = i;
            while (end < n && !QByteArrayView(" \t\r\n,#").contains(text[end]))
                ++end;
            const QByteArray token = text.mid(i, end - i);
            bool ok = false;
            const qint64 id = token.toLongLong(&ok);
            // toLongLong accepts a sign and surrounding space; ids are plain digits.
            const bool digits = std::all_of(token.cbegin(), token.cend(), [](char d) { return d >= '0' && d <= '9'; });
            if (!ok || !digits || id <= 0)
                return makeError(ErrorCode::ParseError,
                                 QStringLiteral("line %1: '%2' is not an image id (a positive integer)")
                                     .arg(line)
                                     .arg(QString::fromUtf8(token.left(40))));
            if (!seen.contains(id)) {
                seen.insert(id);
                ids.push_back(id);
            }
            i = end;
        }
    }
    return ids;
}

QByteArray formatIdList(const QVector<qint64> &ids, const QString &comment)
{
    QByteArray out;
    for (const QString &line : comment.split(QLatin1Char('\n')))
        out += "# " + line.toUtf8() + '\n';
    for (qint64 id : ids)
        out += QByteArray::number(id) + '\n';
    return out;
}

} // namespace rs
