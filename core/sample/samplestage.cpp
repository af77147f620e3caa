#include "core/sample/samplestage.h"

#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/index/centresfile.h"
#include "core/index/kmeans.h"
#include "core/index/retrievestage.h"
#include "core/sample/balancer.h"
#include "core/sample/sampledecisions.h"
#include "core/store/reasons.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

namespace rs {

namespace {

constexpr auto kClusterKeyMeta = "sample.cluster_key";
constexpr auto kCentresKeyMeta = "sample.centres_key";
// Vectors read at a time when assigning: memory stays bounded at any scale.
constexpr qsizetype kAssignChunk = 65536;

// Kept images with an embedding, in id order: what the clustering covers.
Result<QVector<qint64>> clusterMembers(ProjectStore &store)
{
    auto emb = EmbeddingStore::openInProject(store, QStringLiteral("images"));
    if (!emb)
        return emb.error();
    auto q = store.exec(QStringLiteral("SELECT id FROM images WHERE reject_reason IS NULL ORDER BY id"));
    if (!q)
        return q.error();
    QVector<qint64> members;
    while (q->next())
        if ((*emb)->has(q->value(0).toLongLong()))
            members.push_back(q->value(0).toLongLong());
    return members;
}

// What the clustering depends on: the encoder, the clustering settings and
// the members. Centres and assignments are reused while it holds.
QString clusterKeyOf(ProjectStore &store, const Recipe &recipe, const QVector<qint64> &members)
{
    QCryptographicHash h(QCryptographicHash::Sha1);
    h.addData(store.meta(QStringLiteral("embed.encoder")).toUtf8());
    h.addData(recipe.fingerprint(settingKeysOf<SampleClusterSettings>()).toUtf8());
    // v3: centres trained on a seeded sample, every member assigned per image.
    h.addData(QByteArrayLiteral("sampled-v3"));
    for (qint64 id : members)
        h.addData(QByteArray(QByteArray::number(id) + ','));
    return QString::fromLatin1(h.result().toHex());
}

QString centresPath(ProjectStore &store)
{
    return store.sidePath(QStringLiteral("index/image_centres.bin"));
}

enum class Centres { TrainIfNeeded, SavedOnly };

// The image k-means centres for `members`: the saved ones when they were
// trained for this key (a barrier job, or an earlier run), else trained now
// on a seeded sample of at most clusters x 256 members (FAISS's own
// training cap, so nothing changes for small projects) and saved. SavedOnly
// (a shard) never trains: every shard assigns to the same centres.
Result<Matrix> centresFor(ProjectStore &store, const Recipe &recipe, const QVector<qint64> &members, const QString &key, Centres mode,
                          JobContext &ctx)
{
    const QString path = centresPath(store);
    if (store.meta(QLatin1String(kCentresKeyMeta)) == key) {
        auto saved = loadCentres(path);
        if (saved || mode == Centres::SavedOnly)
            return saved;
    }
    if (mode == Centres::SavedOnly)
        return makeError(ErrorCode::Conflict, QStringLiteral("no image centres trained for the project's current images and settings; "
                                                             "run `realsyn run DIR --prepare sample` first"),
                         path);
    SampleClusterSettings clustering;
    readSettings(recipe, clustering);
    KMeansOptions km;
    km.clusters = clustering.clusters > 0 ? int(std::min<qint64>(clustering.clusters, members.size())) : defaultClusterCount(members.size());
    km.iterations = clustering.iterations;
    km.seed = 0; // fixed: the clustering must not change with the sampling seed
    const QVector<qint64> training = trainingSample(members, qint64(km.clusters) * km.maxPointsPerCentroid, km.seed);
    auto emb = EmbeddingStore::openInProject(store, QStringLiteral("images"));
    if (!emb)
        return emb.error();
    const Matrix points = (*emb)->get(training);
    ctx.progress(0, 1, QStringLiteral("k-means over %1 of %2 image embeddings").arg(training.size()).arg(members.size()));
    auto result = kmeans(points, km);
    if (!result)
        return result.error();
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (Status s = saveCentres(result->centroids, path); !s)
        return s.error();
    if (Status s = store.setMeta(QLatin1String(kCentresKeyMeta), key); !s)
        return s.error();
    return result->centroids;
}

// Each member's nearest centre, read and assigned a chunk at a time.
Result<CentreAssignment> assignMembers(EmbeddingStore &emb, const QVector<qint64> &members, const Matrix &centres, JobContext &ctx)
{
    CentreAssignment out;
    for (qsizetype start = 0; start < members.size(); start += kAssignChunk) {
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("sample interrupted while assigning images to clusters"));
        const Matrix points = emb.get(members.mid(start, kAssignChunk));
        CentreAssignment part = assignToCentres(points, centres, KMeansOptions{}.sphericalCosine);
        out.centre.insert(out.centre.end(), part.centre.begin(), part.centre.end());
        out.distance.insert(out.distance.end(), part.distance.begin(), part.distance.end());
        ctx.progress(std::min<qsizetype>(start + kAssignChunk, members.size()), members.size(), QStringLiteral("assigning images to clusters"));
    }
    return out;
}

QJsonArray sizesJson(const std::vector<qint64> &sizes)
{
    QJsonArray a;
    for (qint64 n : sizes)
        a.append(n);
    return a;
}

} // namespace

