#include "core/export/snapshot.h"

#include "core/store/projectstore.h"
#include "core/store/reasons.h"
#include "core/store/samplequery.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>

#include <map>

namespace rs {

namespace {

// Why an image is not selected, in the order a curator reads it: a
// curator's rejection, then the first failing filter, then the sampler's
// reason. NULL when selected (exactly the images an export writes).
QString selectionReasonSql()
{
    return QStringLiteral("CASE WHEN i.path IS NOT NULL AND %1 THEN NULL"
                          " WHEN d.decision = 'reject' THEN '%2'"
                          " ELSE coalesce(i.reject_reason, i.sample_reason, i.refusal, 'not_selected') END")
        .arg(selectedCondition(), curatorRejectReason());
}

QString absentReason()
{
    return QStringLiteral("absent");
}

QMap<QString, QString> recipeTexts(const Recipe &recipe)
{
    QMap<QString, QString> out;
    for (const SettingDef &d : Recipe::definitions())
        out.insert(d.key, recipe.text(d.key));
    return out;
}

Result<QJsonDocument> parseStored(const QString &text, const QString &what, const QString &name)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &err);
    if (err.error != QJsonParseError::NoError)
        return makeError(ErrorCode::ParseError, QStringLiteral("snapshot is damaged: its %1 is not JSON (%2)").arg(what, err.errorString()), name);
    return doc;
}

Result<QMap<QString, QString>> storedRecipe(ProjectStore &store, const QString &name, QString *encoder = nullptr,
                                            QJsonArray *sources = nullptr)
{
    auto q = store.exec(QStringLiteral("SELECT recipe, encoder, sources FROM snapshots WHERE name = ?"), {name});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorCode::NotFound, QStringLiteral("no snapshot named '%1' (realsyn snapshot DIR --list shows them)").arg(name));
    auto doc = parseStored(q->value(0).toString(), QStringLiteral("recipe"), name);
    if (!doc)
        return doc.error();
    if (!doc->isObject())
        return makeError(ErrorCode::ParseError, QStringLiteral("snapshot is damaged: its recipe is not a JSON object"), name);
    QMap<QString, QString> out;
    const QJsonObject o = doc->object();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!it.value().isString())
            return makeError(ErrorCode::ParseError, QStringLiteral("snapshot is damaged: setting %1 is not text").arg(it.key()), name);
        out.insert(it.key(), it.value().toString());
    }
    if (encoder)
        *encoder = q->value(1).toString();
    if (sources) {
        auto s = parseStored(q->value(2).toString(), QStringLiteral("sources"), name);
        if (!s)
            return s.error();
        if (!s->isArray())
            return makeError(ErrorCode::ParseError, QStringLiteral("snapshot is damaged: its sources are not a JSON array"), name);
        *sources = s->array();
    }
    return out;
}

} // namespace

QString currentStateName()
{
    return QStringLiteral("current");
}

Status checkSnapshotName(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$"));
    if (!valid.match(name).hasMatch())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("a snapshot name is 1-64 letters, digits, '.', '_' or '-', not starting with '.' or '-'"), name);
    if (name == currentStateName())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("'current' names the live project state; choose another name"), name);
    return {};
}

