#include "core/cluster/shardjobs.h"

#include "core/extract/extractstage.h"
#include "core/pipeline/pipeline.h"
#include "core/pipeline/stage.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlQuery>

#include <exception>

namespace rs {

namespace {

const QString kShardStore = QStringLiteral("project.sqlite"); // ProjectStore's file in the shard folder

// The tables a sharded ground writes, with the columns a merge copies
// (never ids: the main project numbers its own rows).
struct CopiedTable {
    const char *name;
    const char *columns;
};
constexpr CopiedTable kGroundTables[] = {
    {"expert_findings", "image_id, expert, kind, level, x, y, w, h, label, confidence, input_hash"},
    {"expert_runs", "image_id, expert, input_hash, error"},
};

Status requireEarlierStagesDone(ProjectStore &main, const Recipe &recipe, const QString &stage)
{
    Pipeline pipeline;
    for (const QString &before : Pipeline::stagesBefore(stage))
        if (pipeline.isAvailable(before) && pipeline.state(before, main, recipe) != StageState::Done)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("%1 is not done in the main project; a sharded %2 needs it first "
                                            "(`realsyn run DIR --until %1`)")
                                 .arg(before, stage));
    return {};
}

} // namespace

QStringList shardableStages()
{
    return {QStringLiteral("extract"), QStringLiteral("ground")};
}

Result<ShardManifest> runShard(const QString &projectDir, const QString &stage, const ShardSpec &spec,
                               const QString &runId, JobContext &ctx)
{
    if (!shardableStages().contains(stage))
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("stage %1 does not run in shards (sharded: %2); it runs whole in the merge job")
                             .arg(stage, shardableStages().join(QStringLiteral(", "))));
    // Read-only and without the lock: every shard job of a submission reads
    // the main project at once, and none writes it.
    auto main = ProjectStore::open(projectDir, ProjectStore::Access::ReadOnly);
    if (!main)
        return main.error();
    auto recipe = Recipe::load(**main);
    if (!recipe)
        return recipe.error();
    if (Status s = requireEarlierStagesDone(**main, *recipe, stage); !s)
        return s.error();
    Pipeline pipeline;
    const QString fingerprint = pipeline.fingerprint(stage, **main, *recipe);

    // The shard's items: kept images whose key falls in this shard, with the
    // findings the main project already has for them (so a resubmission
    // redoes nothing that is done).
    // extract: the images not probed yet (probing decodes each file: the
    // expensive, per-item part of stage 1; the decisions stay global).
    // ground: the kept images.
    const bool extract = stage == QLatin1String("extract");
    auto images = (*main)->exec(extract ? QStringLiteral("SELECT id, image_key, path, sha256 FROM images WHERE probed = 0 AND path IS NOT NULL ORDER BY id")
                                        : QStringLiteral("SELECT id, image_key, path, sha256 FROM images WHERE reject_reason IS NULL ORDER BY id"));
    if (!images)
        return images.error();
    QVector<QVariantList> rows;
    while (images->next())
        if (shardOf(images->value(1).toString(), spec.count) == spec.index)
            rows.push_back({images->value(0), images->value(1), images->value(2), images->value(3), extract ? 0 : 1});

    const QString dir = shardDir(projectDir, spec.index, stage);
    if (QFileInfo::exists(dir) && !QDir(dir).removeRecursively())
        return makeError(ErrorCode::IoError, QStringLiteral("cannot clear the shard folder"), dir);
    auto shard = ProjectStore::create(dir);
    if (!shard)
        return shard.error();
    {
        Transaction tx(**shard);
        for (const QVariantList &row : rows)
            if (auto r = (*shard)->exec(QStringLiteral("INSERT INTO images(id, image_key, path, sha256, probed) VALUES(?,?,?,?,?)"), row); !r)
                return r.error();
        for (const CopiedTable &t : kGroundTables) {
            if (extract)
                break;
            auto q = (*main)->exec(QStringLiteral("SELECT %1 FROM %2 ORDER BY rowid").arg(QLatin1String(t.columns), QLatin1String(t.name)));
            if (!q)
                return q.error();
            const int columns = QString::fromLatin1(t.columns).count(QLatin1Char(',')) + 1;
            const QString insert = QStringLiteral("INSERT INTO %1(%2) VALUES(%3)")
                                       .arg(QLatin1String(t.name), QLatin1String(t.columns), QStringLiteral("?,").repeated(columns).chopped(1));
            QSet<qint64> ids;
            for (const QVariantList &row : rows)
                ids.insert(row[0].toLongLong());
            while (q->next()) {
                if (!ids.contains(q->value(0).toLongLong()))
                    continue;
                QVariantList values;
                for (int c = 0; c < columns; ++c)
                    values << q->value(c);
                if (auto r = (*shard)->exec(insert, values); !r)
                    return r.error();
            }
        }
        if (Status s = tx.commit(); !s)
            return s.error();
    }
    main->reset();

    IStage *impl = pipeline.stage(stage);
    if (!impl)
        return makeError(ErrorCode::Unsupported, QStringLiteral("stage %1 is not in this build").arg(stage));
    Status ran;
    try {
        ran = extract ? ExtractStage::probeImages(**shard, *recipe, ctx) : impl->run(**shard, *recipe, ctx);
    } catch (const std::exception &e) {
        ran = makeError(ErrorCode::Internal, QStringLiteral("%1 failed: %2").arg(stage, QString::fromUtf8(e.what())));
    }
    if (!ran)
        return ran.error();
    shard->reset(); // closes the store: the WAL is folded into the file the manifest hashes

    ShardManifest m;
    m.runId = runId;
    m.stage = stage;
    m.index = spec.index;
    m.count = spec.count;
    m.fingerprint = fingerprint;
    m.items = rows.size();
    m.store = kShardStore;
    if (Status s = m.write(dir); !s)
        return s.error();
    return m;
}