QJsonObject SampleStage::storedStats(ProjectStore &store)
{
    return QJsonDocument::fromJson(store.meta(QStringLiteral("sample.stats")).toUtf8()).object();
}

Status SampleStage::run(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    // The filter verdicts as stored (extract and embed wrote them).
    std::vector<qint64> ids;
    std::vector<quint8> filterCodes;
    {
        auto q = store.exec(QStringLiteral("SELECT id, reject_reason IS NOT NULL FROM images ORDER BY id"));
        if (!q)
            return q.error();
        while (q->next()) {
            ids.push_back(q->value(0).toLongLong());
            filterCodes.push_back(quint8(q->value(1).toInt() != 0));
        }
    }
    auto in = loadSampleInputs(store, ids);
    if (!in)
        return in.error();
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("sample interrupted before clustering"));

    // Clustering over every kept image with an embedding, reused when nothing
    // it depends on changed. It does not depend on the band or the cap.
    QVector<qint64> members;
    for (size_t i = 0; i < ids.size(); ++i)
        if (!filterCodes[i] && in->hasEmbedding[i])
            members.push_back(ids[i]);
    const QString clusterKey = clusterKeyOf(store, recipe, members);
    int clusterCount = 0;
    if (!members.isEmpty() && store.meta(QLatin1String(kClusterKeyMeta)) == clusterKey) {
        for (size_t i = 0; i < ids.size(); ++i)
            if (!filterCodes[i] && in->hasEmbedding[i])
                clusterCount = std::max(clusterCount, in->cluster[i] + 1);
        ctx.progress(1, 1, QStringLiteral("reusing %1 image clusters").arg(clusterCount));
    } else if (!members.isEmpty()) {
        auto centres = centresFor(store, recipe, members, clusterKey, Centres::TrainIfNeeded, ctx);
        if (!centres)
            return centres.error();
        auto emb = EmbeddingStore::openInProject(store, QStringLiteral("images"));
        if (!emb)
            return emb.error();
        ctx.progress(0, 1, QStringLiteral("assigning %1 images to %2 centres").arg(members.size()).arg(centres->rows));
        auto assigned = assignMembers(**emb, members, *centres, ctx);
        if (!assigned)
            return assigned.error();
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("sample interrupted; nothing was written"));
        clusterCount = int(centres->rows);
        std::fill(in->cluster.begin(), in->cluster.end(), -1);
        Transaction tx(store);
        if (auto r = store.exec(QStringLiteral("UPDATE images SET cluster = NULL, cluster_score = NULL")); !r)
            return r.error();
        auto up = store.prepare(QStringLiteral("UPDATE images SET cluster = ?, cluster_score = ? WHERE id = ?"));
        if (!up)
            return up.error();
        qsizetype m = 0;
        for (size_t i = 0; i < ids.size(); ++i) {
            if (filterCodes[i] || !in->hasEmbedding[i])
                continue;
            in->cluster[i] = assigned->centre[size_t(m)];
            if (Status s = store.execPrepared(*up, {in->cluster[i], double(assigned->distance[size_t(m)]), ids[i]}); !s)
                return s;
            ++m;
        }
        if (Status s = store.setMeta(QLatin1String(kClusterKeyMeta), clusterKey); !s)
            return s;
        if (Status s = tx.commit(); !s)
            return s;
    }
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("sample interrupted; clusters are kept"));

    const SampleSettings settings = SampleSettings::fromRecipe(recipe, store.meta(QStringLiteral("embed.clip_family")) == QLatin1String("true"));
    const SampleVerdictColumns v = decideSample(*in, filterCodes, settings);
    const QStringList reasons = reasonCodes(ReasonTable::Sample);

    Transaction tx(store);
    auto up = store.prepare(QStringLiteral("UPDATE images SET sampled = ?, sample_reason = ? WHERE id = ?"));
    if (!up)
        return up.error();
    // Every row gets a value, refused ones 0: an image a later re-decision
    // keeps is not selected until this stage has judged it.
    qint64 removedLow = 0, removedHigh = 0, judged = 0;
    std::vector<int> judgedAssignment;
    std::vector<bool> keep;
    for (size_t i = 0; i < ids.size(); ++i) {
        const quint8 c = v.code[i];
        const QString why = c == 0 || c == SampleVerdictColumns::kNotJudged ? QString() : reasons.value(c - 1);
        if (why == QLatin1String("below_band"))
            ++removedLow;
        else if (why == QLatin1String("above_band"))
            ++removedHigh;
        if (v.assignment[i] >= 0) {
            judgedAssignment.push_back(v.assignment[i]);
            keep.push_back(c == 0);
        }
        if (c != SampleVerdictColumns::kNotJudged)
            ++judged;
        if (Status s = store.execPrepared(*up, {c == 0 ? 1 : 0, why.isEmpty() ? QVariant() : QVariant(why), ids[i]}); !s)
            return s;
    }

    const ClusterStats before = clusterStats(judgedAssignment, clusterCount);
    const ClusterStats after = clusterStats(judgedAssignment, clusterCount, keep);
    QJsonObject stats{{QStringLiteral("clusters"), clusterCount},
                      {QStringLiteral("method"), settings.metaclip ? QStringLiteral("metaclip") : QStringLiteral("cap")},
                      {QStringLiteral("seed"), qint64(settings.seed)},
                      {QStringLiteral("before"), toJson(before)},
                      {QStringLiteral("after"), toJson(after)},
                      {QStringLiteral("sizes_before"), sizesJson(before.sizes)},
                      {QStringLiteral("sizes_after"), sizesJson(after.sizes)},
                      {QStringLiteral("band"), QJsonObject{{QStringLiteral("mode"), v.bandMode},
                                                           {QStringLiteral("low"), v.low},
                                                           {QStringLiteral("high"), v.high},
                                                           {QStringLiteral("removed_low"), removedLow},
                                                           {QStringLiteral("removed_high"), removedHigh},
                                                           {QStringLiteral("without_similarity"), v.withoutSimilarity}}}};
    if (settings.metaclip)
        stats.insert(QStringLiteral("t"), settings.t);
    else
        stats.insert(QStringLiteral("cap"), settings.cap);
    if (Status s = store.setMeta(QStringLiteral("sample.stats"), QString::fromUtf8(QJsonDocument(stats).toJson(QJsonDocument::Compact))); !s)
        return s;
    ctx.progress(judged, judged, QStringLiteral("sampled %1 of %2").arg(after.count).arg(judged));
    return tx.commit();
}

