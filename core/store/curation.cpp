#include "core/store/curation.h"

#include "core/store/projectstore.h"

#include <QDateTime>

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
    if (Status s = requireImage(store, imageId); !s)
        return s;
    const QVariant value = decision == CuratorDecision::Accept ? QVariant(QStringLiteral("accept"))
        : decision == CuratorDecision::Reject                  ? QVariant(QStringLiteral("reject"))
                                                               : QVariant();
    Transaction tx(store);
    auto r = store.exec(QStringLiteral("INSERT INTO decisions(image_id, decision, at) VALUES(?, ?, ?)"
                                       " ON CONFLICT(image_id) DO UPDATE SET decision = excluded.decision, at = excluded.at"),
                        {imageId, value, QDateTime::currentDateTimeUtc().toString(Qt::ISODate)});
    if (!r)
        return r.error();
    if (Status s = tidy(store, imageId); !s)
        return s;
    return tx.commit();
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
