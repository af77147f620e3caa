#include "core/store/curation.h"

#include "core/store/projectstore.h"

#include <QDateTime>
#include <QStringList>

#include <algorithm>

namespace rs {

namespace {

Status requireImage(ProjectStore &store, qint64 imageId)
{
    auto exists = store.scalar(QStringLiteral("SELECT 1 FROM images WHERE id = ?"), {imageId});
    if (!exists)
        return exists.error();
    if (!exists->isValid())
        return makeError(ErrorCode::NotFound, QStringLiteral("no image with id %1").arg(imageId));
    return {};
}

// Drops rows that no longer say anything.
Status tidy(ProjectStore &store, qint64 imageId)
{
    auto r = store.exec(QStringLiteral("DELETE FROM decisions WHERE image_id = ? AND decision IS NULL AND syn_text IS NULL"), {imageId});
    if (!r)
        return r.error();
    return {};
}

} // namespace

Status setCuratorDecision(ProjectStore &store, qint64 imageId, CuratorDecision decision)
{
    return setCuratorDecisions(store, {{imageId, decision}});
}

Status setCuratorDecisions(ProjectStore &store, const std::vector<std::pair<qint64, CuratorDecision>> &decisions)
{
    const QString at = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    Transaction tx(store);
    for (const auto &[imageId, decision] : decisions) {
        if (Status s = requireImage(store, imageId); !s)
            return s;
        const QVariant value = decision == CuratorDecision::Accept ? QVariant(QStringLiteral("accept"))
            : decision == CuratorDecision::Reject                  ? QVariant(QStringLiteral("reject"))
                                                                   : QVariant();
        auto r = store.exec(QStringLiteral("INSERT INTO decisions(image_id, decision, at) VALUES(?, ?, ?)"
                                           " ON CONFLICT(image_id) DO UPDATE SET decision = excluded.decision, at = excluded.at"),
                            {imageId, value, at});
        if (!r)
            return r.error();
        if (Status s = tidy(store, imageId); !s)
            return s;
    }
    return tx.commit();
}

Result<QHash<qint64, CuratorDecision>> curatorDecisions(ProjectStore &store, const std::vector<qint64> &imageIds)
{
    QHash<qint64, CuratorDecision> out;
    out.reserve(qsizetype(imageIds.size()));
    for (qint64 id : imageIds)
        out.insert(id, CuratorDecision::Clear);
    // In chunks: SQLite limits the number of bound values per statement.
    constexpr size_t kChunk = 500;
    for (size_t first = 0; first < imageIds.size(); first += kChunk) {
        QStringList ids;
        for (size_t i = first; i < std::min(imageIds.size(), first + kChunk); ++i)
            ids << QString::number(imageIds[i]); // integers: safe to inline
        auto q = store.exec(QStringLiteral("SELECT image_id, decision FROM decisions WHERE decision IS NOT NULL AND image_id IN (%1)")
                                .arg(ids.join(QLatin1Char(','))));
        if (!q)
            return q.error();
        while (q->next())
            out.insert(q->value(0).toLongLong(), curatorDecisionFromText(q->value(1).toString()));
    }
    return out;
}

Result<QString> editedSyntheticText(ProjectStore &store, qint64 imageId)
{
    auto v = store.scalar(QStringLiteral("SELECT syn_text FROM decisions WHERE image_id = ?"), {imageId});
    if (!v)
        return v.error();
    return v->isNull() ? QString() : v->toString();
}

CuratorDecision curatorDecisionFromText(const QString &text)
{
    return text == QLatin1String("accept")   ? CuratorDecision::Accept
           : text == QLatin1String("reject") ? CuratorDecision::Reject
                                             : CuratorDecision::Clear;
}

QString curatorDecisionText(CuratorDecision decision)
{
    switch (decision) {
    case CuratorDecision::Accept: return QStringLiteral("accept");
    case CuratorDecision::Reject: return QStringLiteral("reject");
    case CuratorDecision::Clear: break;
    }
    return QStringLiteral("clear");
}

Status setDuplicateKeepers(ProjectStore &store, const std::vector<std::pair<qint64, bool>> &keepers)
{
    const QString at = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    Transaction tx(store);
    for (const auto &[imageId, keep] : keepers) {
        if (Status s = requireImage(store, imageId); !s)
            return s;
        auto r = keep ? store.exec(QStringLiteral("INSERT INTO duplicate_keepers(image_id, at) VALUES(?, ?)"
                                                  " ON CONFLICT(image_id) DO UPDATE SET at = excluded.at"),
                                   {imageId, at})
                      : store.exec(QStringLiteral("DELETE FROM duplicate_keepers WHERE image_id = ?"), {imageId});
        if (!r)
            return r.error();
    }
    return tx.commit();
}

Result<std::vector<qint64>> duplicateKeepers(ProjectStore &store)
{
    auto q = store.exec(QStringLiteral("SELECT image_id FROM duplicate_keepers ORDER BY image_id"));
    if (!q)
        return q.error();
    std::vector<qint64> ids;
    while (q->next())
        ids.push_back(q->value(0).toLongLong());
    return ids;
}

Status setEditedSyntheticText(ProjectStore &store, qint64 imageId, const QString &text)
{
    if (Status s = requireImage(store, imageId); !s)
        return s;
    const QString clean = text.trimmed();
    Transaction tx(store);
    auto r = store.exec(QStringLiteral("INSERT INTO decisions(image_id, syn_text, at) VALUES(?, ?, ?)"
                                       " ON CONFLICT(image_id) DO UPDATE SET syn_text = excluded.syn_text, at = excluded.at"),
                        {imageId, clean.isEmpty() ? QVariant() : QVariant(clean), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)});
    if (!r)
        return r.error();
    if (Status s = tidy(store, imageId); !s)
        return s;
    return tx.commit();
}

} // namespace rs
