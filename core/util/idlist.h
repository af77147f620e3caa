#pragma once
// Image id lists: what `realsyn export --ids FILE` reads and the studio's
// "save ids" writes. One format, one parser, so a list saved from a lasso
// on the map or a search result exports exactly those images.
//
// Format: decimal ids separated by whitespace or commas; '#' starts a
// comment that runs to the end of the line. Ids are positive 64-bit
// integers; duplicates are kept once, in first-seen order.

#include "core/util/result.h"

#include <QByteArray>
#include <QVector>

namespace rs {

// ParseError naming the line and the token for anything else.
Result<QVector<qint64>> parseIdList(const QByteArray &text);
// One id a line, under a comment that says what the list is.
QByteArray formatIdList(const QVector<qint64> &ids, const QString &comment);

} // namespace rs
