#include "core/cluster/shardjobs.h"

#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/extract/extractstage.h"
#include "core/generate/generatestage.h"
#include "core/index/retrievestage.h"
#include "core/sample/samplestage.h"
#include "core/pipeline/pipeline.h"
#include "core/pipeline/stage.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/verdicts.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlQuery>

#include <exception>
#include <optional>

namespace rs {

namespace {

const QString kShardStore = QStringLiteral("project.sqlite"); // ProjectStore's file in the shard folder
// The encoder an embed shard encoded with (StageEncoder::name), in the shard
// store's meta: vectors of another fit are never merged.
const QString kShardEncoderKey = QStringLiteral("cluster.encoder");
// An embed shard's vectors live in its SQLite store (which the manifest
// hashes), as little-endian float32 blobs of the values the project's
// float16 embedding store would hold.
const QString kVectorTable = QStringLiteral("shard_vectors");
const QStringList kVectorKinds = {QStringLiteral("images"), QStringLiteral("sentences")};

// The tables a sharded ground (and generate, for its tag expert) writes,
// with the columns a merge copies
// (never ids: the main project numbers its own rows).
struct CopiedTable {
    const char *name;
    const char *columns;
};
constexpr CopiedTable kExpertTables[] = {
    {"expert_findings", "image_id, expert, kind, level, x, y, w, h, label, confidence, input_hash"},
    {"expert_runs", "image_id, expert, input_hash, error"},
};

constexpr const char *kRetrievalColumns = "image_id, rank, sentence_id, score, visual, ocr, context, lexical";
constexpr const char *kGenerationColumns = "image_id, input_hash, caption, tags, synthetic_text, generator, model, prompt_version, evidence,"
                                           " similarity, error, created_at";

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
    return {QStringLiteral("extract"), QStringLiteral("ground"), QStringLiteral("embed"), QStringLiteral("retrieve"),
            QStringLiteral("generate"), QStringLiteral("sample")};
}

namespace {

// extract's probing and ground: the shard's images (by image key) with the
// findings the main project already has for them (so a resubmission redoes
// nothing that is done) go into the shard store, and the stage's per-image
// work runs there.
Status imageShard(std::unique_ptr<ProjectStore> &main, const Recipe &recipe, const QString &stage, const ShardSpec &spec,
                  ProjectStore &shard, qint64 *items, JobContext &ctx)
{
    // extract: the images not probed yet (probing decodes each file: the
    // expensive, per-item part of stage 1; the decisions stay global).
    // ground: the kept images.
    const bool extract = stage == QLatin1String("extract");
    auto images = main->exec(extract ? QStringLiteral("SELECT id, image_key, path, sha256 FROM images WHERE probed = 0 AND path IS NOT NULL ORDER BY id")
                                     : QStringLiteral("SELECT id, image_key, path, sha256 FROM images WHERE reject_reason IS NULL ORDER BY id"));
    if (!images)
        return images.error();
    QVector<QVariantList> rows;
    while (images->next())
        if (shardOf(images->value(1).toString(), spec.count) == spec.index)
            rows.push_back({images->value(0), images->value(1), images->value(2), images->value(3), extract ? 0 : 1});
    *items = rows.size();
    {
        Transaction tx(shard);
        for (const QVariantList &row : rows)
            if (auto r = shard.exec(QStringLiteral("INSERT INTO images(id, image_key, path, sha256, probed) VALUES(?,?,?,?,?)"), row); !r)
                return r.error();
        for (const CopiedTable &t : kExpertTables) {
            if (extract)
                break;
            auto q = main->exec(QStringLiteral("SELECT %1 FROM %2 ORDER BY rowid").arg(QLatin1String(t.columns), QLatin1String(t.name)));
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
                if (auto r = shard.exec(insert, values); !r)
                    return r.error();
            }
        }
        if (Status s = tx.commit(); !s)
            return s;
    }
    main.reset();
    if (extract)
        return ExtractStage::probeImages(shard, recipe, ctx);
    Pipeline pipeline; // owns the stage
    IStage *impl = pipeline.stage(stage);
    if (!impl)
        return makeError(ErrorCode::Unsupported, QStringLiteral("stage %1 is not in this build").arg(stage));
    return impl->run(shard, recipe, ctx);
}

// embed's per-item half: the shard's kept images and sentences encoded with
// the encoder the barrier job fitted (never fitted here: every shard must
// encode with the same model), the vectors kept in the shard store.
Status embedShard(ProjectStore &main, const Recipe &recipe, const ShardSpec &spec, const QString &dir, ProjectStore &shard,
                  qint64 *items, JobContext &ctx)
{
    auto prepared = EmbedStage::prepareEncoder(main, recipe, EmbedStage::Fit::CachedOnly, ctx);
    if (!prepared)
        return prepared.error();
    if (Status s = shard.setMeta(kShardEncoderKey, prepared->name); !s)
        return s;
    if (auto r = shard.exec(QStringLiteral("CREATE TABLE %1 (kind TEXT NOT NULL, id INTEGER NOT NULL, vector BLOB NOT NULL,"
                                           " PRIMARY KEY (kind, id))").arg(kVectorTable));
        !r)
        return r.error();
    if (!prepared->encoder)
        return {}; // imported vectors: nothing to encode
    const QString vectorDir = QDir(dir).filePath(QStringLiteral("vectors"));
    std::unique_ptr<EmbeddingStore> stores[2];
    for (int k = 0; k < 2; ++k) {
        auto opened = EmbeddingStore::open(vectorDir, kVectorKinds[k], prepared->name, prepared->dimension);
        if (!opened)
            return opened.error();
        stores[k] = std::move(*opened);
    }
    if (Status s = EmbedStage::encodeItems(main, *prepared->encoder, *stores[0], *stores[1], &spec, shard, ctx); !s)
        return s;
    Transaction tx(shard);
    auto insert = shard.prepare(QStringLiteral("INSERT INTO %1(kind, id, vector) VALUES(?, ?, ?)").arg(kVectorTable));
    if (!insert)
        return insert.error();
    for (int k = 0; k < 2; ++k) {
        QVector<qint64> ids;
        for (qint64 id = 0; id < stores[k]->capacity(); ++id)
            if (stores[k]->has(id))
                ids.push_back(id);
        const Matrix m = stores[k]->get(ids);
        for (qsizetype r = 0; r < ids.size(); ++r) {
            const QByteArray blob(reinterpret_cast<const char *>(m.row(r)), qsizetype(sizeof(float)) * m.cols);
            if (Status s = shard.execPrepared(*insert, {kVectorKinds[k], ids[r], blob}); !s)
                return s;
        }
        *items += ids.size();
    }
    if (Status s = tx.commit(); !s)
        return s;
    stores[0].reset();
    stores[1].reset();
    QDir(vectorDir).removeRecursively(); // the SQLite store holds them now
    return {};
}

// The shard's kept images (by image key), listed in the shard store's
// images, which is how a merge knows whose rows it replaces.
Result<QSet<qint64>> addKeptShardImages(ProjectStore &main, const ShardSpec &spec, ProjectStore &shard)
{
    auto images = main.exec(QStringLiteral("SELECT id, image_key, path, sha256 FROM images WHERE reject_reason IS NULL ORDER BY id"));
    if (!images)
        return images.error();
    QSet<qint64> wanted;
    Transaction tx(shard);
    while (images->next()) {
        if (shardOf(images->value(1).toString(), spec.count) != spec.index)
            continue;
        wanted.insert(images->value(0).toLongLong());
        if (auto r = shard.exec(QStringLiteral("INSERT INTO images(id, image_key, path, sha256, probed) VALUES(?,?,?,?,1)"),
                                {images->value(0), images->value(1), images->value(2), images->value(3)});
            !r)
            return r.error();
    }
    if (Status s = tx.commit(); !s)
        return s.error();
    return wanted;
}

// retrieve's, generate's and sample's per-image half: the shard's kept
// images with the rows the stage gives them (retrieve: from the index the
// barrier job saved; generate: with the calibration it stored; sample: the
// nearest of the centres it trained).
Status perImageShard(ProjectStore &main, const Recipe &recipe, const QString &stage, const ShardSpec &spec, ProjectStore &shard,
                     qint64 *items, JobContext &ctx)
{
    auto wanted = addKeptShardImages(main, spec, shard);
    if (!wanted)
        return wanted.error();
    auto answered = stage == QLatin1String("retrieve") ? RetrieveStage::retrieveInto(main, recipe, *wanted, shard, ctx)
        : stage == QLatin1String("generate")           ? GenerateStage::generateInto(main, recipe, *wanted, shard, ctx)
                                                       : SampleStage::assignInto(main, recipe, *wanted, shard, ctx);
    if (!answered)
        return answered.error();
    *items = *answered;
    return {};
}

// Folds one embed shard's vectors into the project's embedding stores.
Status mergeVectors(ProjectStore &store, const QString &encoder, EmbeddingStore *stores[2], int shardIndex)
{
    auto used = store.scalar(QStringLiteral("SELECT value FROM shard.meta WHERE key = ?"), {kShardEncoderKey});
    if (!used)
        return used.error();
    if (used->toString() != encoder)
        return makeError(ErrorCode::Conflict, QStringLiteral("shard %1 was encoded with %2, the project's encoder is %3 (nothing was merged)")
                                                  .arg(shardIndex)
                                                  .arg(used->toString(), encoder));
    for (int k = 0; k < 2; ++k) {
        if (!stores[k])
            continue;
        auto q = store.exec(QStringLiteral("SELECT id, vector FROM shard.%1 WHERE kind = ? ORDER BY id").arg(kVectorTable), {kVectorKinds[k]});
        if (!q)
            return q.error();
        const int d = stores[k]->dimension();
        QVector<qint64> ids;
        std::vector<float> values;
        while (q->next()) {
            const QByteArray blob = q->value(1).toByteArray();
            if (blob.size() != qsizetype(sizeof(float)) * d)
                return makeError(ErrorCode::ParseError, QStringLiteral("shard %1 holds a vector of %2 bytes, expected %3")
                                                            .arg(shardIndex)
                                                            .arg(blob.size())
                                                            .arg(qsizetype(sizeof(float)) * d));
            ids.push_back(q->value(0).toLongLong());
            const float *v = reinterpret_cast<const float *>(blob.constData());
            values.insert(values.end(), v, v + d);
        }
        Matrix m(ids.size(), d);
        m.data = std::move(values);
        if (!ids.isEmpty())
            if (Status s = stores[k]->put(ids, m); !s)
                return s;
        if (Status s = stores[k]->flush(); !s)
            return s;
    }
    return {};
}

} // namespace

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
    // Taken before the work: what the manifest says the results came from.
    auto expected = expectedShard(**main, *recipe, stage);
    if (!expected)
        return expected.error();

    const QString dir = shardDir(projectDir, spec.index, stage);
    if (QFileInfo::exists(dir) && !QDir(dir).removeRecursively())
        return makeError(ErrorCode::IoError, QStringLiteral("cannot clear the shard folder"), dir);
    auto shard = ProjectStore::create(dir);
    if (!shard)
        return shard.error();
    qint64 items = 0;
    Status ran;
    try {
        if (stage == QLatin1String("embed"))
            ran = embedShard(**main, *recipe, spec, dir, **shard, &items, ctx);
        else if (stage == QLatin1String("retrieve") || stage == QLatin1String("generate") || stage == QLatin1String("sample"))
            ran = perImageShard(**main, *recipe, stage, spec, **shard, &items, ctx);
        else
            ran = imageShard(*main, *recipe, stage, spec, **shard, &items, ctx);
    } catch (const std::exception &e) {
        ran = makeError(ErrorCode::Internal, QStringLiteral("%1 failed: %2").arg(stage, QString::fromUtf8(e.what())));
    }
    if (!ran)
        return ran.error();
    main->reset();
    shard->reset(); // closes the store: the WAL is folded into the file the manifest hashes

    ShardManifest m;
    m.runId = runId;
    m.stage = stage;
    m.index = spec.index;
    m.count = spec.count;
    m.fingerprint = expected->fingerprint;
    m.inputs = expected->inputs;
    m.items = items;
    m.store = kShardStore;
    if (Status s = m.write(dir); !s)
        return s.error();
    return m;
}