Status SampleStage::prepareCentres(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    auto members = clusterMembers(store);
    if (!members)
        return members.error();
    if (members->isEmpty())
        return {};
    auto centres = centresFor(store, recipe, *members, clusterKeyOf(store, recipe, *members), Centres::TrainIfNeeded, ctx);
    if (!centres)
        return centres.error();
    return {};
}

Result<qint64> SampleStage::assignInto(ProjectStore &main, const Recipe &recipe, const QSet<qint64> &wanted, ProjectStore &out,
                                       JobContext &ctx)
{
    auto members = clusterMembers(main);
    if (!members)
        return members.error();
    if (members->isEmpty())
        return 0;
    auto centres = centresFor(main, recipe, *members, clusterKeyOf(main, recipe, *members), Centres::SavedOnly, ctx);
    if (!centres)
        return centres.error();
    QVector<qint64> mine;
    for (qint64 id : std::as_const(*members))
        if (wanted.contains(id))
            mine.push_back(id);
    auto emb = EmbeddingStore::openInProject(main, QStringLiteral("images"));
    if (!emb)
        return emb.error();
    auto assigned = assignMembers(**emb, mine, *centres, ctx);
    if (!assigned)
        return assigned.error();
    Transaction tx(out);
    auto up = out.prepare(QStringLiteral("UPDATE images SET cluster = ?, cluster_score = ? WHERE id = ?"));
    if (!up)
        return up.error();
    for (qsizetype i = 0; i < mine.size(); ++i)
        if (Status s = out.execPrepared(*up, {assigned->centre[size_t(i)], double(assigned->distance[size_t(i)]), mine[i]}); !s)
            return s.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    return qint64(mine.size());
}

Status SampleStage::recordMergedClusters(ProjectStore &store, const Recipe &recipe)
{
    auto members = clusterMembers(store);
    if (!members)
        return members.error();
    Transaction tx(store);
    if (auto r = store.exec(QStringLiteral("UPDATE images SET cluster = NULL, cluster_score = NULL WHERE reject_reason IS NOT NULL")); !r)
        return r.error();
    if (Status s = store.setMeta(QLatin1String(kClusterKeyMeta), clusterKeyOf(store, recipe, *members)); !s)
        return s;
    return tx.commit();
}

} // namespace rs