Result<SnapshotInfo> createSnapshot(ProjectStore &store, const Recipe &recipe, const QString &name)
{
    if (Status s = checkSnapshotName(name); !s)
        return s.error();
    auto exists = store.scalar(QStringLiteral("SELECT count(*) FROM snapshots WHERE name = ?"), {name});
    if (!exists)
        return exists.error();
    if (exists->toLongLong() > 0)
        return makeError(ErrorCode::Conflict, QStringLiteral("a snapshot with this name exists already"), name);
    // Read inside the transaction, so the selection, the samples and the
    // recipe are one moment's.
    Transaction tx(store);
    auto source = currentExportSource(store);
    if (!source)
        return source.error();
    QJsonObject recipeJson;
    const QMap<QString, QString> texts = recipeTexts(recipe);
    for (auto it = texts.begin(); it != texts.end(); ++it)
        recipeJson.insert(it.key(), it.value());
    SnapshotInfo info;
    info.name = name;
    info.createdAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    if (auto r = store.exec(QStringLiteral("INSERT INTO snapshots(name, created_at, recipe, encoder, sources) VALUES(?, ?, ?, ?, ?)"),
                            {name, info.createdAt, QString::fromUtf8(QJsonDocument(recipeJson).toJson(QJsonDocument::Compact)),
                             source->encoder, QString::fromUtf8(QJsonDocument(source->sources).toJson(QJsonDocument::Compact))});
        !r)
        return r.error();
    QHash<qint64, const ExportSample *> byId;
    for (const ExportSample &s : std::as_const(source->samples))
        byId.insert(s.id, &s);
    auto q = store.exec(QStringLiteral("SELECT i.id, %1 FROM images i LEFT JOIN decisions d ON d.image_id = i.id ORDER BY i.id")
                            .arg(selectionReasonSql()));
    if (!q)
        return q.error();
    auto ins = store.prepare(QStringLiteral("INSERT INTO snapshot_images(snapshot, image_id, reason, sample) VALUES(?, ?, ?, ?)"));
    if (!ins)
        return ins.error();
    while (q->next()) {
        const qint64 id = q->value(0).toLongLong();
        const ExportSample *sample = byId.value(id);
        // The two readings of "selected" are one SQL condition; they cannot
        // disagree unless the store changed under the transaction.
        if ((sample != nullptr) != q->value(1).isNull())
            return makeError(ErrorCode::Internal, QStringLiteral("image %1: selection and export disagree").arg(id));
        const QVariant sampleText = sample ? QVariant(QString::fromUtf8(QJsonDocument(sample->toJson()).toJson(QJsonDocument::Compact)))
                                           : QVariant(QMetaType(QMetaType::QString));
        if (Status s = store.execPrepared(*ins, {name, id, q->value(1), sampleText}); !s)
            return s.error();
        ++info.images;
        info.selected += sample ? 1 : 0;
    }
    if (Status s = tx.commit(); !s)
        return s.error();
    return info;
}

Result<QVector<SnapshotInfo>> listSnapshots(ProjectStore &store)
{
    auto q = store.exec(QStringLiteral("SELECT s.name, s.created_at, count(i.image_id), count(i.image_id) - count(i.reason)"
                                       " FROM snapshots s LEFT JOIN snapshot_images i ON i.snapshot = s.name"
                                       " GROUP BY s.name ORDER BY s.created_at, s.name"));
    if (!q)
        return q.error();
    QVector<SnapshotInfo> out;
    while (q->next())
        out.push_back({q->value(0).toString(), q->value(1).toString(), q->value(2).toLongLong(), q->value(3).toLongLong()});
    return out;
}

Result<SelectionState> loadSelectionState(ProjectStore &store, const Recipe &liveRecipe, const QString &name)
{
    SelectionState state;
    if (name == currentStateName()) {
        state.recipe = recipeTexts(liveRecipe);
        auto q = store.exec(QStringLiteral("SELECT i.id, %1 FROM images i LEFT JOIN decisions d ON d.image_id = i.id").arg(selectionReasonSql()));
        if (!q)
            return q.error();
        while (q->next())
            state.reasons.insert(q->value(0).toLongLong(), q->value(1).isNull() ? QString() : q->value(1).toString());
        return state;
    }
    auto recipe = storedRecipe(store, name);
    if (!recipe)
        return recipe.error();
    state.recipe = *recipe;
    auto q = store.exec(QStringLiteral("SELECT image_id, reason FROM snapshot_images WHERE snapshot = ?"), {name});
    if (!q)
        return q.error();
    while (q->next()) {
        const QString reason = q->value(1).toString();
        if (!q->value(1).isNull() && reason.isEmpty())
            return makeError(ErrorCode::ParseError, QStringLiteral("snapshot is damaged: image %1 has an empty reason").arg(q->value(0).toLongLong()), name);
        state.reasons.insert(q->value(0).toLongLong(), reason);
    }
    return state;
}

