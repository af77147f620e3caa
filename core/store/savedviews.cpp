#include "core/store/savedviews.h"

#include "core/store/projectstore.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QStringList>

#include <cmath>

namespace rs {

namespace {

const QString kPrefix = QStringLiteral("view:");

Status bad(const QString &key, const QString &why)
{
    return makeError(ErrorCode::InvalidArgument, QStringLiteral("saved view: %1").arg(why), key);
}

Status oneOf(const QJsonObject &spec, const char *key, const QStringList &allowed)
{
    const QString k = QString::fromLatin1(key);
    if (!spec.contains(k))
        return {};
    const QJsonValue v = spec.value(k);
    if (!v.isString() || !allowed.contains(v.toString()))
        return bad(k, QStringLiteral("expected one of ") + allowed.join(QStringLiteral(", ")));
    return {};
}

} // namespace

Status checkViewSpec(const QJsonObject &spec)
{
    const QStringList scores = {QStringLiteral("shorter_side"), QStringLiteral("pixels"),  QStringLiteral("aspect"),
                                QStringLiteral("similarity"),   QStringLiteral("cluster"), QStringLiteral("cluster_score")};
    if (Status s = oneOf(spec, "filter", {QStringLiteral("all"), QStringLiteral("kept"), QStringLiteral("rejected"), QStringLiteral("selected")}); !s)
        return s;
    if (Status s = oneOf(spec, "sort", QStringList{QStringLiteral("id")} + scores); !s)
        return s;
    if (Status s = oneOf(spec, "order", {QStringLiteral("asc"), QStringLiteral("desc")}); !s)
        return s;
    if (Status s = oneOf(spec, "decision", {QStringLiteral("any"), QStringLiteral("accepted"), QStringLiteral("rejected"), QStringLiteral("undecided")}); !s)
        return s;
    if (Status s = oneOf(spec, "feature", {QStringLiteral("any"), QStringLiteral("ocr_text"), QStringLiteral("faces"), QStringLiteral("no_ocr_text"),
                                           QStringLiteral("no_faces")});
        !s)
        return s;
    if (Status s = oneOf(spec, "score", scores); !s)
        return s;
    for (const char *key : {"reason", "search"})
        if (spec.contains(QLatin1String(key)) && !spec.value(QLatin1String(key)).isString())
            return bad(QString::fromLatin1(key), QStringLiteral("expected text"));
    if (spec.contains(QLatin1String("cluster"))) {
        const QJsonValue v = spec.value(QLatin1String("cluster"));
        const double d = v.toDouble(-2);
        if (!v.isDouble() || d < -1 || std::floor(d) != d || d > 2147483647.0)
            return bad(QStringLiteral("cluster"), QStringLiteral("expected an integer >= -1"));
    }
    for (const char *key : {"min", "max"}) {
        const QJsonValue v = spec.value(QLatin1String(key));
        if (spec.contains(QLatin1String(key)) && (!v.isDouble() || !std::isfinite(v.toDouble())))
            return bad(QString::fromLatin1(key), QStringLiteral("expected a number"));
    }
    if ((spec.contains(QLatin1String("min")) || spec.contains(QLatin1String("max"))) && !spec.contains(QLatin1String("score")))
        return bad(QStringLiteral("score"), QStringLiteral("a range needs the score it applies to"));
    return {};
}

Result<QJsonObject> parseViewSpec(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("saved view: not JSON (%1 at offset %2)").arg(error.errorString()).arg(error.offset));
    if (!doc.isObject())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("saved view: expected a JSON object"));
    if (Status s = checkViewSpec(doc.object()); !s)
        return s.error();
    return doc.object();
}

Result<QList<SavedView>> savedViews(ProjectStore &store, QStringList *damaged)
{
    // substr, not LIKE: a name may hold '%' or '_'.
    auto q = store.exec(QStringLiteral("SELECT key, value FROM meta WHERE substr(key, 1, 5) = 'view:' ORDER BY key"));
    if (!q)
        return q.error();
    QList<SavedView> views;
    while (q->next()) {
        const QString name = q->value(0).toString().mid(kPrefix.size());
        auto spec = parseViewSpec(q->value(1).toString().toUtf8());
        if (!spec) {
            if (damaged)
                damaged->append(QStringLiteral("%1: %2").arg(name, spec.error().toString()));
            continue;
        }
        views.append({name, spec.value()});
    }
    return views;
}

Status saveView(ProjectStore &store, const QString &name, const QJsonObject &spec)
{
    const QString clean = name.trimmed();
    if (clean.isEmpty() || clean.size() > 80)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("a view's name has 1 to 80 characters"), name);
    if (Status s = checkViewSpec(spec); !s)
        return s;
    return store.setMeta(kPrefix + clean, QString::fromUtf8(QJsonDocument(spec).toJson(QJsonDocument::Compact)));
}

Status deleteView(ProjectStore &store, const QString &name)
{
    auto r = store.exec(QStringLiteral("DELETE FROM meta WHERE key = ?"), {QString(kPrefix + name.trimmed())});
    if (!r)
        return r.error();
    return {};
}

} // namespace rs