QString ShardExpectation::whyStale(const ShardManifest &m) const
{
    if (m.stage != stage)
        return QStringLiteral("ran %1, not %2").arg(m.stage, stage);
    if (m.fingerprint != fingerprint)
        return QStringLiteral("made for other settings or plugins than the project's now");
    if (m.inputs != inputs)
        return stage != QLatin1String("extract") && stage != QLatin1String("ground")
            ? QStringLiteral("made from other inputs than the project's now (earlier verdicts or the encoder fit changed since)")
            : QStringLiteral("made from other inputs than the project's now (earlier verdicts changed since)");
    return {};
}

Result<ShardExpectation> expectedShard(ProjectStore &store, const Recipe &recipe, const QString &stage)
{
    ShardExpectation e;
    e.stage = stage;
    e.fingerprint = Pipeline().fingerprint(stage, store, recipe);
    auto verdicts = verdictDigest(store, Pipeline::stagesBefore(stage));
    if (!verdicts)
        return verdicts.error();
    e.inputs = *verdicts;
    // The vectors embed encodes, and that retrieve, generate and sample
    // search, tag, score and cluster with, come from the fit.
    if (stage != QLatin1String("extract") && stage != QLatin1String("ground"))
        e.inputs += QStringLiteral("fit=") + EmbedStage::savedFitDigest(store) + QLatin1Char(';');
    return e;
}