Result<SnapshotExport> loadSnapshotExport(ProjectStore &store, const QString &name)
{
    if (name == currentStateName())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("'current' is the live state: export it without --snapshot"));
    SnapshotExport out;
    auto texts = storedRecipe(store, name, &out.source.encoder, &out.source.sources);
    if (!texts)
        return texts.error();
    // Setting by setting through the recipe's own validation; a setting this
    // build no longer knows is left out, as Recipe::load does.
    for (auto it = texts->begin(); it != texts->end(); ++it)
        if (Recipe::find(it.key()))
            if (Status s = out.recipe.set(it.key(), it.value()); !s)
                return makeError(ErrorCode::ParseError, QStringLiteral("snapshot is damaged: ") + s.error().toString(), name);
    auto q = store.exec(QStringLiteral("SELECT image_id, sample FROM snapshot_images WHERE snapshot = ? AND reason IS NULL ORDER BY image_id"), {name});
    if (!q)
        return q.error();
    while (q->next()) {
        const qint64 id = q->value(0).toLongLong();
        auto doc = parseStored(q->value(1).toString(), QStringLiteral("sample %1").arg(id), name);
        if (!doc)
            return doc.error();
        auto sample = ExportSample::fromJson(doc->object());
        if (!doc->isObject() || !sample)
            return makeError(ErrorCode::ParseError,
                             QStringLiteral("snapshot is damaged: sample %1: %2").arg(id).arg(doc->isObject() ? sample.error().message : QStringLiteral("not an object")),
                             name);
        if (sample->id != id)
            return makeError(ErrorCode::ParseError, QStringLiteral("snapshot is damaged: sample %1 holds image %2").arg(id).arg(sample->id), name);
        out.source.samples.push_back(std::move(*sample));
    }
    return out;
}

Result<ExportReport> exportSnapshot(ProjectStore &store, const QString &name, const ExportOptions &options, JobContext &ctx)
{
    auto snapshot = loadSnapshotExport(store, name);
    if (!snapshot)
        return snapshot.error();
    return exportSamples(snapshot->source, store.dir(), snapshot->recipe, options, ctx);
}

QJsonObject diffStates(const SelectionState &a, const SelectionState &b)
{
    QJsonObject settings;
    QStringList keys = a.recipe.keys() + b.recipe.keys();
    keys.removeDuplicates();
    keys.sort();
    for (const QString &k : std::as_const(keys)) {
        const auto va = a.recipe.constFind(k), vb = b.recipe.constFind(k);
        const QJsonValue ja = va == a.recipe.constEnd() ? QJsonValue() : QJsonValue(*va);
        const QJsonValue jb = vb == b.recipe.constEnd() ? QJsonValue() : QJsonValue(*vb);
        if (ja != jb)
            settings.insert(k, QJsonObject{{QStringLiteral("a"), ja}, {QStringLiteral("b"), jb}});
    }
    const auto reasonOf = [](const SelectionState &s, qint64 id) {
        const auto it = s.reasons.constFind(id);
        return it == s.reasons.constEnd() ? absentReason() : *it;
    };
    std::map<qint64, bool> ids;
    for (auto it = a.reasons.begin(); it != a.reasons.end(); ++it)
        ids[it.key()] = true;
    for (auto it = b.reasons.begin(); it != b.reasons.end(); ++it)
        ids[it.key()] = true;
    QJsonArray entered, left;
    for (const auto &entry : ids) {
        const qint64 id = entry.first;
        const QString ra = reasonOf(a, id), rb = reasonOf(b, id);
        if (!ra.isEmpty() && rb.isEmpty())
            entered.append(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("old_reason"), ra}, {QStringLiteral("new_reason"), QJsonValue()}});
        else if (ra.isEmpty() && !rb.isEmpty())
            left.append(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("old_reason"), QJsonValue()}, {QStringLiteral("new_reason"), rb}});
    }
    const auto counts = [](const SelectionState &s) {
        QJsonObject c;
        qint64 selected = 0;
        QMap<QString, qint64> n;
        for (const QString &r : s.reasons) {
            if (r.isEmpty())
                ++selected;
            else
                ++n[r];
        }
        for (auto it = n.begin(); it != n.end(); ++it)
            c.insert(it.key(), it.value());
        c.insert(QStringLiteral("selected"), selected);
        return c;
    };
    return QJsonObject{{QStringLiteral("settings"), settings},
                       {QStringLiteral("entered"), entered},
                       {QStringLiteral("left"), left},
                       {QStringLiteral("counts"), QJsonObject{{QStringLiteral("a"), counts(a)}, {QStringLiteral("b"), counts(b)}}}};
}

} // namespace rs