Result<MergeReport> mergeShards(ProjectStore &store, const QString &projectDir, const Recipe &recipe,
                                const QString &stage, int shards, JobContext &ctx)
{
    if (!shardableStages().contains(stage))
        return makeError(ErrorCode::Unsupported, QStringLiteral("stage %1 does not run in shards; nothing to merge").arg(stage));
    if (shards <= 0) {
        // N from any manifest; the per-shard checks below catch disagreement.
        QFile f(QDir(shardDir(projectDir, 0, stage)).filePath(QStringLiteral("manifest.json")));
        QJsonParseError err;
        const QJsonObject first = f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.read(64 * 1024), &err).object() : QJsonObject();
        shards = first.value(QStringLiteral("shards")).toInt(0);
        if (shards <= 0)
            return makeError(ErrorCode::NotFound, QStringLiteral("no finished shard 0 to read the shard count from; give --shards N"),
                             shardDir(projectDir, 0, stage));
    }
    Pipeline pipeline;
    const QString fingerprint = pipeline.fingerprint(stage, store, recipe);
    MergeReport report;
    report.shards = shards;
    QVector<ShardManifest> manifests;
    for (int i = 0; i < shards; ++i) {
        auto m = ShardManifest::read(shardDir(projectDir, i, stage), ShardSpec{i, shards});
        if (!m) {
            report.missing << QStringLiteral("%1: %2").arg(i).arg(m.error().message);
            continue;
        }
        if (m->stage != stage)
            report.missing << QStringLiteral("%1: ran %2, not %3").arg(i).arg(m->stage, stage);
        else if (m->fingerprint != fingerprint)
            report.missing << QStringLiteral("%1: made for other settings or plugins than the project's now").arg(i);
        else
            manifests.push_back(*m);
    }
    if (!report.missing.isEmpty())
        return makeError(ErrorCode::Conflict,
                         QStringLiteral("%1 of %2 shards cannot be merged (nothing was merged): %3")
                             .arg(report.missing.size())
                             .arg(shards)
                             .arg(report.missing.join(QStringLiteral("; "))));

    for (const ShardManifest &m : manifests) {
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("merge interrupted; shards merged so far are kept, merging again redoes them"));
        // A shard merged before with the same bytes adds nothing: merging is
        // idempotent, so an interrupted merge is simply run again.
        const QString mergedKey = QStringLiteral("shard_merged.%1.%2").arg(stage).arg(m.index);
        report.items += m.items;
        if (store.meta(mergedKey) == m.storeSha256)
            continue;
        const QString path = QDir(shardDir(projectDir, m.index, stage)).filePath(m.store);
        if (auto r = store.exec(QStringLiteral("ATTACH DATABASE ? AS shard"), {path}); !r)
            return r.error();
        Status merged = [&]() -> Status {
            Transaction tx(store);
            if (stage == QLatin1String("extract")) {
                // The probe's columns, for the images the shard probed.
                if (auto r = store.exec(QStringLiteral(
                        "UPDATE main.images AS m SET probed = s.probed, failure = s.failure, detail = s.detail, width = s.width,"
                        " height = s.height, bytes = s.bytes, format = s.format, sha256 = s.sha256, phash = s.phash"
                        " FROM shard.images AS s WHERE m.id = s.id AND s.probed = 1"));
                    !r)
                    return r.error();
            }
            for (const CopiedTable &t : kGroundTables) {
                if (stage != QLatin1String("ground"))
                    break;
                if (auto r = store.exec(QStringLiteral("DELETE FROM main.%1 WHERE image_id IN (SELECT id FROM shard.images)").arg(QLatin1String(t.name))); !r)
                    return r.error();
                if (auto r = store.exec(QStringLiteral("INSERT INTO main.%1(%2) SELECT %2 FROM shard.%1 ORDER BY rowid")
                                            .arg(QLatin1String(t.name), QLatin1String(t.columns)));
                    !r)
                    return r.error();
            }
            if (auto r = store.exec(QStringLiteral("INSERT INTO main.issues(stage, severity, item_kind, item_id, text, context, at)"
                                                   " SELECT stage, severity, item_kind, item_id, text, context, at FROM shard.issues ORDER BY id"));
                !r)
                return r.error();
            if (Status s = store.setMeta(mergedKey, m.storeSha256); !s)
                return s;
            return tx.commit();
        }();
        if (auto r = store.exec(QStringLiteral("DETACH DATABASE shard")); !r && merged)
            return r.error();
        if (!merged)
            return merged.error();
        ctx.progress(m.index + 1, shards, QStringLiteral("merging %1 shards").arg(stage));
    }
    return report;
}

} // namespace rs