Status prepareShardedStage(ProjectStore &store, const Recipe &recipe, const QString &stage, JobContext &ctx)
{
    if (!shardableStages().contains(stage))
        return makeError(ErrorCode::Unsupported, QStringLiteral("stage %1 does not run in shards; nothing to prepare").arg(stage));
    const QStringList before = Pipeline::stagesBefore(stage);
    if (!before.isEmpty())
        if (Status s = Pipeline().run(store, recipe, before.last(), ctx); !s)
            return s;
    if (stage == QLatin1String("embed")) {
        auto prepared = EmbedStage::prepareEncoder(store, recipe, EmbedStage::Fit::IfNeeded, ctx);
        if (!prepared)
            return prepared.error();
    }
    if (stage == QLatin1String("retrieve"))
        return RetrieveStage::prepareIndex(store, recipe, ctx);
    if (stage == QLatin1String("generate"))
        return GenerateStage::prepare(store, recipe, ctx);
    if (stage == QLatin1String("sample"))
        return SampleStage::prepareCentres(store, recipe, ctx);
    return {};
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
    auto expected = expectedShard(store, recipe, stage);
    if (!expected)
        return expected.error();
    MergeReport report;
    report.shards = shards;
    QVector<ShardManifest> manifests;
    for (int i = 0; i < shards; ++i) {
        auto m = ShardManifest::read(shardDir(projectDir, i, stage), ShardSpec{i, shards});
        if (!m) {
            report.missing << QStringLiteral("%1: %2").arg(i).arg(m.error().message);
            continue;
        }
        if (const QString why = expected->whyStale(*m); !why.isEmpty())
            report.missing << QStringLiteral("%1: %2").arg(i).arg(why);
        else
            manifests.push_back(*m);
    }
    if (!report.missing.isEmpty())
        return makeError(ErrorCode::Conflict,
                         QStringLiteral("%1 of %2 shards cannot be merged (nothing was merged): %3")
                             .arg(report.missing.size())
                             .arg(shards)
                             .arg(report.missing.join(QStringLiteral("; "))));

    // embed folds vectors into the project's embedding stores, opened for
    // the encoder the barrier job fitted (loaded, not fitted again).
    std::optional<StageEncoder> encoder;
    std::unique_ptr<EmbeddingStore> vectorStores[2];
    if (stage == QLatin1String("embed")) {
        auto prepared = EmbedStage::prepareEncoder(store, recipe, EmbedStage::Fit::IfNeeded, ctx);
        if (!prepared)
            return prepared.error();
        encoder = *prepared;
        for (int k = 0; k < 2 && encoder->encoder; ++k) {
            auto opened = EmbeddingStore::open(EmbeddingStore::projectDir(store), kVectorKinds[k], encoder->name, encoder->dimension);
            if (!opened)
                return opened.error();
            vectorStores[k] = std::move(*opened);
        }
    }
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
            if (stage == QLatin1String("retrieve")) {
                // The shard's images' rows replace whatever they had.
                if (auto r = store.exec(QStringLiteral("DELETE FROM main.retrievals WHERE image_id IN (SELECT id FROM shard.images)")); !r)
                    return r.error();
                if (auto r = store.exec(QStringLiteral("INSERT INTO main.retrievals(%1) SELECT %1 FROM shard.retrievals ORDER BY image_id, rank")
                                            .arg(QLatin1String(kRetrievalColumns)));
                    !r)
                    return r.error();
            }
            if (stage == QLatin1String("generate")) {
                // The tag runs the shard made replace those experts' rows for
                // its images (the ground experts' stay); its texts replace theirs.
                for (const CopiedTable &t : kExpertTables) {
                    if (auto r = store.exec(QStringLiteral("DELETE FROM main.%1 WHERE (image_id, expert) IN (SELECT image_id, expert FROM shard.expert_runs)")
                                                .arg(QLatin1String(t.name)));
                        !r)
                        return r.error();
                    if (auto r = store.exec(QStringLiteral("INSERT INTO main.%1(%2) SELECT %2 FROM shard.%1 ORDER BY rowid")
                                                .arg(QLatin1String(t.name), QLatin1String(t.columns)));
                        !r)
                        return r.error();
                }
                if (auto r = store.exec(QStringLiteral("INSERT OR REPLACE INTO main.generations(%1) SELECT %1 FROM shard.generations ORDER BY image_id")
                                            .arg(QLatin1String(kGenerationColumns)));
                    !r)
                    return r.error();
            }
            if (stage == QLatin1String("sample"))
                if (auto r = store.exec(QStringLiteral("UPDATE main.images SET cluster = s.cluster, cluster_score = s.cluster_score"
                                                       " FROM shard.images AS s WHERE main.images.id = s.id"));
                    !r)
                    return r.error();
            if (encoder) {
                EmbeddingStore *stores[2] = {vectorStores[0].get(), vectorStores[1].get()};
                if (Status s = mergeVectors(store, encoder->name, stores, m.index); !s)
                    return s;
            }
            for (const CopiedTable &t : kExpertTables) {
                if (stage != QLatin1String("ground"))
                    break;
                if (auto r = store.exec(QStringLiteral("DELETE FROM main.%1 WHERE image_id IN (SELECT id FROM shard.images)").arg(QLatin1String(t.name))); !r)
                    return r.error();
                if (auto r = store.exec(QStringLiteral("INSERT INTO main.%1(%2) SELECT %2 FROM shard.%1 ORDER BY rowid")
                                            .arg(QLatin1String(t.name), QLatin1String(t.columns)));
                    !r)
                    return r.error();
            }
            // embed's shard issues (images that failed to decode) are not
            // copied: those images have no vector, so the embed run after
            // the merge tries them again and logs them as one machine would.
            if (!encoder)
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
    // Nothing global follows retrieve's queries: with every shard merged the
    // stage is complete. Rows of images no shard answered for (rejected
    // since an earlier run) go, as the stage's own run drops them, and the
    // stage is recorded done with the fingerprint and inputs the shards
    // were checked against above.
    if (stage == QLatin1String("retrieve")) {
        auto kept = loadKeptImageEmbeddings(store);
        if (!kept)
            return kept.error();
        const QSet<qint64> answered(kept->ids.cbegin(), kept->ids.cend());
        auto q = store.exec(QStringLiteral("SELECT DISTINCT image_id FROM retrievals"));
        if (!q)
            return q.error();
        QVector<qint64> stale;
        while (q->next())
            if (!answered.contains(q->value(0).toLongLong()))
                stale.push_back(q->value(0).toLongLong());
        Transaction tx(store);
        for (qint64 id : std::as_const(stale))
            if (auto r = store.exec(QStringLiteral("DELETE FROM retrievals WHERE image_id = ?"), {id}); !r)
                return r.error();
        if (Status s = tx.commit(); !s)
            return s.error();
        if (Status s = Pipeline().recordDone(stage, store, recipe); !s)
            return s.error();
    }
    if (stage == QLatin1String("sample"))
        if (Status s = SampleStage::recordMergedClusters(store, recipe); !s)
            return s.error();
    return report;
}

} // namespace rs
